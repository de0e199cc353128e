// The routine reads answered before Fastify (issue 17, performance.md rows 1 and 2): the unchanged check
// (`GET /v1/heads` or a channel's messages with a matching If-None-Match → 304), the unfiltered heads
// document, and a page (`GET /v1/channels/<c>/messages?after=N[&limit=M]`). `routineReads` decides them
// whatever the transport; they are served on the raw socket by routes/routine.ts for connections that only
// make such reads, and on node:http (`fastReads`) for those node:http holds. They do what the Fastify
// routes do for the same request — authentication (from the token cache only), the rate limit, the same
// ETag, Cache-Control, body and tidings-keys header — and nothing else: no routing, hooks or JSON. A read
// that needs I/O first (a token to verify, heads to read, a document to render) is a `Pending`; anything
// else (another query, a scoped token, an error to report, shutdown) is null and goes through Fastify,
// which answers it exactly as before.
//
// Hooks added to Fastify later do not run for these answers: a hook that must see every read has to
// be mirrored here (today: authentication and the rate limit, in app.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CHANNEL_PATTERN, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../shared/protocol/limits.ts';
import type { FeedStore, HeadsState, TokenRow } from '../store/types.ts';
import type { RateLimiter } from '../ratelimit.ts';
import { allows } from '../tokens.ts';
import { KEYS_HEADER } from '../../shared/protocol/rotation.ts';
import { etagMatches } from './http.ts';

/** What the v1 routes share with the fast lane: validators and rendered pages. */
export interface ReadState {
  cacheControl: string;
  /** The ETag of the unfiltered heads document at this global head and hold generation. */
  headsEtag(global: number, holdGeneration: number): string;
  /** A rendered page, when one is cached for exactly this request and head. */
  cachedPage(channel: string, after: number, limit: number, head: number): Buffer | undefined;
  /** Renders that page into the cache (as the Fastify route does). */
  renderPage(channel: string, after: number, limit: number, head: number): Promise<unknown>;
  /** The unfiltered heads document of this state and the key statements it advertises, when known without I/O. */
  headsDocument(state: HeadsState): { body: Buffer; keys: number } | undefined;
  /** Reads what headsDocument needs. */
  prepareHeads(): Promise<unknown>;
}

export interface FastDeps {
  store: FeedStore;
  publicRead: boolean;
  readRateLimit: number;
  limiter: RateLimiter;
  read: ReadState;
  /** A token from the token cache only (no I/O), or undefined. */
  peekToken(header: string): TokenRow | undefined;
  /** Verifies a token into the token cache (I/O). */
  verifyToken(header: string): Promise<unknown>;
  closing(): boolean;
}

const PREFIX = '/v1/channels/';
export const JSON_TYPE = 'application/json; charset=utf-8';
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

/** The answer to a routine read: a 304, or a document already rendered. */
export interface RoutineAnswer {
  status: 200 | 304;
  etag: string;
  /** The rendered page or heads document of a 200. */
  body: Buffer | undefined;
  /** Key statements advertised with a changed heads document (the tidings-keys header; 0: none). */
  keys: number;
}

/**
 * A routine read that can be answered from memory once something has been read: a token the token cache
 * does not hold (new, or aged out), heads not in memory, a page or heads document not rendered yet.
 * node:http's lane gives it to Fastify; the raw lane waits for `read()` and tries again (routine.ts).
 */
export class Pending {
  readonly read: () => Promise<unknown>;
  constructor(read: () => Promise<unknown>) {
    this.read = read;
  }
}

/**
 * The routine reads, independent of the transport: `answer` decides a GET from its target and the two
 * headers that matter, counting it against the rate limit; null means Fastify must answer it (node:http's
 * lane and the raw lane of routes/routine.ts both hand it over then). `socket` keys an anonymous reader.
 */
export type RoutineReads = (url: string, authorization: string | undefined, ifNoneMatch: string | undefined, socket: Socket) => RoutineAnswer | Pending | null;

