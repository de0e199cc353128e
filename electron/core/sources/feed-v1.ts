// Feed v1 source: one conditional GET /v1/heads per check, then pages only for channels whose head passed
// the cursor, until `more` is false. Everything is validated before one store transaction applies it.
// A URL ending in /index.json is a static export of a feed (static-feed.ts): same checks, no SSE.
import { z } from 'zod';
import { heads as headsSchema } from '../../../shared/protocol/schemas.ts';
import { MAX_PAGE_LIMIT } from '../../../shared/protocol/limits.ts';
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import { DEFAULT_LIMITS, HttpFailure, request, type Limits } from '../net/http.ts';
import type { Store } from '../store/store.ts';
import type { Clock, IncomingMessage } from '../types.ts';
import { CheckError, failForStatus, jsonBody, maxAgeOf, serverDate, type CheckOutcome } from './common.ts';
import { syncChannels, syncedOutcome, verifyPage, type Pulled } from './feed-sync.ts';
import { StaticFeed, isStaticFeedUrl } from './static-feed.ts';
import { feedBase, feedV1Url } from './feed-url.ts';
import { FollowingKeyRing } from '../trust.ts';
import { KEYS_HEADER } from '../../../shared/protocol/rotation.ts';

export interface FeedV1Options {
  id: string;
  /** Base URL of the feed service, e.g. https://feed.example.com (a trailing /v1 or slash is fine), or a static export's …/v1/index.json */
  url: string;
  token?: string;
  allowLoopbackHttp: boolean;
  limits?: Partial<Limits>;
  /** Request deadlines run on it (the companion's clock). */
  clock?: Clock;
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
  /** Set when the URL names a static export's index.json. */
  private readonly staticFeed: StaticFeed | null;
  /** The service's `/v1/`, made once rather than parsed again for every request (performance.md, row 8). */
  private readonly v1: string;

  constructor(opts: FeedV1Options) {
    this.opts = opts;
    this.id = opts.id;
    this.staticFeed = isStaticFeedUrl(opts.url) ? new StaticFeed(opts) : null;
    this.url = feedBase(opts.url);
    this.v1 = feedV1Url(this.url, '');
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', ...extra };
    if (this.opts.token) h.authorization = `Bearer ${this.opts.token}`;
    return h;
  }

  private get maxBytes(): number {
    return this.opts.limits?.maxBytes ?? DEFAULT_LIMITS.maxBytes;
  }

  /** `path` is below the service's /v1/, e.g. 'heads'. */
  private get(path: string, headers: Record<string, string>, signal?: AbortSignal, keepAlive = false) {
    return request({ url: `${this.v1}${path.replace(/^\/+/, '')}`, headers: this.headers(headers), allowLoopbackHttp: this.opts.allowLoopbackHttp, limits: this.opts.limits, redirects: 'same-host', signal, keepAlive, clock: this.opts.clock });
  }

  async check(store: Store, channels: readonly string[], keys: KeyRing, nowMs: number, signal?: AbortSignal): Promise<CheckOutcome> {
    if (this.staticFeed) return this.staticFeed.check(store, channels, keys, nowMs, signal);
    // A channel we have never synced (just subscribed, e.g. experimental) needs the full heads: a 304 would
    // only say "nothing moved since the last check", which never covered that channel.
    const etag = store.routineEtag(this.id, channels);
    const res = await this.get('heads', etag ? { 'if-none-match': etag } : {}, signal);
    const maxAgeSec = maxAgeOf(res);
    const base = { ok: true, status: res.status, retryAfterSec: null, maxAgeSec, authFailed: false };
    if (res.status === 304) {
      if (!etag) throw new CheckError('heads: 304 Not Modified to a request without If-None-Match', { status: 304 });
      return { ...base, changed: false, detail: 'not modified', result: null };
    }
    if (res.status !== 200) failForStatus(res, nowMs, 'heads');
    const parsed = headsSchema.safeParse(jsonBody(res, 'heads'));
    if (!parsed.success) throw new CheckError('heads: the answer does not match the feed v1 schema', { status: 200 });
    const headsEtag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
    // Holds (issue 15): the versions whose rollout the publisher halted, per followed channel. Every 200 replaces
    // them (absent: nothing held); a 304 keeps them, as the ETag changes whenever they change.
    const holds = parsed.data.holds ?? {};
    store.setHolds(this.id, Object.fromEntries(channels.filter((c) => holds[c]).map((c) => [c, holds[c]!])));
    // A newer key rotation advertised: follow it before verifying anything (docs/key-rotation.md).
    if (keys instanceof FollowingKeyRing) await keys.advertised(res.headers[KEYS_HEADER]);
    const synced = await syncChannels(store, { sourceId: this.id, channels, heads: parsed.data.heads, headsEtag, nowMs, serverNow: serverDate(res) },
      (channel, from, stored) => this.pull(channel, from, stored, keys, nowMs, signal));
    return syncedOutcome(base, synced);
  }

  /** Pages of one channel after `after`; restarts once from 0 if a page's head is below the stored cursor. */
  private async pull(channel: string, after: number, stored: number, keys: KeyRing, nowMs: number, signal?: AbortSignal): Promise<Pulled> {
    const messages: IncomingMessage[] = [];
    const dropped: string[] = [];
    const notes: string[] = [];
    let cursor = after;
    let resynced = after === 0 && stored > 0;
    let limit = MAX_PAGE_LIMIT;
    for (let page = 0; page < MAX_PAGES_PER_CHECK; page++) {
      const path = `channels/${encodeURIComponent(channel)}/messages?after=${cursor}&limit=${limit}`;
      let res;
      try {
        res = await this.get(path, {}, signal, true);
      } catch (e) {
        // A page over our byte cap (a feed whose page budget disagrees with the cap, or none) must not stall the
        // channel: ask again from the same cursor for half as many messages (reliability.md P4, case 56).
        if (!(e instanceof HttpFailure && e.kind === 'too-large') || limit === 1) throw e;
        limit = Math.max(1, Math.floor(limit / 2));
        page--;
        continue;
      }
      if (limit < MAX_PAGE_LIMIT && notes.length === 0) notes.push(`channel ${channel}: a page was over the ${this.maxBytes}-byte cap; asked for ${limit} per page instead`);
      if (res.status !== 200) failForStatus(res, nowMs, `channel ${channel}`);
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
      const v = await verifyPage(channel, p.messages, { after: pageAfter, keepAbove: pageAfter, keys, allowLoopbackHttp: this.opts.allowLoopbackHttp });
      messages.push(...v.messages);
      dropped.push(...v.dropped);
      // The new cursor is the highest seq over the whole page (or `next`, which also covers skipped retracted ones).
      const next = Math.max(p.next, v.highest);
      if (p.more && next <= pageAfter) throw new CheckError(`channel ${channel}: the page did not advance`);
      cursor = next;
      if (!p.more) return { messages, dropped, cursor, notes };
    }
    throw new CheckError(`channel ${channel}: more than ${MAX_PAGES_PER_CHECK} pages in one check`);
  }
}
