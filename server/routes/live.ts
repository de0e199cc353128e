// Lean SSE subscribers (issue 17, performance.md row 7). A connection whose first request is a plain
// `GET /v1/channels/<c>/events` is served on its raw socket, never handed to node:http: an idle
// subscriber then costs a socket and one small object instead of an HTTP parser, request, response and
// Fastify's objects (about 14 KB each at 10,000). The stream is the same as the Fastify route's
// (routes/events.ts): replay from Last-Event-ID or ?after=, then live messages, a comment heartbeat; the
// body ends with the connection (`Connection: close`, no chunked framing), which EventSource expects.
//
// - an event's frame is built once, as one Buffer written to every subscriber of its channel;
// - no timer, closure or listener per subscriber: one heartbeat timer walks every subscriber, and one
//   shared 'close' handler finds its subscriber on the socket;
// - anything unusual (an unknown or refused token, over the rate limit, a bad Last-Event-ID, more than one
//   request in the first packet, shutdown, the database failing on the first page) is handed to node:http
//   untouched, and the Fastify route answers it exactly as before.
import { Socket } from 'node:net';
import type { TokenRow, FeedStore } from '../store/types.ts';
import type { Hub, HubEvent } from '../hub.ts';
import type { RateLimiter } from '../ratelimit.ts';
import { allows } from '../tokens.ts';

export interface LiveDeps {
  store: FeedStore;
  hub: Hub;
  publicRead: boolean;
  readRateLimit: number;
  pageBytes: number;
  heartbeatMs: number;
  limiter: RateLimiter;
  /** The token of an Authorization header (null: unknown or revoked), from the cache or the store. */
  authenticate(header: string): TokenRow | null | Promise<TokenRow | null>;
  closing(): boolean;
}

// V8 sizes every Socket like the first few ever constructed (slack tracking): when those are an HTTP
// client's (fetch/undici, a database driver), which hang a dozen more properties on theirs, every
// subscriber's socket is ~0.1 KB larger (368 B against 264 B, measured in a heap snapshot). A few plain
// sockets made first, before any connection, keep them the size of a bare server socket.
for (let i = 0; i < 8; i++) new Socket();

/** A slow reader whose unsent data passes this is dropped; it reconnects with Last-Event-ID. */
const MAX_BUFFERED = 1024 * 1024;
const REQUEST = /^GET \/v1\/channels\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/events(?:\?after=(\d{1,15}))? HTTP\/1\.1\r\n/;
const HEAD = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache, no-transform\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 3000\n\n');
const BEAT = Buffer.from(': heartbeat\n\n');

/** Per subscriber: its socket, the highest seq sent, and live events held back during the replay. */
interface Sub {
  lane: LiveLane;
  socket: Socket;
  channel: string;
  sent: number;
  pending: HubEvent[] | null;
}

const SUB = Symbol('sse subscriber');
type SubSocket = Socket & { [SUB]?: Sub };

/** An event's frame, built once however many subscribers receive it. */
const frames = new WeakMap<HubEvent, Buffer>();
function frame(e: HubEvent): Buffer {
  let b = frames.get(e);
  if (b === undefined) {
    b = Buffer.from(e.event === 'holds' ? `event: holds\ndata: ${e.json}\n\n` : e.seq === undefined ? `event: live\ndata: ${e.json}\n\n` : `id: ${e.seq}\nevent: message\ndata: ${e.json}\n\n`);
    frames.set(e, b);
  }
  return b;
}

/** The request's headers we read, lower-cased names; null when the request is not a plain one. */
function headersOf(text: string, from: number): Map<string, string> | null {
  const out = new Map<string, string>();
  let i = from;
  while (i < text.length - 2) {
    const end = text.indexOf('\r\n', i);
    const colon = text.indexOf(':', i);
    if (end < 0 || colon < 0 || colon > end) return null;
    const name = text.slice(i, colon).toLowerCase();
    // A body, an upgrade or a repeated header: not ours to interpret.
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'upgrade' || name === 'expect' || out.has(name)) return null;
    out.set(name, text.slice(colon + 1, end).trim());
    i = end + 2;
  }
  return out;
}

export class LiveLane {
  private readonly deps: LiveDeps;
  private readonly byChannel = new Map<string, Set<Sub>>();
  private readonly unsubscribe = new Map<string, () => void>();
  private readonly timer: NodeJS.Timeout;
  private count = 0;

  constructor(deps: LiveDeps) {
    this.deps = deps;
    this.timer = setInterval(() => this.beat(), deps.heartbeatMs);
    this.timer.unref();
    // The hub sees one listener per channel; it reports every subscriber.
    deps.hub.addCounter(() => this.count - this.byChannel.size);
  }

  get subscribers(): number {
    return this.count;
  }

  /**
   * Called with a new connection's first packet. True: the connection is ours from now on (or is being
   * decided); `handOff` is called later if it turns out not to be. False: give it to node:http now.
   */
  take(socket: Socket, chunk: Buffer, handOff: () => void): boolean {
    if (chunk.length > 8192 || this.deps.closing()) return false;
    const text = chunk.toString('latin1');
    const m = REQUEST.exec(text);
    // Exactly one complete request in the packet (nothing pipelined behind it).
    if (!m || text.indexOf('\r\n\r\n') !== text.length - 4) return false;
    const headers = headersOf(text, m[0].length);
    if (headers === null) return false;
    const channel = m[1] as string;
    const lastId = headers.get('last-event-id');
    let after = m[2] === undefined ? 0 : Number(m[2]);
    if (lastId !== undefined && lastId !== '') {
      if (!/^\d{1,15}$/.test(lastId)) return false;
      after = Number(lastId);
    }
    const header = headers.get('authorization');
    if (header === undefined && !this.deps.publicRead) return false;
    const token = header === undefined ? null : this.deps.authenticate(header);
    if (token instanceof Promise) {
      socket.pause();
      token.then((t) => (t === null ? handOff() : this.admit(socket, channel, after, t, handOff)), handOff);
      return true;
    }
    if (header !== undefined && token === null) return false;
    socket.pause();
    this.admit(socket, channel, after, token, handOff);
    return true;
  }

