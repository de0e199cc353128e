// Benchmark page for performance.md row 6 (built only for the browser tests, never shipped): mounts the
// inbox list with N generated rows, virtualized (the product's InboxList) or plainly (the same Row for
// every item), and records the mount time to first paint in window.__bench.
import { useLayoutEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import type { InboxItem } from '../../shared/ipc/types.ts';
import type { Pages } from '../lib/inboxPages.ts';
import { InboxList, Row } from '../screens/InboxList.tsx';

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? 10_000);
const mode = params.get('mode') === 'plain' ? 'plain' : 'virtual';
const items: InboxItem[] = Array.from({ length: n }, (_, i) => ({
  key: `k${i}`, sourceId: 's', messageId: `m${i}`, channel: i % 3 ? 'stable' : 'experimental', kind: 'news',
  title: `Post number ${n - i}`, excerpt: 'One line of the body as plain text, long enough to be cut with an ellipsis at the end of the row.',
  created: 1_795_500_000 - i * 600, read: i % 4 !== 0, trusted: true,
}));
const pages: Pages = { total: n, failed: false, item: (i) => items[i], want: () => {}, patch: () => {}, reload: () => {} };

function Virtual() {
  const [active, setActive] = useState(0);
  return <InboxList pages={pages} active={active} setActive={setActive} openKey={undefined} onOpen={() => {}} onToggleRead={() => {}} onDismiss={() => {}} onMarkAll={() => {}} />;
}

function Plain() {
  return (
    <div className="inbox-list" role="listbox" aria-label="Posts" tabIndex={0}>
      {items.map((item, i) => (
        <div key={item.key} role="option" aria-selected={false} aria-posinset={i + 1} className="row row-static"><Row item={item} /></div>
      ))}
    </div>
  );
}

const started = performance.now();
function Done({ children }: { children: ReactNode }) {
  useLayoutEffect(() => {
    requestAnimationFrame(() => setTimeout(() => {
      (window as unknown as { __bench: unknown }).__bench = { mode, n, mountMs: performance.now() - started, rows: document.querySelectorAll('[role=option]').length };
    }, 0));
  }, []);
  return <>{children}</>;
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<Done>{mode === 'plain' ? <Plain /> : <Virtual />}</Done>);
