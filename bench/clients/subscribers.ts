// Idle live-push subscribers for row 7, one process holding BENCH_COUNT raw sockets: SSE
// (GET …/events with Last-Event-ID), WebSocket (an upgrade handshake), or `bare` (a TCP connection that
// sends nothing: the floor of what a connection costs the server). Raw sockets keep the client's own cost
// the same for both protocols. Each delivery of a publish marked `BMK<k>KMB` is timestamped (µs of the
// monotonic clock, shared by all processes) so the parent can compute publish → received.
//
// The clients must be faster than the server, or they, not the server, set the latency (issue 17): each
// socket reads into one shared buffer (`onread`, no Buffer, string or stream event per read) and the
// marker is found with a byte search, so a delivery costs a client the read and little else.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openFilesLimit, serveIpc } from '../lib/proc.ts';

const kind = process.env.BENCH_KIND === 'ws' ? 'ws' : process.env.BENCH_KIND === 'bare' ? 'bare' : 'sse';
const target = new URL(process.env.BENCH_URL as string);
const path = process.env.BENCH_PATH ?? '/';
const count = Number(process.env.BENCH_COUNT ?? 100);
const lastEventId = process.env.BENCH_LAST_ID ?? '0';
const IN_FLIGHT = 200;
const MARK = Buffer.from('BMK');
const K = 0x4b; // 'K', the first byte of the closing `KMB`
const shared = Buffer.alloc(256 * 1024);

const sockets: Socket[] = [];
const received = new Map<number, Float64Array>();
let connected = 0;
let failed = 0;
let firstError = '';
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

function request(): string {
  const host = `Host: ${target.host}\r\n`;
  if (kind === 'sse') return `GET ${path} HTTP/1.1\r\n${host}Accept: text/event-stream\r\nLast-Event-ID: ${lastEventId}\r\n\r\n`;
  return `GET ${path} HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

function mark(index: number, k: number, at: number): void {
  let arr = received.get(k);
  if (!arr) received.set(k, (arr = new Float64Array(count).fill(Number.NaN)));
  if (Number.isNaN(arr[index] as number)) arr[index] = at;
}

/** Every `BMK<digits>KMB` in `text` (a string: only the rare marker split across two reads comes here). */
function scanText(index: number, text: string, at: number): void {
  for (const m of text.matchAll(/BMK(\d+)KMB/g)) mark(index, Number(m[1]), at);
}

/** Every `BMK<digits>K` in buf[0, end); returns where a marker cut off by the end of the read begins, or -1. */
function scan(index: number, buf: Buffer, end: number, at: number): number {
  let i = buf.indexOf(MARK, 0);
  while (i >= 0 && i < end) {
    let j = i + 3;
    let k = 0;
    while (j < end && (buf[j] as number) >= 0x30 && (buf[j] as number) <= 0x39) k = k * 10 + (buf[j++] as number) - 0x30;
    if (j >= end) return i;
    if (buf[j] === K && j > i + 3) mark(index, k, at);
    i = buf.indexOf(MARK, j);
  }
  // A read ending in `B` or `BM` may be the start of a marker.
  return end >= 2 && buf[end - 2] === 0x42 && buf[end - 1] === 0x4d ? end - 2 : end >= 1 && buf[end - 1] === 0x42 ? end - 1 : -1;
}

function open(index: number): Promise<void> {
  return new Promise((resolve) => {
    let head = '';
    let tail = '';
    let ready = false;
    const done = (ok: boolean, why = '') => {
      if (ok) connected++;
      else { failed++; firstError ||= why; sock.destroy(); }
      resolve();
    };
    const onread = (nread: number, buf: Buffer): boolean => {
      const at = nowUs();
      let from = 0;
      if (!ready) {
        head += buf.toString('latin1', 0, nread);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return true;
        const status = head.slice(9, 12);
        if (status !== (kind === 'sse' ? '200' : '101')) { done(false, `status ${status}`); return false; }
        ready = true;
        from = nread - (head.length - end - 4);
        head = '';
        done(true);
      }
      if (tail !== '') {
        // A marker split across reads: look at the join only.
        scanText(index, tail + buf.toString('latin1', from, Math.min(nread, from + 24)), at);
        tail = '';
      }
      const cut = scan(index, buf.subarray(from, nread), nread - from, at);
      if (cut >= 0) tail = buf.toString('latin1', from + cut, nread);
      return true;
    };
    const sock = connect({ port: Number(target.port), host: target.hostname, onread: { buffer: shared, callback: onread } });
    sock.on('connect', () => {
      if (kind === 'bare') return done(true);
      sock.write(request());
    });
    sock.on('error', (e) => { if (!ready) done(false, e.message); });
    sockets[index] = sock;
  });
}

async function connectAll(): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < count) await open(next++); };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
}

async function waitFor(k: number, t0: number, timeoutMs: number): Promise<{ received: number; latencies: number[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const arr = received.get(k);
    const got = arr ? arr.reduce((n, t) => (Number.isNaN(t) ? n : n + 1), 0) : 0;
    if (got >= connected || Date.now() > deadline) {
      const latencies = arr ? Array.from(arr).filter((t) => !Number.isNaN(t)).map((t) => (t - t0) / 1000) : [];
      return { received: got, latencies };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

serveIpc(async (msg) => {
  if (msg.cmd === 'connect') {
    await connectAll();
    return { connected, failed, firstError };
  }
  if (msg.cmd === 'wait') return waitFor(msg.k as number, msg.t0 as number, msg.timeoutMs as number);
  if (msg.cmd === 'close') {
    for (const s of sockets) s?.destroy();
    return { closed: true };
  }
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
process.send?.({ ready: true, openFiles: await openFilesLimit() });
process.on('SIGTERM', () => process.exit(0));
