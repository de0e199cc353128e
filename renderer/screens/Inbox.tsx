// Inbox: filters, the virtualized list and the selected post. Selecting a post shows it and marks it read.
// Dismissing says so with Undo. In a narrow window the list and the opened post take turns (with Back).
// The first screen: it paints its frame before the companion has answered (the list shows its loading
// state); the list itself (@tanstack/react-virtual) is a chunk of its own, fetched once the frame is up.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { InboxItem, InboxItemDetail } from '../../shared/ipc/types.ts';
import { api } from '../lib/api.ts';
import { useQuery } from '../lib/hooks.ts';
import { useShell } from '../lib/context.ts';
import { useInboxPages, type Filter } from '../lib/inboxPages.ts';
import { t } from '../i18n/en.ts';
import { formatDateTime } from '../i18n/format.ts';
import { Chip, Failed, Loading, Pending } from '../components/common.tsx';
import { Markdown } from '../components/Markdown.tsx';

const loadList = () => import('./InboxList.tsx');
const InboxList = lazy(() => loadList().then((m) => ({ default: m.InboxList })));

const kinds = ['release', 'news', 'note'] as const;
/** Keep in step with the single-pane rule in styles.css. */
const narrowQuery = '(max-width: 700px)';

export function Inbox({ openKey: requested }: { openKey?: string | undefined }) {
  const { info, announce } = useShell();
  useEffect(() => { loadList().catch(() => {}); }, []);
  const [filter, setFilter] = useState<Filter>({});
  const pages = useInboxPages(filter);
  const counts = useQuery(() => api().getCounts({}), ['counts', 'inbox']);
  const settings = useQuery(() => api().getSettings({}), ['settings']);
  const [active, setActive] = useState(0);
  const [openKey, setOpenKey] = useState<string | undefined>(requested);
  useEffect(() => setOpenKey(requested), [requested]);
  const total = pages.total;
  useEffect(() => {
    if (total !== undefined && active >= total) setActive(Math.max(0, total - 1));
  }, [total, active]);

  // Every channel the sources follow (News too when all its posts are read), and any that has unread posts.
  const channels = useMemo(() => {
    const followed = (settings.data?.sources ?? []).flatMap((s) => [...s.channels, s.updateChannel, s.newsChannel]);
    const set = new Set(['stable', 'experimental', ...followed.filter((c) => c !== undefined), ...Object.keys(counts.data?.byChannel ?? {})]);
    return [...set];
  }, [counts.data, settings.data]);
  const fail = useCallback(() => announce(t.actionFailed), [announce]);
  const body = useRef<HTMLDivElement>(null);
  const focusList = () => requestAnimationFrame(() => body.current?.querySelector<HTMLElement>('.inbox-list')?.focus());

  const { patch } = pages;
  const open = useCallback((item: InboxItem) => {
    setOpenKey(item.key);
    // In a narrow window the list gives way to the post: focus follows to its Back button.
    if (matchMedia(narrowQuery).matches) requestAnimationFrame(() => body.current?.querySelector<HTMLElement>('.detail .back')?.focus());
    if (!item.read) {
      patch(item.key, { read: true });
      api().setRead({ keys: [item.key], read: true }).catch(fail);
    }
  }, [patch, fail]);
  const toggleRead = (item: InboxItem) => {
    patch(item.key, { read: !item.read });
    api().setRead({ keys: [item.key], read: !item.read }).catch(fail);
  };
  const restore = (keys: string[]) => {
    api().restoreItems({ keys }).then(() => announce(t.inbox.restored), fail);
  };
  const dismiss = (item: InboxItem) => {
    if (openKey === item.key) {
      setOpenKey(undefined);
      focusList();
    }
    api().dismiss({ keys: [item.key] }).then(() => announce(t.inbox.dismissed, { action: { label: t.undo, run: () => restore([item.key]) } }), fail);
  };
  const back = () => {
    setOpenKey(undefined);
    focusList();
  };
  const markAll = () => {
    api().markAllRead(filter.channel ? { channel: filter.channel } : {}).then(() => announce(t.inbox.allRead), fail);
  };
  const unread = counts.data?.unread ?? 0;
  const filtered = filter.channel !== undefined || filter.kind !== undefined;

  return (
    <div className="screen screen-inbox">
      <header className="screen-head">
        <h1>{t.inbox.heading}</h1>
        <div className="filters">
          <label>
            {t.inbox.filterChannel}
            <select value={filter.channel ?? ''} onChange={(e) => { setActive(0); setFilter({ ...filter, channel: e.target.value || undefined }); }}>
              <option value="">{t.inbox.all}</option>
              {channels.map((c) => <option key={c} value={c}>{t.channelName(c)}</option>)}
            </select>
          </label>
          <label>
            {t.inbox.filterKind}
            <select value={filter.kind ?? ''} onChange={(e) => { setActive(0); setFilter({ ...filter, kind: (e.target.value || undefined) as Filter['kind'] }); }}>
              <option value="">{t.inbox.all}</option>
              {kinds.map((k) => <option key={k} value={k}>{t.inbox.kinds[k]}</option>)}
            </select>
          </label>
          <button type="button" onClick={markAll} disabled={unread === 0} aria-keyshortcuts="Shift+M">{t.inbox.markAllRead}</button>
        </div>
      </header>
      <div className={`inbox-body${openKey ? ' inbox-body-open' : ''}`} ref={body}>
        <div className="inbox-left">
          {pages.total === undefined ? (pages.failed ? <Failed onRetry={pages.reload} /> : <Loading slow />) : null}
          {pages.total === 0 && !filtered && !info ? <Loading slow /> : null}
          {pages.total === 0 && filtered ? <p className="empty">{t.inbox.emptyFiltered}</p> : null}
          {/* "Posts from {publisher}": the publisher is the first source's name, the product only without one. */}
          {pages.total === 0 && !filtered && info ? (
            settings.data || settings.failed ? <p className="empty">{t.inbox.empty(settings.data?.sources[0]?.name ?? info.product)}</p> : <Loading slow={settings.slow} />
          ) : null}
          {pages.total ? (
            <Suspense fallback={<Pending />}>
              <InboxList pages={pages} active={active} setActive={setActive} openKey={openKey} onOpen={open} onToggleRead={toggleRead} onDismiss={dismiss} onMarkAll={markAll} />
            </Suspense>
          ) : null}
        </div>
        <Detail itemKey={openKey} onToggleRead={toggleRead} onDismiss={dismiss} onBack={back} />
      </div>
    </div>
  );
}