  /** Checks scope and rate limit, reads the first page, then streams; anything else goes to node:http. */
  private admit(socket: Socket, channel: string, after: number, token: TokenRow | null, handOff: () => void): void {
    if (token !== null && !allows(token, 'read', channel)) return handOff();
    const key = token ? `t:${token.id}` : `ip:${peerAddress(socket)}`;
    if (!this.deps.limiter.hit(key, this.deps.readRateLimit).ok || this.deps.closing()) return handOff();
    const sub: Sub = { lane: this, socket, channel, sent: after, pending: [] };
    this.add(sub);
    let streaming = false;
    this.deps.store.page(channel, after, 100, this.deps.pageBytes).then(async (first) => {
      if (socket.destroyed) return this.remove(sub);
      streaming = true;
      socket.on('close', closed);
      socket.on('error', ignore);
      // The reader hung up: end ours too (node:http's sockets are half-open, where the reader's end
      // would not close ours). A property, not an 'end' listener: no listener array per subscriber.
      socket.allowHalfOpen = false;
      // Flowing with no 'data' listener: requests after this one are read and dropped (the stream is the
      // whole rest of the connection), and the reader's hang-up is still seen. An idle socket holds no
      // read buffer either way (libuv allocates one only when data arrives).
      socket.resume();
      socket.write(HEAD);
      let page = first;
      for (;;) {
        for (const item of page.items) this.send(sub, { channel, seq: item.seq, json: item.json });
        if (socket.destroyed || !page.more) break;
        sub.sent = Math.max(sub.sent, page.next);
        page = await this.deps.store.page(channel, sub.sent, 100, this.deps.pageBytes);
      }
      const queued = sub.pending ?? [];
      sub.pending = null;
      for (const e of queued) this.send(sub, e);
    }).catch(() => {
      // The first page failed before anything was written: node:http and the Fastify route answer it
      // (a typed 503); a later one ends the stream, and the reader resumes with Last-Event-ID.
      this.remove(sub);
      if (streaming) socket.destroy();
      else handOff();
    });
  }

  private add(sub: Sub): void {
    (sub.socket as SubSocket)[SUB] = sub;
    let set = this.byChannel.get(sub.channel);
    if (!set) {
      this.byChannel.set(sub.channel, (set = new Set()));
      const channel = sub.channel;
      this.unsubscribe.set(channel, this.deps.hub.subscribe(channel, (e) => this.deliver(channel, e)));
    } else {
      // The channel's name as one string for all its subscribers, not a copy from each request line.
      sub.channel = (set.values().next().value as Sub).channel;
    }
    set.add(sub);
    this.count++;
  }

  remove(sub: Sub): void {
    const set = this.byChannel.get(sub.channel);
    if (!set?.delete(sub)) return;
    this.count--;
    delete (sub.socket as SubSocket)[SUB];
    if (set.size === 0) {
      this.byChannel.delete(sub.channel);
      this.unsubscribe.get(sub.channel)?.();
      this.unsubscribe.delete(sub.channel);
    }
  }

  /** One publish to every subscriber of its channel: the same Buffer, corked per socket. */
  private deliver(channel: string, e: HubEvent): void {
    const set = this.byChannel.get(channel);
    if (!set) return;
    const buf = frame(e);
    for (const sub of set) {
      if (sub.pending !== null) sub.pending.push(e);
      else this.send(sub, e, buf);
    }
  }

  private send(sub: Sub, e: HubEvent, buf?: Buffer): void {
    if (e.seq !== undefined) {
      if (e.seq <= sub.sent) return;
      sub.sent = e.seq;
    }
    const s = sub.socket;
    if (s.destroyed) return;
    s.write(buf ?? frame(e));
    if (s.writableLength > MAX_BUFFERED) s.destroy();
  }

  private beat(): void {
    for (const set of this.byChannel.values()) {
      for (const sub of set) {
        if (sub.pending === null && !sub.socket.destroyed) {
          sub.socket.write(BEAT);
          if (sub.socket.writableLength > MAX_BUFFERED) sub.socket.destroy();
        }
      }
    }
  }

  /** Ends every stream (shutdown): readers reconnect elsewhere with Last-Event-ID. */
  endAll(): void {
    // Ended and then closed once the last bytes are out: node:http's server is half-open, so end() alone
    // would wait for the reader to close its side.
    for (const set of [...this.byChannel.values()]) for (const sub of [...set]) sub.socket.destroySoon();
  }

  close(): void {
    clearInterval(this.timer);
    this.endAll();
  }
}

function closed(this: SubSocket): void {
  const sub = this[SUB];
  if (sub) sub.lane.remove(sub);
}

function ignore(): void {}

/**
 * The reader's address, for the rate limit. `remoteAddress` keeps an object with two strings on the
 * socket for good (`_peername`, ~0.1 KB per subscriber); it is dropped once read (set to undefined: a
 * `delete` would turn the socket into a dictionary, ~1.5 KB) and is read again if node:http ever needs it.
 */
function peerAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? '';
  (socket as Socket & { _peername?: unknown })._peername = undefined;
  return address;
}
