// Inbox handlers: pages from SQL, reading, dismissing (undoable) and clearing. The companion emits 'unread'
// after every change, and that one event tells the UI (handlers never announce a change twice).
import type { InboxItem as CoreItem } from '../api.ts';
import type { InvokeHandlers } from '../../../shared/ipc/contract.ts';
import type { Counts, InboxItemDetail } from '../../../shared/ipc/types.ts';
import { plainExcerpt } from '../../../shared/text/excerpt.ts';
import { rowKeys, type Ctx } from './context.ts';

type InboxHandlers = Pick<InvokeHandlers, 'listInbox' | 'getItem' | 'setRead' | 'markAllRead' | 'dismiss' | 'restoreItems' | 'listDismissed' | 'getCounts' | 'clearHistory'>;

export function bodyOf(item: CoreItem): string {
  const r = (item.record ?? {}) as { body?: unknown; content?: unknown };
  return typeof r.body === 'string' ? r.body : typeof r.content === 'string' ? r.content : '';
}

export function toItem(i: CoreItem): InboxItemDetail {
  const body = bodyOf(i);
  const out: InboxItemDetail = {
    key: String(i.key), sourceId: i.sourceId, messageId: i.id, channel: i.channel, kind: i.kind === 'retraction' ? 'news' : i.kind,
    title: i.title, excerpt: plainExcerpt(body), created: i.created, read: i.read, trusted: i.trusted, body,
  };
  if (i.version) out.version = i.version;
  if (i.critical) out.critical = true;
  if (i.link) out.link = i.link;
  return out;
}

export function counts(ctx: Ctx): Counts {
  const c = ctx.companion.unreadCounts();
  return { unread: c.total, byChannel: c.byChannel };
}

/** Every visible item of a filter, newest first, in keyset pages (for commands, never per render). */
export function everyItem(ctx: Ctx, q: { channel?: string; kind?: CoreItem['kind'] } = {}): CoreItem[] {
  const out: CoreItem[] = [];
  for (;;) {
    const last = out[out.length - 1];
    const page = ctx.companion.listMessages({ ...q, limit: 500, ...(last ? { before: { created: last.created, key: last.key } } : {}) });
    out.push(...page);
    if (page.length < 500) return out;
  }
}

export function inboxHandlers(ctx: Ctx): InboxHandlers {
  const { companion } = ctx;
  return {
    listInbox: async ({ channel, kind, offset, limit }) => {
      const q = { ...(channel ? { channel } : {}), ...(kind ? { kind } : {}) };
      const items = companion.listMessages({ ...q, offset, limit });
      return { items: items.map((i) => { const { body: _b, ...row } = toItem(i); return row; }), total: companion.countMessages(q) };
    },
    getItem: async ({ key }) => {
      const item = /^\d+$/.test(key) ? companion.message(Number(key)) : null;
      return item && item.kind !== 'retraction' ? toItem(item) : null;
    },
    setRead: async ({ keys, read }) => {
      companion.markRead(rowKeys(keys), read);
      return counts(ctx);
    },
    markAllRead: async ({ channel }) => {
      companion.markRead(channel ? everyItem(ctx, { channel }).filter((i) => !i.read).map((i) => i.key) : 'all');
      return counts(ctx);
    },
    dismiss: async ({ keys }) => {
      companion.dismiss(rowKeys(keys));
      return counts(ctx);
    },
    restoreItems: async ({ keys }) => {
      companion.restore(rowKeys(keys));
      return counts(ctx);
    },
    listDismissed: async () => ({
      items: companion.dismissed().map((d) => ({ key: String(d.key), title: d.title, channel: d.channel, dismissedAt: d.dismissedAt })),
    }),
    getCounts: async () => counts(ctx),
    clearHistory: async () => {
      companion.markRead('all');
      companion.dismiss(everyItem(ctx).map((i) => i.key));
      return counts(ctx);
    },
  };
}