function BackButton({ onBack }: { onBack: () => void }) {
  return <button type="button" className="back" onClick={onBack}><span aria-hidden="true">← </span>{t.inbox.back}</button>;
}

function Detail({ itemKey, onToggleRead, onDismiss, onBack }: { itemKey: string | undefined; onToggleRead: (i: InboxItem) => void; onDismiss: (i: InboxItem) => void; onBack: () => void }) {
  const q = useQuery(() => (itemKey ? api().getItem({ key: itemKey }) : Promise.resolve(null)), ['inbox'], [itemKey]);
  const item = q.data;
  const hint = !itemKey || (item === null && !q.failed);
  let content;
  if (hint) content = <p>{t.inbox.selectHint}</p>;
  else if (q.failed) content = <Failed onRetry={q.reload} />;
  else if (!item || item.key !== itemKey) content = <Loading slow={q.slow} />;
  else content = <Post item={item} onToggleRead={onToggleRead} onDismiss={onDismiss} />;
  // One stable container, so Back keeps focus while the post loads (narrow windows only show it).
  return (
    <div className={`detail${hint ? ' detail-empty' : ''}`}>
      {itemKey ? <BackButton onBack={onBack} /> : null}
      {content}
    </div>
  );
}

function Post({ item, onToggleRead, onDismiss }: { item: InboxItemDetail; onToggleRead: (i: InboxItem) => void; onDismiss: (i: InboxItem) => void }) {
  const { navigate } = useShell();
  return (
    <article aria-labelledby="detail-title">
      <header>
        <p className="meta">
          <Chip tone={item.channel === 'stable' ? undefined : 'accent'}>{t.channelName(item.channel)}</Chip>
          {t.inbox.kindOne[item.kind] !== t.channelName(item.channel) ? <span>{t.inbox.kindOne[item.kind]}</span> : null}
          <time dateTime={new Date(item.created * 1000).toISOString()}>{formatDateTime(item.created)}</time>
        </p>
        <h2 id="detail-title" dir="auto">{item.title}</h2>
      </header>
      {!item.trusted ? <p className="warn" role="note">{t.inbox.untrusted}</p> : null}
      <Markdown source={item.body} />
      <div className="actions">
        {item.kind === 'release' && item.trusted ? <button type="button" className="primary" onClick={() => navigate('updates')}>{t.inbox.openUpdate}</button> : null}
        <span className="spacer" />
        <button type="button" onClick={() => onToggleRead(item)}>{item.read ? t.inbox.markUnread : t.inbox.markRead}</button>
        <button type="button" onClick={() => onDismiss(item)}>{t.inbox.dismiss}</button>
      </div>
    </article>
  );
}
