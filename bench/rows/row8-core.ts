// Row 8: the companion core's CPU per routine (unchanged) check and its idle wake-ups over 10 minutes of fake
// time. CPU anchor: a bare fetch() conditional GET of the same URL (a lower bound for any HTTP check;
// electron-updater itself is not installed here and always downloads and parses latest.yml, so it costs more).
// Wake-up anchor: a single 1 s setTimeout loop. The feed service runs in its own process.
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import type { BenchConfig } from '../lib/config.ts';
import { startNode } from '../lib/proc.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median, rotate } from '../lib/stats.ts';
import { KeyRing } from '../../shared/protocol/signing.ts';
import { Store } from '../../electron/core/store/store.ts';
import { FeedV1Source } from '../../electron/core/sources/feed-v1.ts';
import { runCheck } from '../../electron/core/sync.ts';
import { CheckScheduler } from '../../electron/core/scheduler.ts';
import type { Clock } from '../../electron/core/types.ts';
import { tempDir } from './core-fixtures.ts';
import { startTlsFeed } from '../lib/tls-feed.ts';
import { forgetSessions, RESUME_GROUPS } from '../../electron/core/net/tls-sessions.ts';

/**
 * The floor of any check on its own connection (for the notes, not a goal): connect, write one conditional
 * GET by hand, read to the end, close; no HTTP client, no timers, no store. Over TLS it resumes its own
 * session each time with the X25519-only share, as ours does. What ours costs above it is ours to cut; what
 * it costs above the keep-alive anchor is the connection (and the handshake) every hourly check pays.
 */
function bareConnection(url: string, headers: Record<string, string>): () => Promise<void> {
  const u = new URL(url);
  const head = `GET ${u.pathname} HTTP/1.1\r\nhost: ${u.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}connection: close\r\n\r\n`;
  const port = Number(u.port);
  let ticket: Buffer | undefined;
  const context = tls.createSecureContext({ ecdhCurve: RESUME_GROUPS });
  return () => new Promise((resolve, reject) => {
    let answer = '';
    const socket = u.protocol === 'https:'
      ? tls.connect({ host: u.hostname, port, ...(ticket ? { session: ticket, secureContext: context } : {}) }, () => socket.write(head))
      : net.connect({ host: u.hostname, port, noDelay: true }, () => socket.write(head));
    if (socket instanceof tls.TLSSocket) socket.on('session', (t: Buffer) => { ticket = t; });
    socket.on('data', (d: Buffer) => { if (answer.length < 12) answer += d.toString('latin1', 0, 12); });
    socket.on('error', reject);
    socket.on('end', () => {
      socket.end();
      if (!answer.startsWith('HTTP/1.1 304')) reject(new Error(`bare connection answered ${answer}`));
      else resolve();
    });
  });
}

/** Counts how often timers fire over `ms` of fake time. */
function countingClock(): Clock & { fired: number; run(ms: number): Promise<void> } {
  let t = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let seq = 0;
  return {
    fired: 0,
    now: () => t,
    setTimeout(fn, ms) {
      timers.push({ at: t + ms, fn, id: ++seq });
      return seq;
    },
    clearTimeout(h) {
      timers = timers.filter((x) => x.id !== h);
    },
    async run(ms) {
      const end = t + ms;
      for (;;) {
        const next = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers = timers.filter((x) => x !== next);
        t = next.at;
        this.fired++;
        next.fn();
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      }
      t = end;
    },
  };
}

/**
 * Each target's first round is not counted: the JIT compiles hot code on other threads of this process,
 * which process.cpuUsage counts, and a target with more code (ours: an HTTP client, a store) would pay its
 * compilation in the first counted rounds (0.9 → 0.4 ms over 7 rounds of 300 checks, against 0.9 → 0.2 for fetch).
 */
async function warm(fns: Record<string, () => Promise<unknown>>, n: number): Promise<void> {
  for (const fn of Object.values(fns)) for (let i = 0; i < n; i++) await fn();
}

