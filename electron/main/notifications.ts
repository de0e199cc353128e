// OS notifications (ux.md "Tray and notifications"; reliability.md P19, cases 21 and 39). One per new
// release (critical ones always, even in quiet hours or paused), news coalesced into one "3 new posts",
// each item at most once across restarts (a persisted shown-set, marked *before* showing, on top of the
// core's own notified flag), text only and truncated, and a click opens our window at the item: never a URL.
import type { ElectronApi, NotificationLike } from './electron-api.ts';
import type { ToastItem } from './bridge.ts';
import type { NavigateTarget } from './window.ts';
import type { StoredSettings } from './settings.ts';
import { en } from './strings.ts';

export interface NotifierDeps {
  product: () => string;
  settings: {
    get<K extends keyof StoredSettings>(k: K): StoredSettings[K];
    wasShown(key: string): boolean;
    markShown(keys: string[]): void;
  };
  open(target: NavigateTarget): void;
  now(): number;
  log(msg: string): void;
}

export interface Toast { title: string; body: string; target: NavigateTarget; keys: string[] }

/** Plain one-line text: control characters become spaces (a body is never markup or a second line). */
export function plain(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Local-time quiet hours; a window like 22:00–08:00 wraps past midnight. */
export function inQuietHours(now: number, q: StoredSettings['quietHours']): boolean {
  if (!q.enabled) return false;
  const d = new Date(now);
  const m = d.getHours() * 60 + d.getMinutes();
  const start = minutes(q.start);
  const end = minutes(q.end);
  if (start === end) return false;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** Pure: which toasts to show for these new items under these settings. */
export function planToasts(items: ToastItem[], s: Pick<StoredSettings, 'notifyUpdates' | 'notifyNews' | 'quietHours' | 'pausedUntil'>, now: number, product: string): Toast[] {
  const hushed = (s.pausedUntil !== null && s.pausedUntil > now) || inQuietHours(now, s.quietHours);
  const out: Toast[] = [];
  for (const r of items.filter((i) => i.kind === 'release')) {
    if (!r.critical && (!s.notifyUpdates || hushed)) continue;
    out.push({
      title: plain(en.toast.releaseTitle(product, r.version ?? '', r.critical === true), 64),
      body: plain(en.toast.releaseBody(r.title), 120),
      target: { screen: 'updates', itemKey: r.key },
      keys: [r.key],
    });
  }
  const news = items.filter((i) => i.kind !== 'release');
  if (news.length > 0 && s.notifyNews && !hushed) {
    if (news.length === 1) {
      const n = news[0]!;
      out.push({ title: plain(n.title, 64), body: plain(n.excerpt, 120), target: { screen: 'inbox', itemKey: n.key }, keys: [n.key] });
    } else {
      const sources = new Set(news.map((n) => n.sourceName).filter(Boolean));
      const from = sources.size === 1 ? [...sources][0]! : null;
      const [a, b] = news;
      const body = en.toast.postsBody(a!.title, b!.title, news.length - 2);
      out.push({ title: plain(en.toast.postsTitle(news.length, from), 64), body: plain(body, 120), target: { screen: 'inbox' }, keys: news.map((n) => n.key) });
    }
  }
  return out;
}

export type Notifier = ReturnType<typeof createNotifier>;

export function createNotifier(api: Pick<ElectronApi, 'Notification'>, deps: NotifierDeps) {
  // Electron may garbage-collect a notification object and then drop its click; keep them until closed.
  const live = new Set<NotificationLike>();

  function show(t: Toast): void {
    const n = new api.Notification({ title: t.title, body: t.body, silent: false });
    live.add(n);
    n.on('click', () => {
      live.delete(n);
      deps.open(t.target);
    });
    n.on('close', () => live.delete(n));
    // A rejected toast (Windows toast XML, no notification daemon…) is logged; it never stops anything.
    n.on('failed', (_e, error) => {
      live.delete(n);
      deps.log(`notification failed: ${String(error).slice(0, 300)}`);
    });
    n.show();
  }

  return {
    /** Handles a batch of due items; returns what was shown (for logs and tests). */
    notify(items: ToastItem[]): Toast[] {
      const fresh = items.filter((i, idx) => !deps.settings.wasShown(i.key) && items.findIndex((j) => j.key === i.key) === idx);
      if (fresh.length === 0) return [];
      // Marked before showing: a crash in between loses a toast, it never repeats one (at-most-once).
      deps.settings.markShown(fresh.map((i) => i.key));
      const s = deps.settings;
      const plan = planToasts(fresh, {
        notifyUpdates: s.get('notifyUpdates'), notifyNews: s.get('notifyNews'), quietHours: s.get('quietHours'), pausedUntil: s.get('pausedUntil'),
      }, deps.now(), deps.product());
      if (plan.length > 0 && !api.Notification.isSupported()) {
        deps.log('notifications are not supported on this system; the tray and inbox still show the items');
        return [];
      }
      for (const t of plan) {
        try {
          show(t);
        } catch (e) {
          deps.log(`notification failed: ${String(e)}`);
        }
      }
      return plan;
    },
    liveCount: () => live.size,
  };
}