export function routineReads(deps: FastDeps): RoutineReads {
  const { store, read, limiter } = deps;

  /** The reader's token (null: anonymous on a public feed); undefined: no token on a private feed (Fastify's 401). */
  const reader = (header: string | undefined): TokenRow | null | undefined | Pending => {
    if (header === undefined) return deps.publicRead ? null : undefined;
    return deps.peekToken(header) ?? new Pending(() => deps.verifyToken(header));
  };
  const readHeads = new Pending(() => store.headsState());
  const readDocument = new Pending(() => read.prepareHeads());
  /** Counts the request like the Fastify preHandler does; false when it is over the limit (Fastify then answers 429). */
  const admitted = (sock: Socket, token: TokenRow | null): boolean => {
    let key: string;
    if (token) key = `t:${token.id}`;
    else {
      key = ipKeys.get(sock) ?? '';
      if (key === '') ipKeys.set(sock, (key = `ip:${sock.remoteAddress ?? ''}`));
    }
    return limiter.hit(key, deps.readRateLimit).ok;
  };

  return (url, authorization, inm, sock) => {
    if (deps.closing()) return null;
    if (url === '/v1/heads') {
      const token = reader(authorization);
      if (token instanceof Pending) return token;
      // A token limited to some channels has its own ETag (a filtered document): Fastify's route.
      if (token === undefined || (token !== null && (token.channels !== null || !allows(token, 'read')))) return null;
      const known = store.peekHeads();
      if (known === undefined) return readHeads;
      const etag = read.headsEtag(known.global, known.holdGeneration);
      if (inm !== undefined && etagMatches(inm, etag)) return admitted(sock, token) ? { status: 304, etag, body: undefined, keys: 0 } : null;
      // Changed (or a first check): the heads document, as the Fastify route renders it.
      const doc = read.headsDocument(known);
      if (doc === undefined) return readDocument;
      return admitted(sock, token) ? { status: 200, etag, body: doc.body, keys: doc.keys } : null;
    }
    if (!url.startsWith(PREFIX)) return null;
    const slash = url.indexOf('/', PREFIX.length);
    if (slash < 0 || !url.startsWith('/messages', slash)) return null;
    const end = slash + 9;
    if (end !== url.length && url.charCodeAt(end) !== 63 /* ? */) return null;
    const channel = url.slice(PREFIX.length, slash);
    if (!CHANNEL_PATTERN.test(channel)) return null;
    const q = end === url.length ? { after: 0, limit: DEFAULT_PAGE_LIMIT } : pageQuery(url.slice(end + 1));
    if (q === null) return null;
    const token = reader(authorization);
    if (token instanceof Pending) return token;
    if (token === undefined || (token !== null && !allows(token, 'read', channel))) return null;
    const known = store.peekHeads();
    if (known === undefined) return readHeads;
    const head = known.heads[channel] ?? 0;
    const etag = `"${store.epoch}-${head}"`;
    if (inm !== undefined && etagMatches(inm, etag)) {
      return admitted(sock, token) ? { status: 304, etag, body: undefined, keys: 0 } : null;
    }
    const body = read.cachedPage(channel, q.after, q.limit, head);
    if (body === undefined) return new Pending(() => read.renderPage(channel, q.after, q.limit, head));
    return admitted(sock, token) ? { status: 200, etag, body, keys: 0 } : null;
  };
}

/** The routine reads on node:http, ahead of Fastify: true when answered. */
export function fastReads(deps: FastDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const answer = routineReads(deps);
  const cacheControl = deps.read.cacheControl;
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const a = answer(req.url as string, req.headers.authorization, req.headers['if-none-match'], req.socket);
    // A read to make first is Fastify's to make (it renders and caches as it answers).
    if (a === null || a instanceof Pending) return false;
    if (a.body === undefined) {
      res.writeHead(304, ['ETag', a.etag, 'Cache-Control', cacheControl]);
      res.end();
    } else {
      const headers = ['ETag', a.etag, 'Cache-Control', cacheControl, 'Content-Type', JSON_TYPE, 'Content-Length', String(a.body.length)];
      if (a.keys > 0) headers.push(KEYS_HEADER, String(a.keys));
      res.writeHead(200, headers);
      res.end(a.body);
    }
    return true;
  };
}
