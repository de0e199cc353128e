// Status: per source the last and next check, the last problem in plain words (details folded away),
// "can't confirm … since" when the feed is frozen, Check Now, and a short log of recent checks.
import type { CheckLogEntry, SourceStatus, StatusView } from '../../shared/ipc/types.ts';
import { api } from '../lib/api.ts';
import { useQuery } from '../lib/hooks.ts';
import { t } from '../i18n/en.ts';
import { formatDateTime, formatTime, relativeTime } from '../i18n/format.ts';
import { Chip, Failed, Loading } from '../components/common.tsx';
import { CheckNow } from '../components/CheckNow.tsx';

export function Status() {
  const q = useQuery(() => api().getStatus({}), ['status']);
  return (
    <div className="screen screen-status">
      <header className="screen-head">
        <h1>{t.status.heading}</h1>
        <CheckNow />
      </header>
      {/* Focusable and labelled: the log may hold nothing else to Tab to, yet must scroll from the keyboard. */}
      <div className="scroll" tabIndex={0} role="region" aria-label={t.status.region}>{q.data ? <Body v={q.data} /> : q.failed ? <Failed onRetry={q.reload} /> : <Loading slow={q.slow} />}</div>
    </div>
  );
}

/** What a check brought, in words: "2 new posts", "No change", or the problem in plain words. */
function outcome(e: CheckLogEntry): string {
  if (e.outcome === 'new') return t.status.logNew(e.added);
  if (e.outcome === 'unchanged') return t.status.logUnchanged;
  if (e.outcome === 'event') return e.message;
  return e.message || t.status.logProblem;
}

const when = (v: number | null, none: string) => (v === null ? none : t.status.at(v));

function SourceCard({ s }: { s: SourceStatus }) {
  return (
    <li className="card source-status">
      <div className="source-status-head">
        <h2>{s.name}</h2>
        {s.needsAttention ? <Chip tone="warn">{t.status.attention}</Chip> : <Chip>{t.status.ok}</Chip>}
      </div>
      <dl className="facts">
        <dt>{t.status.lastCheck}</dt><dd>{when(s.lastCheck, t.status.never)}</dd>
        <dt>{t.status.lastSuccess}</dt><dd>{when(s.lastSuccess, t.status.never)}</dd>
        <dt>{t.status.nextCheck}</dt><dd>{when(s.nextCheck, t.status.notScheduled)}</dd>
      </dl>
      {s.lastError ? (
        <div className="problem">
          <p>{t.status.lastError(s.lastError.at)} {s.lastError.message}</p>
          {s.lastError.detail ? (
            <details>
              <summary>{t.status.errorDetails}</summary>
              <p className="mono small">{s.lastError.detail}</p>
            </details>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

function Body({ v }: { v: StatusView }) {
  const names = new Map(v.sources.map((s) => [s.id, s.name]));
  return (
    <>
      <p className="status-line" role="status">
        <Chip tone={v.online ? undefined : 'warn'}>{v.online ? t.status.online : t.status.offlineShort}</Chip>
        {!v.online ? <span>{t.offline}</span> : null}
      </p>
      {v.frozenSince !== null ? <p className="banner banner-warn" role="alert">{t.status.frozen(v.frozenSince)}</p> : null}
      {v.sources.length === 0 ? <p className="empty">{t.status.noSources}</p> : <ul className="source-list">{v.sources.map((s) => <SourceCard key={s.id} s={s} />)}</ul>}
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">{t.status.log}</h2>
        {v.log.length === 0 ? <p className="hint">{t.status.logEmpty}</p> : (
          <table className="log">
            <thead><tr><th scope="col">{t.status.logTime}</th><th scope="col">{t.status.logSource}</th><th scope="col">{t.status.logOutcome}</th></tr></thead>
            <tbody>
              {v.log.map((e, i) => (
                <tr key={`${e.at}-${i}`} className={`log-${e.outcome}`}>
                  <td><time dateTime={new Date(e.at * 1000).toISOString()} title={formatDateTime(e.at)}>{formatTime(e.at)} · {relativeTime(e.at)}</time></td>
                  <td>{names.get(e.sourceId) ?? (e.sourceId === 'update' || e.sourceId === 'download' ? t.status.updatesSource : e.sourceId)}</td>
                  <td>{outcome(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
