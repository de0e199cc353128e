// The routine reads answered on node:http itself, before Fastify (issue 17, performance.md rows 1 and 2):
// the unchanged check (`GET /v1/heads` or a channel's messages with a matching If-None-Match → 304) and a
// page already rendered (`GET /v1/channels/<c>/messages?after=N[&limit=M]` → the cached bytes). They do
// what the Fastify routes do for the same request — authentication (from the token cache only), the
// rate limit, the same ETag, Cache-Control and body — and nothing else: no routing, hooks, promises or
// JSON. Anything else (no cached token, heads not known in memory, another query, an error to report,
// shutdown) returns false and goes through Fastify, which answers it exactly as before.
//
// Hooks added to Fastify later do not run for these answers: a hook that must see every read has to
// be mirrored here (today: authentication and the rate limit, in app.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CHANNEL_PATTERN, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../shared/protocol/limits.ts';
import type { FeedStore, TokenRow } from '../store/types.ts';
import type { RateLimiter } from '../ratelimit.ts';
import { allows } from '../tokens.ts';
import { etagMatches } from './http.ts';

/** What the v1 routes share with the fast lane: validators and rendered pages. */
export interface ReadState {
  cacheControl: string;
  /** The ETag of the unfiltered heads document at this global head and hold generation. */
  headsEtag(global: number, holdGeneration: number): string;
  /** A rendered page, when one is cached for exactly this request and head. */
  cachedPage(channel: string, after: number, limit: number, head: number): Buffer | undefined;
}

export interface FastDeps {
  store: FeedStore;
  publicRead: boolean;
  readRateLimit: number;
  limiter: RateLimiter;
  read: ReadState;
  /** A token from the token cache only (no I/O), or undefined. */
  peekToken(header: string): TokenRow | undefined;
  closing(): boolean;
}

const PREFIX = '/v1/channels/';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Rate-limit key of an anonymous client, built once per connection. */
const ipKeys = new WeakMap<Socket, string>();

/** Digits only, 1–15 of them (what intParam accepts); -1 otherwise. */
function digits(s: string, from: number, to: number): number {
  if (to - from < 1 || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `after=N` and optionally `limit=M`, nothing else; null for anything Fastify should parse. */
function pageQuery(q: string): { after: number; limit: number } | null {
  let after = 0;
  let limit = DEFAULT_PAGE_LIMIT;
  let seen = 0;
  let i = 0;
  while (i < q.length) {
    let amp = q.indexOf('&', i);
    if (amp < 0) amp = q.length;
    const eq = q.indexOf('=', i);
    if (eq < 0 || eq > amp) return null;
    const name = q.slice(i, eq);
    const n = digits(q, eq + 1, amp);
    if (n < 0) return null;
    if (name === 'after' && !(seen & 1)) { after = n; seen |= 1; }
    else if (name === 'limit' && !(seen & 2)) {
      if (n < 1 || n > MAX_PAGE_LIMIT) return null;
      limit = n;
      seen |= 2;
    } else return null;
    i = amp + 1;
  }
  return { after, limit };
}

export function fastReads(deps: FastDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { store, read, limiter } = deps;

  /** The reader's token (null: anonymous on a public feed), or undefined when Fastify must decide. */
  const reader = (req: IncomingMessage): TokenRow | null | undefined => {
    const header = req.headers.authorization;
    if (header === undefined) return deps.publicRead ? null : undefined;
    return deps.peekToken(header);
  };
  /** Counts the request like the Fastify preHandler does; false when it is over the limit (Fastify then answers 429). */
  const admitted = (req: IncomingMessage, token: TokenRow | null): boolean => {
    let key: string;
    if (token) key = `t:${token.id}`;
    else {
      const sock = req.socket;
      key = ipKeys.get(sock) ?? '';
      if (key === '') ipKeys.set(sock, (key = `ip:${sock.remoteAddress ?? ''}`));
    }
    return limiter.hit(key, deps.readRateLimit).ok;
  };

  return (req, res) => {
    const url = req.url as string;
    if (req.method !== 'GET' || deps.closing()) return false;
    if (url === '/v1/heads') {
      const inm = req.headers['if-none-match'];
      if (inm === undefined) return false;
      const token = reader(req);
      // A token limited to some channels has its own ETag (a filtered document): Fastify's route.
      if (token === undefined || (token !== null && (token.channels !== null || !allows(token, 'read')))) return false;
      const known = store.peekHeads();
      if (known === undefined) return false;
      const etag = read.headsEtag(known.global, known.holdGeneration);
      if (!etagMatches(inm, etag) || !admitted(req, token)) return false;
      res.writeHead(304, ['ETag', etag, 'Cache-Control', read.cacheControl]);
      res.end();
      return true;
    }
    if (!url.startsWith(PREFIX)) return false;
    const slash = url.indexOf('/', PREFIX.length);
    if (slash < 0 || !url.startsWith('/messages', slash)) return false;
    const end = slash + 9;
    if (end !== url.length && url.charCodeAt(end) !== 63 /* ? */) return false;
    const channel = url.slice(PREFIX.length, slash);
    if (!CHANNEL_PATTERN.test(channel)) return false;
    const q = end === url.length ? { after: 0, limit: DEFAULT_PAGE_LIMIT } : pageQuery(url.slice(end + 1));
    if (q === null) return false;
    const token = reader(req);
    if (token === undefined || (token !== null && !allows(token, 'read', channel))) return false;
    const known = store.peekHeads();
    if (known === undefined) return false;
    const head = known.heads[channel] ?? 0;
    const etag = `"${store.epoch}-${head}"`;
    const inm = req.headers['if-none-match'];
    if (inm !== undefined && etagMatches(inm, etag)) {
      if (!admitted(req, token)) return false;
      res.writeHead(304, ['ETag', etag, 'Cache-Control', read.cacheControl]);
      res.end();
      return true;
    }
    const body = read.cachedPage(channel, q.after, q.limit, head);
    if (body === undefined || !admitted(req, token)) return false;
    res.writeHead(200, ['ETag', etag, 'Cache-Control', read.cacheControl, 'Content-Type', JSON_TYPE, 'Content-Length', String(body.length)]);
    res.end(body);
    return true;
  };
}
