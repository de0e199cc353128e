// The routine reads on the raw socket (issue 17, performance.md rows 1 and 2). A keep-alive connection
// whose requests are all routine reads (routes/fast.ts: a 304 for an unchanged check, the heads document,
// a page) is answered here without node:http: no parser, request or response object per request, the
// answer one string (and the document's Buffer) written per packet. node:http's own cost per request was
// most of what the feed service spent on a routine check; without it a check costs ~0.7× as much.
//
// Only a strict subset of HTTP/1.1 is read here (routes/request-head.ts says which, and why), and everything
// else goes to node:http untouched, from the first byte we do not answer, for good. A request split across
// packets, or a head over 16 KB (node:http's limit), is handed over whole.
// Answers are the bytes node:http would send (status line, our headers, Date, Connection, Keep-Alive).
import type { Socket } from 'node:net';
import { KEYS_HEADER } from '../../shared/protocol/rotation.ts';
import { JSON_TYPE, Pending, type RoutineReads } from './fast.ts';
import { MAX_HEAD, parseHead, type Head } from './request-head.ts';

export interface RoutineDeps {
  answer: RoutineReads;
  cacheControl: string;
  /** Idle keep-alive connections are closed after this long (node:http's keepAliveTimeout). */
  keepAliveMs: number;
  closing(): boolean;
}

const MAX_UNSENT = 1024 * 1024;
/** Bytes held while a read waits (see `later`); past this the connection goes to node:http. */
const MAX_DEFERRED = 16 * 1024;
/** Reads one request may wait for (its token, the heads, then its document), before node:http takes it. */
const WAITS = 3;
/** At shutdown, a reader that does not take its last bytes within this is cut off. */
const END_GRACE_MS = 2000;

const LANE = Symbol('routine lane');
type LaneSocket = Socket & { [LANE]?: RoutineLane };

export class RoutineLane {
  private readonly deps: RoutineDeps;
  /** Connections held here, with when each last spoke (ms). */
  private readonly idle = new Map<Socket, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly keepAlive: string;
  private readonly handOffs = new WeakMap<Socket, (rest: Buffer) => void>();
  private readonly head: Head = { target: null, authorization: undefined, ifNoneMatch: undefined, close: false };
  /** Bytes of a connection waiting for a read (see `later`). */
  private readonly deferred = new Map<Socket, Buffer>();
  /** Set by `serve` when it stopped at a request that needs a read first, with the reads it may still wait for. */
  private awaited: { read: Promise<unknown>; waits: number } | undefined;
  private date = '';
  private dateUntil = 0;

