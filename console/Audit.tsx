// The audit log: who did what and when, newest first (the service keeps the newest 200 a token may see).
import type { AuditEntry } from './api.ts';
import { when } from './ui.tsx';

export function AuditLog({ entries }: { entries: AuditEntry[] }) {
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      {entries.length === 0 ? <p>Nothing yet.</p> : (
        <table className="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Channel</th><th scope="col">Detail</th></tr></thead>
          <tbody>{entries.map((e, i) => <tr key={i}><td>{when(e.at)}</td><td>{e.who}</td><td>{e.action}</td><td>{e.channel ?? '—'}</td><td>{e.detail}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
