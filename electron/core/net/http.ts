// One careful HTTP request: https only (loopback http when configured for dev/test), connect, idle and total
// deadlines, a byte cap (reading stops at cap+1), truncation detection and a redirect policy. Built on
// node:http(s) rather than fetch() so each deadline and the socket are under our control.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import { MAX_FEED_ANSWER_BYTES, isAllowedUrl, isLoopbackHost } from '../../../shared/protocol/limits.ts';
import { systemClock, type Clock } from '../types.ts';
import { resumeOptions, watchSessions } from './tls-sessions.ts';

export type FailureKind =
  | 'refused-url' | 'connect-timeout' | 'idle-timeout' | 'total-timeout' | 'too-large' | 'truncated'
  | 'network' | 'redirect' | 'cancelled';

export class HttpFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.name = 'HttpFailure';
    this.kind = kind;
  }
}

export interface Limits {
  connectMs: number;
  idleMs: number;
  totalMs: number;
  maxBytes: number;
}

// The byte cap is the one the feed service's page budget is measured against (shared/protocol/limits.ts).
export const DEFAULT_LIMITS: Limits = { connectMs: 10_000, idleMs: 15_000, totalMs: 60_000, maxBytes: MAX_FEED_ANSWER_BYTES };

export interface RequestOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  limits?: Partial<Limits>;
  allowLoopbackHttp: boolean;
  /** 'same-host': metadata; only https on the same host (protocol.md). 'https-any': asset downloads (hash decides). */
  redirects?: 'same-host' | 'https-any' | 'none';
  signal?: AbortSignal;
  /** Reuse a pooled connection (pages after heads); default false. */
  keepAlive?: boolean;
  /** Every deadline runs on this clock (the companion's, so tests drive it; reliability.md case 54). */
  clock?: Clock;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  url: string;
}

const MAX_REDIRECTS = 5;

// Keep-alive is for runs of page requests within one check (it saves a TCP/TLS handshake each). The routine
// check is one request, so it goes without (`Connection: close` is the smallest exchange on the wire); over
// TLS it resumes the last session with that origin instead of a full handshake (./tls-sessions.ts).
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 8 }), https: new https.Agent({ keepAlive: true, maxSockets: 8 }) };

/**
 * The connection for a request that goes without keep-alive: made here rather than by `agent: false`, which
 * builds a whole Agent per request only to open one socket (performance.md, row 8). Node sends
 * `Connection: close` for a request without an agent, as it did with `agent: false`; the socket options are
 * those such an Agent gave (plain TCP without Nagle's delay, which tls.connect never passed on; over TLS the
 * URL's host as server name, none for an IP address, and the origin's session ticket when we hold one).
 */
function freshConnection(url: URL): NonNullable<http.RequestOptions['createConnection']> {
  if (url.protocol !== 'https:') return (opts) => net.createConnection({ ...(opts as net.NetConnectOpts), noDelay: true });
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const servername = net.isIP(host) ? '' : host;
  return (opts) => {
    const socket = tls.connect({ ...(opts as ConnectionOptions), servername, ...resumeOptions(url) });
    watchSessions(url, socket);
    return socket;
  };
}

function redirectAllowed(from: URL, to: URL, opts: RequestOptions): boolean {
  if (opts.redirects === 'none' || !opts.redirects) return false;
  const loopbackDev = opts.allowLoopbackHttp && to.protocol === 'http:' && isLoopbackHost(to.hostname);
  if (to.protocol !== 'https:' && !loopbackDev) return false;
  if (opts.redirects === 'https-any') return isAllowedUrl(to.href, opts.allowLoopbackHttp);
  return to.host === from.host && (to.protocol === from.protocol || to.protocol === 'https:');
}

