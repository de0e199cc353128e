// Static feed: a feed exported with `tidings export` (server/export.ts) and served by any static host or CDN.
// Selected by a feed URL whose path ends in /index.json. One conditional GET of index.json per check (a 304
// is a success with no change), then only the pages whose `next` passed the cursor. Pages are immutable
// (content-addressed names), so they are fetched without revalidation. Records go through the same
// verification and the same store transaction as the live feed (feed-sync.ts). A static feed has no SSE.
//
// Accepted content types: static hosts label .json files inconsistently (S3 uploads default to
// application/octet-stream or binary/octet-stream, some hosts say text/plain), so besides application/json
// those three are accepted too. Anything else (a captive portal's text/html) is refused. The body must still
// be strict UTF-8 JSON of the exact shape, and every record is signature-checked as usual.
import { z } from 'zod';
import { CHANNEL_PATTERN, MAX_PAGE_LIMIT } from '../../../shared/protocol/limits.ts';
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import { request, type HttpResponse, type Limits } from '../net/http.ts';
import type { Store } from '../store/store.ts';
import type { Clock, IncomingMessage } from '../types.ts';
import { CheckError, failForStatus, jsonBody, maxAgeOf, serverDate, type CheckOutcome } from './common.ts';
import { syncChannels, syncedOutcome, verifyPage, type Pulled } from './feed-sync.ts';

export const STATIC_TYPES = /^(application\/json|application\/octet-stream|binary\/octet-stream|text\/plain)\s*(;|$)/i;
/** The index lists every page of every channel (about 80 bytes each): 4 MiB is ~50,000 pages. */
export const STATIC_INDEX_MAX_BYTES = 4 * 1024 * 1024;
/** Exported pages are not size-capped like live ones (100 messages of any size): 8 MiB. */
export const STATIC_PAGE_MAX_BYTES = 8 * 1024 * 1024;
const MAX_PAGES_PER_CHECK = 1000;
/** The exporter's page names: pages/<channel>/<after>-<next>.<12 hex of sha256>.json */
const PAGE_FILE = /^pages\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/(0|[1-9]\d{0,15})-([1-9]\d{0,15})\.[0-9a-f]{12}\.json$/;

/** A static feed is named by the URL of its index: https://host/any/path/v1/index.json */
export function isStaticFeedUrl(url: string): boolean {
  try {
    return new URL(url).pathname.endsWith('/index.json');
  } catch {
    return false;
  }
}

const pageRef = z.object({ after: z.int().min(0), next: z.int().min(1), count: z.int().min(0).max(MAX_PAGE_LIMIT), file: z.string().max(200) });
const staticIndex = z.object({
  version: z.literal(1),
  epoch: z.string().min(1).max(128),
  heads: z.record(z.string().regex(CHANNEL_PATTERN), z.int().min(0)),
  channels: z.array(z.object({ name: z.string().regex(CHANNEL_PATTERN), head: z.int().min(0), pages: z.array(pageRef) })),
});
type StaticIndex = z.infer<typeof staticIndex>;
type PageRef = z.infer<typeof pageRef>;

const pageEnvelope = z.object({ channel: z.string(), messages: z.array(z.unknown()), next: z.int().min(0), head: z.int().min(0), more: z.literal(false) });

export interface StaticFeedOptions {
  id: string;
  url: string;
  token?: string;
  allowLoopbackHttp: boolean;
  limits?: Partial<Limits>;
  /** Request deadlines run on it (the companion's clock). */
  clock?: Clock;
}

export class StaticFeed {
  private readonly opts: StaticFeedOptions;
  private readonly index: URL;
  /** Pages must resolve below the folder of index.json, on the same origin. */
  private readonly base: URL;

  constructor(opts: StaticFeedOptions) {
    this.opts = opts;
    this.index = new URL(opts.url);
    this.base = new URL('./', this.index);
  }

  private get(url: string, headers: Record<string, string>, maxBytes: number, signal?: AbortSignal, keepAlive = false): Promise<HttpResponse> {
    const h: Record<string, string> = { accept: 'application/json', ...headers };
    if (this.opts.token) h.authorization = `Bearer ${this.opts.token}`;
    const limits = { maxBytes, ...this.opts.limits };
    return request({ url, headers: h, allowLoopbackHttp: this.opts.allowLoopbackHttp, limits, redirects: 'same-host', signal, keepAlive, clock: this.opts.clock });
  }

