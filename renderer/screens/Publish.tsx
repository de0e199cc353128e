// The publisher page (only with a publisher token): Post News / Link a New Version as tabs, and the list
// of what was published with Retract. The signing key is chosen once for both forms (and kept across tabs).
import { useState, type KeyboardEvent } from 'react';
import type { KeyInfo, PublishedItem } from '../../shared/ipc/types.ts';
import { api } from '../lib/api.ts';
import { useQuery } from '../lib/hooks.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { relativeTime } from '../i18n/format.ts';
import { Chip, Failed, Loading } from '../components/common.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { PublishNews } from './PublishNews.tsx';
import { PublishRelease } from './PublishRelease.tsx';

const tabs = ['news', 'release'] as const;
type Tab = (typeof tabs)[number];

export function Publish() {
  const [tab, setTab] = useState<Tab>('news');
  const [signingKey, setSigningKey] = useState<KeyInfo | null>(null);
  const settings = useQuery(() => api().getSettings({}), ['settings']);
  const channels = [...new Set(['stable', 'experimental', 'news', ...(settings.data?.sources.flatMap((s) => s.channels) ?? [])])];
  const onTabKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    e.preventDefault();
    const next: Tab = tab === 'news' ? 'release' : 'news';
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <div className="screen screen-publish">
      <header className="screen-head"><h1>{t.publish.heading}</h1></header>
      <div className="scroll">
        <div className="tabs" role="tablist" aria-label={t.publish.heading} onKeyDown={onTabKey}>
          {tabs.map((x) => (
            <button key={x} id={`tab-${x}`} type="button" role="tab" aria-selected={tab === x} aria-controls={`panel-${x}`} tabIndex={tab === x ? 0 : -1} onClick={() => setTab(x)}>
              {x === 'news' ? t.publish.tabNews : t.publish.tabRelease}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
          {tab === 'news'
            ? <PublishNews channels={channels} signingKey={signingKey} onKey={setSigningKey} />
            : <PublishRelease channels={channels} signingKey={signingKey} onKey={setSigningKey} />}
        </div>
        <PublishedList />
      </div>
    </div>
  );
}

function PublishedList() {
  const { announce } = useApp();
  const q = useQuery(() => api().listPublished({}), ['publisher']);
  const [retracting, setRetracting] = useState<PublishedItem | null>(null);
  const label = (i: PublishedItem) => t.publish.itemLabel(i.version, i.title);
  const retract = async (item: PublishedItem) => {
    setRetracting(null);
    try {
      const r = await api().retract({ id: item.id, channel: item.channel });
      announce(r.ok ? t.publish.retractedWhat(label(item)) : r.error.message);
    } catch {
      announce(t.actionFailed);
    }
  };
  let body;
  if (!q.data) body = q.failed ? <Failed onRetry={q.reload} /> : <Loading slow={q.slow} />;
  else if (!q.data.ok) body = <p className="problem" role="alert">{q.data.error.message}</p>;
  else if (q.data.items.length === 0) body = <p className="empty">{t.publish.listEmpty}</p>;
  else {
    body = (
      <ul className="published">
        {q.data.items.filter((i) => i.kind !== 'retraction').map((i) => (
          <li key={`${i.channel}-${i.id}`} className={i.retracted ? 'published-retracted' : ''}>
            <Chip tone={i.channel === 'stable' ? undefined : 'accent'}>{t.channelName(i.channel)}</Chip>
            <span className="published-kind">{t.publish.kinds[i.kind]}</span>
            <span className="published-title" dir="auto">{t.publish.itemTitle(i.version, i.title)}</span>
            <span className="meta">{relativeTime(i.created)}</span>
            {i.retracted ? <Chip tone="muted">{t.publish.retracted}</Chip> : (
              <button type="button" onClick={() => setRetracting(i)} aria-label={t.publish.retractLabel(label(i))}>{t.publish.retract}</button>
            )}
          </li>
        ))}
      </ul>
    );
  }
  return (
    <section className="section" aria-labelledby="published-heading">
      <h2 id="published-heading">{t.publish.list}</h2>
      {body}
      {retracting ? (
        <Dialog title={t.publish.retractTitle(label(retracting))} onCancel={() => setRetracting(null)} actions={[{ label: t.publish.retractConfirm, danger: true, onClick: () => retract(retracting) }]}>
          <p>{t.publish.retractText}</p>
        </Dialog>
      ) : null}
    </section>
  );
}