async function cpuPer(n: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

export async function row8(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const feed = await startNode<{ url: string; publicKey: string }>('servers/feed.ts', { core: 0 });
  const tmp = tempDir();
  const store = new Store({ file: join(tmp.dir, 'core.db') });
  try {
    const url = feed.info.url;
    const keys = await KeyRing.from([feed.info.publicKey]);
    const source = new FeedV1Source({ id: 's', url, allowLoopbackHttp: true });
    store.ensureSource('s', source.kind, url);
    const ours = async () => {
      const o = await runCheck(store, 's', Date.now(), () => source.check(store, ['stable', 'news'], keys, Date.now()));
      if (!o.ok) throw new Error(o.detail);
    };
    await ours();
    const etag = (await fetch(`${url}/v1/heads`)).headers.get('etag') ?? '';
    const bare = async () => {
      const r = await fetch(`${url}/v1/heads`, { headers: { 'if-none-match': etag } });
      await r.arrayBuffer();
      if (r.status !== 304) throw new Error(`bare check answered ${r.status}`);
    };
    // 1,500 checks per figure (BENCH_CHECKS): with 300, GC and JIT threads moved a round's figure by
    // ±40-80 % (A/A), wider than the distance to the goal, so the plain line could only be "undecided".
    const n = cfg.smoke ? 30 : Number(process.env.BENCH_CHECKS ?? 1500);
    const floor = bareConnection(`${url}/v1/heads`, { 'if-none-match': etag });
    const runs: Record<string, number[]> = { ours: [], bare: [], bareCopy: [], floor: [] };
    const fns: Record<string, () => Promise<void>> = { ours, bare, bareCopy: bare, floor };
    await warm({ ours, bare, floor }, n);
    for (let r = 0; r < cfg.runs; r++) for (const k of rotate(Object.keys(fns), r)) runs[k]!.push(await cpuPer(n, fns[k]!));

    // Over TLS: the same check through a TLS front, resuming its session each time, vs a keep-alive fetch
    // (one connection for all, no handshake after the first) of the same 304.
    const tls = await tlsCpu(cfg, n, tmp.dir);

    // Wake-ups over 10 minutes of fake time: the scheduler at its default cadence vs a 1 s loop.
    const clock = countingClock();
    const s = new CheckScheduler({ clock, random: Math.random, run: async () => ({ ok: true, changed: false, detail: '', status: 304, retryAfterSec: null, maxAgeSec: 60, authFailed: false, result: null }) });
    s.start();
    await clock.run(10 * 60_000);
    s.stop();
    const loop = countingClock();
    const tick = () => void loop.setTimeout(tick, 1000);
    tick();
    await loop.run(10 * 60_000);

    const fig = (label: string, xs: number[], unit = 'ms CPU/check'): Figure => ({ label, value: median(xs), unit, runs: xs });
    const lines = [
      makeLine('core-check-cpu-vs-bare-fetch', fig('core check', runs.ours!), fig('bare fetch 304', runs.bare!), { op: '≤', ratio: 1.0 }),
      makeLine('core-wakeups-vs-1s-loop', fig('scheduler', [clock.fired], 'wake-ups'), fig('1 s setTimeout loop', [loop.fired], 'wake-ups'), { op: '≤', ratio: 1.0 }),
      makeLine('core-check-aa-bare-fetch', fig('bare fetch 304 (copy)', runs.bareCopy!), fig('bare fetch 304', runs.bare!), { op: '≤', ratio: 1 }, 'aa'),
      makeLine('core-tls-check-cpu-vs-keepalive-fetch', fig('core check, TLS resumed', tls.ours), fig('keep-alive fetch 304 over TLS', tls.fetch), { op: '≤', ratio: 1.0 }),
      makeLine('core-tls-check-aa-keepalive-fetch', fig('keep-alive fetch 304 over TLS (copy)', tls.fetchCopy), fig('keep-alive fetch 304 over TLS', tls.fetch), { op: '≤', ratio: 1 }, 'aa'),
    ];
    return {
      row: 8, title: 'companion core: CPU per check and idle wake-ups', lines, facts: { checks: n, wakeups: clock.fired, floorMs: median(runs.floor!), tls: tls.facts },
      notes: [
        'ours opens a fresh connection per check (Connection: close, as an hourly check would) and writes the check log; the bare fetch reuses a keep-alive connection',
        `a bare connection (connect, one hand-written request, read to the end; no HTTP client, timers or store) costs ${median(runs.floor!).toFixed(2)} ms CPU: the floor of any check on its own connection`,
        ...tls.notes,
      ],
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    store.close();
    tmp.done();
    await feed.stop();
  }
}

/** Row 8 over TLS: CPU per check of the companion's check (resumed) and of a keep-alive fetch, same 304. */
async function tlsCpu(cfg: BenchConfig, n: number, dir: string): Promise<{ ours: number[]; fetch: number[]; fetchCopy: number[]; full: number[]; facts: Record<string, unknown>; notes: string[] }> {
  const feed = await startTlsFeed();
  const store = new Store({ file: join(dir, 'tls.db') });
  try {
    const keys = await KeyRing.from([feed.publicKey]);
    const source = new FeedV1Source({ id: 't', url: feed.url, token: feed.readToken, allowLoopbackHttp: false });
    store.ensureSource('t', source.kind, feed.url);
    const check = async () => {
      const o = await runCheck(store, 't', Date.now(), () => source.check(store, ['stable', 'news'], keys, Date.now()));
      if (!o.ok) throw new Error(o.detail);
    };
    forgetSessions();
    await check();
    const auth = { authorization: `Bearer ${feed.readToken}` };
    const etag = (await fetch(`${feed.url}/v1/heads`, { headers: auth })).headers.get('etag') ?? '';
    const keepAlive = async () => {
      const r = await fetch(`${feed.url}/v1/heads`, { headers: { ...auth, 'if-none-match': etag } });
      await r.arrayBuffer();
      if (r.status !== 304) throw new Error(`keep-alive fetch answered ${r.status}`);
    };
    // For the notes: a check with a full handshake (no ticket), as the first check of a process makes, and
    // the floor of a resumed connection.
    const fullHandshake = async () => { forgetSessions(); await check(); };
    const floor = bareConnection(`${feed.url}/v1/heads`, { ...auth, 'if-none-match': etag });
    await warm({ ours: check, fetch: keepAlive, floor }, n);
    const before = await feed.handshakes();
    const runs: Record<string, number[]> = { ours: [], fetch: [], fetchCopy: [], full: [], floor: [] };
    const fns: Record<string, () => Promise<void>> = { ours: check, fetch: keepAlive, fetchCopy: keepAlive, full: fullHandshake, floor };
    for (let r = 0; r < cfg.runs; r++) for (const k of rotate(Object.keys(fns), r)) runs[k]!.push(await cpuPer(k === 'full' ? Math.ceil(n / 5) : n, fns[k]!));
    const after = await feed.handshakes();
    forgetSessions();
    const handshakes = { full: after.full - before.full, resumed: after.resumed - before.resumed };
    return {
      ours: runs.ours!, fetch: runs.fetch!, fetchCopy: runs.fetchCopy!, full: runs.full!,
      facts: { handshakes, floorMs: median(runs.floor!) },
      notes: [
        `over TLS: ours resumes a session per check (${handshakes.resumed} resumed, ${handshakes.full} full handshakes in the runs, the full ones from the no-ticket line and the bare connection's first); with a full handshake a check costs ${median(runs.full!).toFixed(2)} ms CPU (the first check of a process)`,
        `over TLS a bare resumed connection (connect, resumed handshake, one hand-written request, read to the end; no HTTP client, timers or store) costs ${median(runs.floor!).toFixed(2)} ms CPU: the floor of any check on its own connection, ${(median(runs.floor!) / median(runs.fetch!)).toFixed(2)}x the keep-alive fetch`,
        'over TLS the keep-alive fetch holds one connection open for all its checks; ours opens one per check and holds nothing between checks (one timer per due check)',
      ],
    };
  } finally {
    store.close();
    await feed.stop();
  }
}