export async function request(opts: RequestOptions): Promise<HttpResponse> {
  let url = new URL(opts.url);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const deadline = (opts.clock ?? systemClock).now() + limits.totalMs;
  for (let hop = 0; ; hop++) {
    if (!isAllowedUrl(url.href, opts.allowLoopbackHttp)) throw new HttpFailure('refused-url', `refusing to contact ${url.protocol}//${url.host}: only https is allowed`);
    const res = await once(url, opts, limits, deadline);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
      const next = new URL(location, url);
      if (hop >= MAX_REDIRECTS || !redirectAllowed(url, next, opts)) {
        throw new HttpFailure('redirect', `redirect to ${next.protocol}//${next.host} not followed`);
      }
      url = next;
      continue;
    }
    return res;
  }
}

function once(url: URL, opts: RequestOptions, limits: Limits, deadline: number): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'Tidings', ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const clock = opts.clock ?? systemClock;
    let settled = false;
    const timers: unknown[] = [];
    let idle: unknown = null;
    const finish = (err: HttpFailure | null, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clock.clearTimeout(t);
      if (idle !== null) clock.clearTimeout(idle);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(res!);
    };
    const onAbort = () => finish(new HttpFailure('cancelled', 'request cancelled'));
    const req = mod.request(url, {
      method: opts.method ?? 'GET', headers,
      ...(opts.keepAlive ? { agent: url.protocol === 'https:' ? agents.https : agents.http } : { createConnection: freshConnection(url) }),
    });
    timers.push(clock.setTimeout(() => finish(new HttpFailure('total-timeout', `no complete answer within ${limits.totalMs} ms`)), Math.max(0, deadline - clock.now())));
    // Idle: no byte from the server for idleMs (covers a server that trickles one byte every 10 s, and one that
    // never answers). Every sign of life moves `lastSign`; the one idle timer, when it fires early, waits out the
    // rest from there (re-arming a timer per chunk cost more than the rest of the bookkeeping). On the injected
    // clock like every other wait.
    let lastSign = clock.now();
    const quiet = () => {
      lastSign = clock.now();
    };
    const idleCheck = () => {
      idle = null;
      if (settled) return;
      const left = lastSign + limits.idleMs - clock.now();
      if (left > 0) idle = clock.setTimeout(idleCheck, left);
      else finish(new HttpFailure('idle-timeout', `the server went quiet for ${limits.idleMs} ms`));
    };
    idle = clock.setTimeout(idleCheck, limits.idleMs);
    req.on('socket', (socket) => {
      if (socket.connecting) {
        const t = clock.setTimeout(() => finish(new HttpFailure('connect-timeout', `no connection within ${limits.connectMs} ms`)), limits.connectMs);
        timers.push(t);
        socket.once('connect', () => {
          clock.clearTimeout(t);
          quiet();
        });
      }
    });
    req.on('error', (e) => finish(new HttpFailure('network', e.message)));
    if (opts.signal) {
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort);
    }
    req.on('response', (res) => {
      quiet();
      const declared = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length']);
      if (declared !== null && declared > limits.maxBytes) {
        return finish(new HttpFailure('too-large', `the answer declares ${declared} bytes, over the ${limits.maxBytes}-byte cap`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        quiet();
        size += c.length;
        if (size > limits.maxBytes) return finish(new HttpFailure('too-large', `the answer passed the ${limits.maxBytes}-byte cap`));
        chunks.push(c);
      });
      res.on('aborted', () => finish(new HttpFailure('truncated', 'the connection closed before the answer was complete')));
      res.on('error', (e) => finish(new HttpFailure('truncated', e.message)));
      res.on('end', () => {
        if (!res.complete || (declared !== null && size !== declared)) {
          return finish(new HttpFailure('truncated', `the answer ended after ${size} bytes`));
        }
        finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.href });
      });
    });
    req.end(opts.body);
  });
}

/** Retry-After as seconds from now (RFC 9110: delay-seconds or HTTP-date); null when absent or garbage or past. */
export function retryAfterSeconds(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  if (!/[a-z]/i.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  const s = Math.ceil((at - nowMs) / 1000);
  return s > 0 ? s : null;
}

/** Cache-Control max-age in seconds, or null. */
export function maxAgeSeconds(value: string | undefined): number | null {
  const m = value ? /(?:^|,)\s*max-age=(\d+)/i.exec(value) : null;
  return m ? Number(m[1]) : null;
}
