// The window: a sidebar (Inbox · Updates · Settings · Status · Publish) and the main pane. Keeps the window
// title in step with the unread count and announces status changes through a polite live region.
// The shell paints at once, without waiting for the companion (performance.md row 9): the Inbox's frame
// shows its own loading state; the screens that need the app info wait for it, and Publish appears in
// the sidebar once the info says a publisher is configured. Only the Inbox is in the first chunk; the
// other screens load when first shown.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Screen, Topic } from '../shared/ipc/types.ts';
import { api, hasApi, on } from './lib/api.ts';
import { useQuery } from './lib/hooks.ts';
import { Ctx, type ShellContext } from './lib/context.ts';
import { t } from './i18n/en.ts';
import { Failed, Loading, Pending } from './components/common.tsx';
import { NoticeBar, type NoticeItem, type NoticeOptions } from './components/Notice.tsx';
import { Inbox } from './screens/Inbox.tsx';

const Updates = lazy(() => import('./screens/Updates.tsx').then((m) => ({ default: m.Updates })));
const Settings = lazy(() => import('./screens/Settings.tsx').then((m) => ({ default: m.Settings })));
const Status = lazy(() => import('./screens/Status.tsx').then((m) => ({ default: m.Status })));
const Publish = lazy(() => import('./screens/Publish.tsx').then((m) => ({ default: m.Publish })));

const screens: Screen[] = ['inbox', 'updates', 'settings', 'status', 'publish'];

function initialScreen(): Screen {
  const wanted = new URLSearchParams(location.search).get('screen');
  return screens.find((s) => s === wanted) ?? 'inbox';
}

export function App() {
  if (!hasApi()) return <main className="state state-error" role="alert"><p>{t.noBridge}</p></main>;
  return <Shell />;
}

function Shell() {
  const info = useQuery(() => api().getAppInfo({}), ['settings', 'publisher']);
  const counts = useQuery(() => api().getCounts({}), ['counts', 'inbox']);
  const update = useQuery(() => api().getUpdate({}), ['update']);
  const status = useQuery(() => api().getStatus({}), ['status']);
  const [screen, setScreen] = useState<Screen>(initialScreen);
  const [itemKey, setItemKey] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<NoticeItem | null>(null);
  const noticeId = useRef(0);
  /** When each topic last changed (performance.now()): a notice about something already over isn't shown. */
  const lastChange = useRef(new Map<Topic, number>());
  const mainRef = useRef<HTMLElement>(null);

  const announce = useCallback((text: string, opts: NoticeOptions = {}) => {
    const next = { ...opts, id: ++noticeId.current, message: text };
    const at = performance.now();
    setNotice(null);
    // A fresh text node makes screen readers repeat an identical message.
    requestAnimationFrame(() => {
      if (next.endsOn && (lastChange.current.get(next.endsOn) ?? -1) >= at) return;
      setNotice((now) => (now === null || now.id < next.id ? next : now));
    });
  }, []);
  const closeNotice = useCallback(() => setNotice(null), []);
  const navigate = useCallback((next: Screen, key?: string) => {
    setScreen(next);
    setItemKey(key);
  }, []);
  useEffect(() => on('navigate', (p) => navigate(p.screen, p.itemKey)), [navigate]);
  useEffect(() => on('notice', (p) => announce(p.message, { level: p.level })), [announce]);
  // A notice about something under way (a check) goes when the companion says it changed.
  useEffect(() => on('changed', ({ topics }) => {
    const now = performance.now();
    topics.forEach((topic) => lastChange.current.set(topic, now));
    setNotice((n) => (n?.endsOn && topics.includes(n.endsOn) ? null : n));
  }), []);

  const unread = counts.data?.unread ?? 0;
  useEffect(() => {
    document.title = t.windowTitle(unread);
  }, [unread]);

  const online = status.data?.online ?? true;
  const ctx = useMemo<ShellContext>(() => ({ info: info.data, announce, navigate, online }), [info.data, announce, navigate, online]);
  const known = info.data;
  // Until the info is known, the sidebar lists what every install has (Publish joins it if configured),
  // and the screen asked for stays selected rather than falling back to the Inbox.
  const visible = screens.filter((s) => s !== 'publish' || known?.publisher === true);
  const current = !known || visible.includes(screen) ? screen : 'inbox';
  const view = update.data?.view;
  // Something to act on in Updates: an offer, a download under way or done, or one that failed verification.
  const updateBadge = view && ['available', 'downloading', 'verified', 'verify-failed', 'installing', 'install-failed'].includes(view.state);
  const withInfo = (node: ReactNode) => (known ? node : <div className="boot"><Loading slow={info.slow} /></div>);
  const content = info.failed && !known ? <div className="boot"><Failed onRetry={info.reload} /></div> : (
    <Suspense fallback={<div className="boot"><Pending /></div>}>
      {current === 'inbox' ? <Inbox openKey={itemKey} /> : null}
      {current === 'updates' ? withInfo(<Updates />) : null}
      {current === 'settings' ? withInfo(<Settings />) : null}
      {current === 'status' ? withInfo(<Status />) : null}
      {current === 'publish' ? withInfo(<Publish />) : null}
    </Suspense>
  );

  return (
    <Ctx.Provider value={ctx}>
      <div className="app">
        <nav className="sidebar" aria-label={t.nav.label}>
          <div className="brand" aria-hidden="true">{t.appName}</div>
          <ul>
            {visible.map((s) => (
              <li key={s}>
                <button
                  type="button"
                  className="nav-item"
                  aria-current={current === s ? 'page' : undefined}
                  onClick={() => { navigate(s); mainRef.current?.focus(); }}
                >
                  <span>{t.nav[s]}</span>
                  {s === 'inbox' && unread > 0 ? <span className="badge" aria-label={t.unreadBadge(unread)}>{unread}</span> : null}
                  {s === 'updates' && updateBadge ? <span className="badge badge-dot" role="img" aria-label={t.updateBadge} /> : null}
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <main className="main" ref={mainRef} tabIndex={-1} aria-label={t.nav[current]}>
          {!online && current !== 'status' ? <p className="banner banner-offline" role="status">{t.offline}</p> : null}
          <div className="content">{content}</div>
          <NoticeBar notice={notice} onClose={closeNotice} />
        </main>
      </div>
    </Ctx.Provider>
  );
}