  async check(store: Store, channels: readonly string[], keys: KeyRing, nowMs: number, signal?: AbortSignal): Promise<CheckOutcome> {
    const etag = store.routineEtag(this.opts.id, channels);
    const res = await this.get(this.index.href, etag ? { 'if-none-match': etag } : {}, STATIC_INDEX_MAX_BYTES, signal);
    const base = { ok: true, status: res.status, retryAfterSec: null, maxAgeSec: maxAgeOf(res), authFailed: false };
    if (res.status === 304) {
      if (!etag) throw new CheckError('index.json: 304 Not Modified to a request without If-None-Match', { status: 304 });
      return { ...base, changed: false, detail: 'not modified', result: null };
    }
    if (res.status !== 200) failForStatus(res, nowMs, 'index.json');
    const parsed = staticIndex.safeParse(jsonBody(res, 'index.json', STATIC_TYPES));
    if (!parsed.success) throw new CheckError('index.json: does not match the static feed v1 format', { status: 200 });
    const index = parsed.data;
    // Every followed channel's page list is checked before anything is fetched: a bad index stores nothing.
    const plans = new Map<string, PageRef[]>();
    const heads: Record<string, number> = {};
    for (const channel of channels) {
      const refs = this.pagesOf(index, channel);
      plans.set(channel, refs);
      heads[channel] = refs.at(-1)?.next ?? 0;
    }
    const headsEtag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
    const synced = await syncChannels(store, { sourceId: this.opts.id, channels, heads, epoch: index.epoch, headsEtag, nowMs, serverNow: serverDate(res) },
      (channel, from) => this.pull(channel, plans.get(channel) ?? [], from, keys, nowMs, signal));
    return syncedOutcome(base, synced);
  }

  /** The validated page list of one channel: contiguous from 0 to its head, each name in the exporter's pattern. */
  private pagesOf(index: StaticIndex, channel: string): PageRef[] {
    const entries = index.channels.filter((c) => c.name === channel);
    const head = index.heads[channel];
    if (entries.length === 0) {
      if (head !== undefined && head > 0) throw new CheckError(`index.json: channel ${channel} has a head but no pages`);
      return [];
    }
    if (entries.length > 1) throw new CheckError(`index.json: channel ${channel} is listed twice`);
    const entry = entries[0]!;
    let at = 0;
    for (const ref of entry.pages) {
      const m = PAGE_FILE.exec(ref.file);
      if (!m || m[1] !== channel || Number(m[2]) !== ref.after || Number(m[3]) !== ref.next || ref.after !== at || ref.next <= ref.after) {
        throw new CheckError(`index.json: refusing page "${ref.file.slice(0, 100)}" of ${channel} (not a page name of this feed)`);
      }
      at = ref.next;
    }
    // An export racing a publish may list pages slightly past the head it read first; never below it.
    if (at < entry.head || head !== entry.head) throw new CheckError(`index.json: the pages of ${channel} do not reach its head`);
    return entry.pages;
  }

  private pageUrl(file: string): string {
    const url = new URL(file, this.base);
    if (url.origin !== this.base.origin || !url.pathname.startsWith(this.base.pathname)) {
      throw new CheckError(`index.json: page ${file.slice(0, 100)} is outside the feed`);
    }
    return url.href;
  }

  /** Fetches the pages whose `next` passed `from` and keeps only records above it. */
  private async pull(channel: string, refs: PageRef[], from: number, keys: KeyRing, nowMs: number, signal?: AbortSignal): Promise<Pulled> {
    const needed = refs.filter((r) => r.next > from);
    if (needed.length > MAX_PAGES_PER_CHECK) throw new CheckError(`channel ${channel}: more than ${MAX_PAGES_PER_CHECK} pages in one check`);
    const messages: IncomingMessage[] = [];
    const dropped: string[] = [];
    for (const ref of needed) {
      const res = await this.get(this.pageUrl(ref.file), {}, STATIC_PAGE_MAX_BYTES, signal, true);
      if (res.status !== 200) failForStatus(res, nowMs, `channel ${channel}`);
      const env = pageEnvelope.safeParse(jsonBody(res, `channel ${channel}`, STATIC_TYPES));
      const p = env.success ? env.data : null;
      if (!p || p.channel !== channel || p.next !== ref.next || p.head !== ref.next || p.messages.length !== ref.count) {
        throw new CheckError(`channel ${channel}: page ${ref.after}-${ref.next} does not match the index`, { status: 200 });
      }
      const v = await verifyPage(channel, p.messages, { after: ref.after, upTo: ref.next, keepAbove: from, keys, allowLoopbackHttp: this.opts.allowLoopbackHttp });
      messages.push(...v.messages);
      dropped.push(...v.dropped);
    }
    return { messages, dropped, cursor: needed.at(-1)?.next ?? from };
  }
}
