// Feed v1 source: one conditional GET /v1/heads per check, then pages only for channels whose head passed
// the cursor, until `more` is false. Everything is validated before one store transaction applies it.
import { z } from 'zod';
import { heads as headsSchema, schemas } from '../../../shared/protocol/schemas.ts';
import { MAX_PAGE_LIMIT } from '../../../shared/protocol/limits.ts';
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import { request, type Limits } from '../net/http.ts';
import type { Store } from '../store/store.ts';
import type { CursorUpdate } from '../store/apply.ts';
import type { IncomingMessage } from '../types.ts';
import { CheckError, failForStatus, jsonBody, maxAgeOf, type CheckOutcome } from './common.ts';
import { fromV1Record } from './records.ts';

export interface FeedV1Options {
  id: string;
  /** Base URL of the feed service, e.g. https://feed.example.com */
  url: string;
  token?: string;
  allowLoopbackHttp: boolean;
  limits?: Partial<Limits>;
}

const pageEnvelope = z.object({
  channel: z.string(),
  messages: z.array(z.unknown()),
  next: z.int().min(0),
  head: z.int().min(0),
  more: z.boolean(),
});

const MAX_PAGES_PER_CHECK = 1000;

export class FeedV1Source {
  readonly kind = 'feed-v1';
  readonly id: string;
  readonly url: string;
  private readonly opts: FeedV1Options;

  constructor(opts: FeedV1Options) {
    this.opts = opts;
    this.id = opts.id;
    this.url = opts.url.replace(/\/+$/, '');
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.opts.token) h.authorization = `Bearer ${this.opts.token}`;
    return h;
  }

  private get(path: string, headers: Record<string, string>, signal?: AbortSignal, keepAlive = false) {
    return request({ url: this.url + path, headers: this.headers(headers), allowLoopbackHttp: this.opts.allowLoopbackHttp, limits: this.opts.limits, redirects: 'same-host', signal, keepAlive });
  }

  async check(store: Store, channels: readonly string[], keys: KeyRing, nowMs: number, signal?: AbortSignal): Promise<CheckOutcome> {
    const state = store.source(this.id);
    // A channel we have never synced (just subscribed, e.g. experimental) needs the full heads: a 304 would
    // only say "nothing moved since the last check", which never covered that channel.
    const unsynced = channels.some((c) => store.cursor(this.id, c) === null);
    const etag = unsynced ? null : state?.headsEtag ?? null;
    const res = await this.get('/v1/heads', etag ? { 'if-none-match': etag } : {}, signal);
    const maxAgeSec = maxAgeOf(res);
    const base = { ok: true, status: res.status, retryAfterSec: null, maxAgeSec, authFailed: false };
    if (res.status === 304) {
      if (!etag) throw new CheckError('heads: 304 Not Modified to a request without If-None-Match', { status: 304 });
      return { ...base, changed: false, detail: 'not modified', result: null };
    }
    if (res.status !== 200) failForStatus(res, nowMs, 'heads');
    const parsed = headsSchema.safeParse(jsonBody(res, 'heads'));
    if (!parsed.success) throw new CheckError('heads: the answer does not match the feed v1 schema', { status: 200 });
    const newEtag = typeof res.headers.etag === 'string' ? res.headers.etag : null;

    const messages: IncomingMessage[] = [];
    const cursors: CursorUpdate[] = [];
    const quiet = new Set<string>();
    const dropped: string[] = [];
    for (const channel of channels) {
      const head = parsed.data.heads[channel] ?? 0;
      const cur = store.cursor(this.id, channel);
      const from = cur?.cursor ?? 0;
      if (head === from) {
        // Record that an empty (or not yet existing) channel was seen, so later checks can be conditional again.
        if (!cur) cursors.push({ channel, cursor: 0 });
        continue;
      }
      // First sync, or a re-sync after a restore: store quietly (no toast flood of old or pruned news).
      if (!cur || head < from) quiet.add(channel);
      // A head below our cursor: the feed was restored from a backup. Re-sync from 0, de-duplicated by id.
      const pulled = await this.pull(channel, head < from ? 0 : from, from, keys, signal);
      messages.push(...pulled.messages);
      dropped.push(...pulled.dropped);
      cursors.push({ channel, cursor: pulled.cursor });
    }
    const result = store.apply(this.id, { messages, cursors, headsEtag: newEtag, quietChannels: quiet, now: Math.floor(nowMs / 1000) });
    for (const d of dropped) store.log(this.id, Math.floor(nowMs / 1000), false, `dropped ${d}`);
    const changed = result.inserted.length > 0 || result.retracted > 0;
    return { ...base, changed, detail: `${result.inserted.length} new, ${result.retracted} retracted${dropped.length ? `, ${dropped.length} dropped` : ''}`, result };
  }

  /** Pages of one channel after `after`; restarts once from 0 if a page's head is below the stored cursor. */
  private async pull(channel: string, after: number, stored: number, keys: KeyRing, signal?: AbortSignal) {
    const recordSchema = schemas({ allowLoopbackHttp: this.opts.allowLoopbackHttp }).stored;
    const messages: IncomingMessage[] = [];
    const dropped: string[] = [];
    let cursor = after;
    let resynced = after === 0 && stored > 0;
    for (let page = 0; page < MAX_PAGES_PER_CHECK; page++) {
      const path = `/v1/channels/${encodeURIComponent(channel)}/messages?after=${cursor}&limit=${MAX_PAGE_LIMIT}`;
      const res = await this.get(path, {}, signal, true);
      if (res.status !== 200) failForStatus(res, Date.now(), `channel ${channel}`);
      const env = pageEnvelope.safeParse(jsonBody(res, `channel ${channel}`));
      if (!env.success || env.data.channel !== channel) throw new CheckError(`channel ${channel}: the page does not match the feed v1 schema`, { status: 200 });
      const p = env.data;
      if (p.head < stored && !resynced) {
        resynced = true;
        messages.length = 0;
        cursor = 0;
        page = -1;
        continue;
      }
      const pageAfter = cursor;
      let highest = cursor;
      for (const raw of p.messages) {
        const r = recordSchema.safeParse(raw);
        if (!r.success) {
          dropped.push(`a record in ${channel}: does not match the schema`);
          continue;
        }
        const m = r.data;
        if (m.channel !== channel || m.seq <= pageAfter) throw new CheckError(`channel ${channel}: record ${m.id} is below the cursor or from another channel`);
        highest = Math.max(highest, m.seq);
        const c = await fromV1Record(m, keys, m.created, m.seq);
        if (c.ok) messages.push(c.message);
        else dropped.push(c.reason);
      }
      // The new cursor is the highest seq over the whole page (or `next`, which also covers skipped retracted ones).
      const next = Math.max(p.next, highest);
      if (p.more && next <= pageAfter) throw new CheckError(`channel ${channel}: the page did not advance`);
      cursor = next;
      if (!p.more) return { messages, dropped, cursor };
    }
    throw new CheckError(`channel ${channel}: more than ${MAX_PAGES_PER_CHECK} pages in one check`);
  }
}
