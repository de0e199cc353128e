// Lean SSE subscribers (issue 17, performance.md row 7). A connection whose first request is a plain
// `GET /v1/channels/<c>/events` is served on its raw socket, never handed to node:http: an idle
// subscriber then costs a socket and one small object instead of an HTTP parser, request, response and
// Fastify's objects (about 14 KB each at 10,000). The stream is the same as the Fastify route's
// (routes/events.ts): replay from Last-Event-ID or ?after=, then live messages, a comment heartbeat; the
// body ends with the connection (`Connection: close`, no chunked framing), which EventSource expects.
//
// - an event's frame is built once, as one Buffer written to every subscriber of its channel;
// - no object, timer, closure or listener per subscriber: a subscriber is its socket's entry in its
//   channel's Map (the value: the highest seq sent), one heartbeat timer walks them all, and one shared
//   'close' handler finds the channel on the socket;
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
//
// Likewise a socket's writable state: the first write that completes sets its `writecb` to null (Node's
// onwrite), which adds a property to every WritableState that V8 has already sized, and a second
// property array (40 B) to each subscriber. Set on these first sockets, while V8 still sizes
// WritableState, the property has its own slot in every later one (heap snapshot: 96 B + 40 B -> 104 B).
// Both only help when this module loads before V8 has finished sizing (its first few instances); later
// they cost nothing and change nothing.
for (let i = 0; i < 8; i++) {
  const s = new Socket();
  (s as unknown as { _writableState: { writecb: null } })._writableState.writecb = null;
}

/** A slow reader whose unsent data passes this is dropped; it reconnects with Last-Event-ID. */
const MAX_BUFFERED = 1024 * 1024;
const REQUEST = /^GET \/v1\/channels\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})\/events(?:\?after=(\d{1,15}))? HTTP\/1\.1\r\n/;
const HEAD = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache, no-transform\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\nretry: 3000\n\n');
const BEAT = Buffer.from(': heartbeat\n\n');

/**
 * A channel with subscribers. A subscriber is its socket's entry in `live` (the value: the highest seq
 * sent), or in `replaying` while its replay is read (live events are held back in its queue meanwhile).
 * No object per subscriber: a Map entry costs less than an object plus a Set entry.
 */
interface Channel {
  lane: LiveLane;
  name: string;
  live: Map<Socket, number>;
  replaying: Map<Socket, { sent: number; queue: HubEvent[] }>;
  unsubscribe: () => void;
}

const CHANNEL = Symbol('sse channel');
type SubSocket = Socket & { [CHANNEL]?: Channel | undefined };

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
  private readonly byChannel = new Map<string, Channel>();
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
    const ch = this.add(socket, channel, after);
    const state = ch.replaying.get(socket) as { sent: number; queue: HubEvent[] };
    let streaming = false;
    this.deps.store.page(channel, after, 100, this.deps.pageBytes).then(async (first) => {
      if (socket.destroyed) return this.remove(socket);
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
        for (const item of page.items) state.sent = send(socket, state.sent, { channel, seq: item.seq, json: item.json });
        if (socket.destroyed || !page.more) break;
        state.sent = Math.max(state.sent, page.next);
        page = await this.deps.store.page(channel, state.sent, 100, this.deps.pageBytes);
      }
      // Live from here: the events held back, then every publish as it comes.
      if (ch.replaying.delete(socket)) {
        for (const e of state.queue) state.sent = send(socket, state.sent, e);
        ch.live.set(socket, state.sent);
      }
    }).catch(() => {
      // The first page failed before anything was written: node:http and the Fastify route answer it
      // (a typed 503); a later one ends the stream, and the reader resumes with Last-Event-ID.
      this.remove(socket);
      if (streaming) socket.destroy();
      else handOff();
    });
  }

  /** Adds a subscriber, replaying from `after`; the channel's first one subscribes it to the hub. */
  private add(socket: Socket, name: string, after: number): Channel {
    let ch = this.byChannel.get(name);
    if (!ch) {
      // The channel's name as one string for all its subscribers, not a copy from each request line.
      const c: Channel = { lane: this, name, live: new Map(), replaying: new Map(), unsubscribe: () => {} };
      c.unsubscribe = this.deps.hub.subscribe(name, (e) => this.deliver(c, e));
      this.byChannel.set(name, (ch = c));
    }
    ch.replaying.set(socket, { sent: after, queue: [] });
    (socket as SubSocket)[CHANNEL] = ch;
    this.count++;
    return ch;
  }

  remove(socket: Socket): void {
    const ch = (socket as SubSocket)[CHANNEL];
    if (ch === undefined || !(ch.live.delete(socket) || ch.replaying.delete(socket))) return;
    // Set back, not deleted: a `delete` would turn the socket into a dictionary.
    (socket as SubSocket)[CHANNEL] = undefined;
    this.count--;
    this.forget(ch);
  }

  /** A channel left with no subscriber is dropped, and its hub listener with it. */
  private forget(ch: Channel): void {
    if (ch.live.size > 0 || ch.replaying.size > 0 || this.byChannel.get(ch.name) !== ch) return;
    this.byChannel.delete(ch.name);
    ch.unsubscribe();
  }

  /** One publish to every subscriber of its channel: the same Buffer for all. */
  private deliver(ch: Channel, e: HubEvent): void {
    for (const state of ch.replaying.values()) state.queue.push(e);
    const buf = frame(e);
    for (const [s, sent] of ch.live) {
      const now = send(s, sent, e, buf);
      if (now !== sent) ch.live.set(s, now);
    }
  }

  private beat(): void {
    for (const ch of this.byChannel.values()) {
      for (const s of ch.live.keys()) write(s, BEAT);
    }
  }

  /** Ends every stream (shutdown): readers reconnect elsewhere with Last-Event-ID. */
  endAll(): void {
    // Ended and then closed once the last bytes are out: node:http's server is half-open, so end() alone
    // would wait for the reader to close its side.
    for (const ch of [...this.byChannel.values()]) for (const s of [...ch.live.keys(), ...ch.replaying.keys()]) s.destroySoon();
  }

  close(): void {
    clearInterval(this.timer);
    this.endAll();
  }
}

function closed(this: SubSocket): void {
  this[CHANNEL]?.lane.remove(this);
}

/**
 * An event to one subscriber that has sent up to seq `sent`, unless it has had it already (a replay and the
 * live publishes overlap); live-only events have no seq and always go. Returns the highest seq sent now.
 */
function send(s: Socket, sent: number, e: HubEvent, buf?: Buffer): number {
  if (e.seq !== undefined && e.seq <= sent) return sent;
  write(s, buf ?? frame(e));
  return e.seq ?? sent;
}

/** One frame to one subscriber; a reader too slow to take it (over MAX_BUFFERED unsent) is dropped. */
function write(s: Socket, buf: Buffer): void {
  if (s.destroyed) return;
  s.write(buf);
  if (s.writableLength > MAX_BUFFERED) s.destroy();
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
