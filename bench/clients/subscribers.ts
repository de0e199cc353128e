// Idle live-push subscribers for row 7, one process holding BENCH_COUNT raw sockets: SSE
// (GET …/events with Last-Event-ID) or WebSocket (an upgrade handshake). Raw sockets keep the client's
// own cost the same for both protocols. Each delivery of a publish marked `BMK<k>KMB` is timestamped
// (µs of the monotonic clock, shared by all processes) so the parent can compute publish → received.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openFilesLimit, serveIpc } from '../lib/proc.ts';

const kind = process.env.BENCH_KIND === 'ws' ? 'ws' : 'sse';
const target = new URL(process.env.BENCH_URL as string);
const path = process.env.BENCH_PATH ?? '/';
const count = Number(process.env.BENCH_COUNT ?? 100);
const lastEventId = process.env.BENCH_LAST_ID ?? '0';
const IN_FLIGHT = 200;

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

function record(index: number, text: string): void {
  for (const m of text.matchAll(/BMK(\d+)KMB/g)) {
    const k = Number(m[1]);
    let arr = received.get(k);
    if (!arr) received.set(k, (arr = new Float64Array(count).fill(Number.NaN)));
    if (Number.isNaN(arr[index] as number)) arr[index] = nowUs();
  }
}

function open(index: number): Promise<void> {
  return new Promise((resolve) => {
    const sock = connect(Number(target.port), target.hostname);
    let head = '';
    let tail = '';
    let ready = false;
    const done = (ok: boolean, why = '') => {
      if (ok) connected++;
      else { failed++; firstError ||= why; sock.destroy(); }
      resolve();
    };
    sock.on('connect', () => sock.write(request()));
    sock.on('data', (d: Buffer) => {
      let text = d.toString('latin1');
      if (!ready) {
        head += text;
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = head.slice(9, 12);
        if (status !== (kind === 'sse' ? '200' : '101')) return done(false, `status ${status}`);
        ready = true;
        text = head.slice(end + 4);
        done(true);
      }
      const scan = tail + text;
      record(index, scan);
      tail = scan.slice(-16);
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