  constructor(deps: RoutineDeps) {
    this.deps = deps;
    this.keepAlive = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(deps.keepAliveMs / 1000)}\r\n\r\n`;
    this.sweeper = setInterval(() => this.sweep(), Math.min(5000, deps.keepAliveMs));
    this.sweeper.unref();
  }

  /** Connections held by this lane now. */
  get connections(): number {
    return this.idle.size;
  }

  /**
   * Called with a new connection's first packet. True: at least one request was answered here, or is
   * waiting for a read; the connection stays here, or its rest has been handed over already. False: give it
   * all to node:http. `handOff(rest)` gives the connection to node:http with `rest` as its first bytes.
   */
  take(socket: Socket, chunk: Buffer, handOff: (rest: Buffer) => void): boolean {
    if (this.deps.closing()) return false;
    const done = this.serve(socket, chunk, WAITS);
    if (done === 0 && this.awaited === undefined) return false;
    // Kept through a hand-over too (node:http adds its own): a reset must never be an uncaught 'error'.
    socket.on('error', ignore);
    if (done < 0) return true;
    (socket as LaneSocket)[LANE] = this;
    this.handOffs.set(socket, handOff);
    this.idle.set(socket, Date.now());
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('drain', onDrain);
    // The reader hung up: end ours too (node:http's server sockets are half-open; node:http ends them
    // itself on 'end'). Set back when node:http takes the connection over.
    socket.allowHalfOpen = false;
    this.after(socket, chunk, done);
    return true;
  }

  /** A later packet of a connection held here. */
  data(socket: Socket, chunk: Buffer, waits = WAITS): void {
    const held = this.deferred.get(socket);
    if (held !== undefined) {
      // Still waiting (the socket is paused, but a packet may already have been on its way): keep the
      // order, this packet goes after the one waiting; past a bound, node:http takes all of it.
      if (held.length + chunk.length <= MAX_DEFERRED) this.deferred.set(socket, Buffer.concat([held, chunk]));
      else this.handOff(socket, Buffer.concat([held, chunk]));
      return;
    }
    const done = this.deps.closing() ? 0 : this.serve(socket, chunk, waits);
    if (done < 0) return this.drop(socket);
    this.idle.set(socket, Date.now());
    this.after(socket, chunk, done);
  }

  /** After `serve` answered `done` bytes of a held connection's packet: wait for a read, hand the rest over, or read on. */
  private after(socket: Socket, chunk: Buffer, done: number): void {
    const awaited = this.awaited;
    this.awaited = undefined;
    if (awaited !== undefined) this.later(socket, chunk.subarray(done), awaited.read, awaited.waits);
    else if (done < chunk.length) return this.handOff(socket, chunk.subarray(done));
    this.flow(socket);
  }

  private handOff(socket: Socket, rest: Buffer): void {
    const handOff = this.handOffs.get(socket) as (rest: Buffer) => void;
    this.drop(socket);
    handOff(rest);
  }

  /** Reads on unless a read is awaited or the reader is over MAX_UNSENT behind (node:http pauses too). */
  flow(socket: Socket): void {
    if (!this.idle.has(socket)) return;
    if (this.deferred.has(socket) || socket.writableLength > MAX_UNSENT) socket.pause();
    else socket.resume();
  }

  /**
   * A request that needs a read first (its token is not in the token cache, new or aged out; the heads are
   * not in memory, as on a PostgreSQL node once a second; its page or the heads document not rendered yet,
   * as after every publish) waits for it, rather than moving the connection to node:http for good; then it
   * is tried again (up to WAITS reads), and if it still cannot be decided (an unknown or revoked token, the
   * database down) node:http and Fastify answer it.
   */
  private later(socket: Socket, rest: Buffer, wait: Promise<unknown>, waits: number): void {
    this.deferred.set(socket, rest);
    const go = (): void => {
      const bytes = this.deferred.get(socket);
      // Dropped meanwhile: closed, or node:http has it (with these bytes).
      if (bytes === undefined || socket.destroyed || !this.idle.has(socket)) return;
      this.deferred.delete(socket);
      this.data(socket, bytes, waits);
    };
    wait.then(go, go);
  }

  /**
   * Answers the complete routine requests at the start of `chunk`, in order. Returns how many bytes were
   * answered (the rest is not for this lane), or -1 when the reader asked to close and the connection is ending.
   */
  private serve(socket: Socket, chunk: Buffer, waits: number): number {
    const text = chunk.toString('latin1');
    let at = 0;
    let out = '';
    let corked = false;
    let closed = false;
    const head = this.head;
    while (at < text.length) {
      const end = text.indexOf('\r\n\r\n', at);
      if (end < 0 || end + 4 - at > MAX_HEAD) break;
      parseHead(at === 0 && end + 4 === text.length ? text : text.slice(at, end + 4), head);
      if (head.target === null) break;
      const a = this.deps.answer(head.target, head.authorization, head.ifNoneMatch, socket);
      if (a instanceof Pending) {
        // Only a read the lane would answer waits (up to WAITS reads); anything else goes to node:http as it is.
        if (waits > 0) this.awaited = { read: a.read(), waits: waits - 1 };
        break;
      }
      if (a === null) break;
      waits = WAITS;
      out += a.status === 304 ? 'HTTP/1.1 304 Not Modified\r\nETag: ' : 'HTTP/1.1 200 OK\r\nETag: ';
      out += a.etag;
      out += '\r\nCache-Control: ';
      out += this.deps.cacheControl;
      if (a.body !== undefined) out += `\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${a.body.length}`;
      if (a.keys > 0) out += `\r\n${KEYS_HEADER}: ${a.keys}`;
      out += '\r\nDate: ';
      out += this.now();
      out += head.close ? '\r\nConnection: close\r\n\r\n' : '\r\n' + this.keepAlive;
      if (a.body !== undefined) {
        if (!corked) socket.cork();
        corked = true;
        socket.write(out, 'latin1');
        socket.write(a.body);
        out = '';
      }
      at = end + 4;
      if (head.close) {
        closed = true;
        break;
      }
    }
    if (out !== '') socket.write(out, 'latin1');
    if (corked) socket.uncork();
    if (closed) {
      // As node:http does for `Connection: close`: end once the answer is out; anything after it is not read.
      socket.destroySoon();
      return -1;
    }
    return at;
  }

  /** The Date header, made once a second (as node:http does). */
  private now(): string {
    const t = Date.now();
    if (t >= this.dateUntil) {
      this.date = new Date(t).toUTCString();
      this.dateUntil = t - (t % 1000) + 1000;
    }
    return this.date;
  }

  /** A slow reader taking its answers is not idle. */
  touch(socket: Socket): void {
    if (this.idle.has(socket)) this.idle.set(socket, Date.now());
  }

  /** Lets go of a connection: it is closing, or node:http takes it over. */
  drop(socket: Socket): void {
    if (!this.idle.delete(socket)) return;
    socket.removeListener('data', onData);
    socket.removeListener('close', onClose);
    socket.removeListener('drain', onDrain);
    this.handOffs.delete(socket);
    this.deferred.delete(socket);
    (socket as LaneSocket)[LANE] = undefined;
    socket.allowHalfOpen = true;
  }

  /** Closes connections idle for keepAliveMs: nothing read, nothing left to send, no read awaited. */
  private sweep(): void {
    const old = Date.now() - this.deps.keepAliveMs;
    for (const [socket, since] of this.idle) {
      if (since <= old && socket.writableLength === 0 && !this.deferred.has(socket)) socket.destroy();
    }
  }

  /**
   * Shutdown: a connection held here is between requests (answers are written as they are read) and is
   * closed, as node:http closes its idle ones, once its last bytes are out (cut off after END_GRACE_MS).
   * One whose request awaits a read is left to it: closing() then sends it to node:http, which answers 503.
   */
  endAll(): void {
    const ending: Socket[] = [];
    for (const socket of [...this.idle.keys()]) {
      if (this.deferred.has(socket)) continue;
      this.drop(socket);
      socket.destroySoon();
      ending.push(socket);
    }
    if (ending.length > 0) setTimeout(() => { for (const s of ending) s.destroy(); }, END_GRACE_MS).unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.endAll();
  }
}

function onData(this: LaneSocket, chunk: Buffer): void {
  this[LANE]?.data(this, chunk);
}

function onDrain(this: LaneSocket): void {
  const lane = this[LANE];
  if (lane === undefined) return;
  lane.touch(this);
  lane.flow(this);
}

function onClose(this: LaneSocket): void {
  this[LANE]?.drop(this);
}

function ignore(): void {}
