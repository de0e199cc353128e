// Row 7: live push. One server process holds N idle subscribers on loopback — the feed service's SSE
// (GET /v1/channels/news/events) vs a `ws` server — measured for RSS per subscriber (after a GC, minus
// the server's RSS before anyone connected) and publish → received latency at every subscriber (a
// signed message POSTed to the feed; the same JSON POSTed to the ws server, which broadcasts it).
// A/A: ws vs a second ws run. Clients: 2 processes of raw sockets pinned to core 1, server on core 0.
import type { BenchConfig } from '../lib/config.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { newsRecord } from '../lib/records.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median, percentile, sleep } from '../lib/stats.ts';
import { fromBase64, generateSigningKey, importSigningKey, signRecord } from '../../shared/protocol/signing.ts';

const FDS = 65_536;
const CLIENTS = 2;

interface FeedInfo { url: string; publishToken: string; publicKey: string; pkcs8: string; openFiles: number | null }
interface Sample { rssPerSubKB: number; p99: number; p50: number; min: number; fanoutMs: number; max: number; connected: number; delivered: number; expected: number; failed: number; firstError: string; serverOpenFiles: number | null }

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

async function oneRun(kind: 'sse' | 'ws' | 'bare', cfg: BenchConfig): Promise<Sample> {
  const children: NodeChild<unknown>[] = [];
  try {
    const server = await startNode<FeedInfo>(`servers/${kind === 'sse' ? 'feed' : kind}.ts`, { core: 0, fds: FDS, execArgv: ['--expose-gc'] });
    children.push(server);
    const info = server.info;
    // Sign the publishes up front (that is the publisher's work, not the server's).
    const signingKey = kind === 'sse' ? await importSigningKey(fromBase64(info.pkcs8), info.publicKey) : await generateSigningKey();
    // The bare floor (servers/bare.ts) is measured for memory only: it speaks no protocol.
    const publishes = kind === 'bare' ? 0 : cfg.publishes;
    const bodies = await Promise.all(Array.from({ length: Math.max(publishes, 1) + 1 }, async (_, k) => JSON.stringify(await signRecord(newsRecord(`Live notice BMK${k}KMB`, 'Maintenance tonight from 22:00 UTC; checks may be slow for a few minutes.'), signingKey))));

    const post = (body: string) => (kind === 'sse'
      ? fetch(`${info.url}/v1/channels/news/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.publishToken}` }, body })
      : fetch(`${info.url}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    // A warm-up publish (nobody listening yet) so the first timed one does not pay for the JIT.
    const warm = kind === 'bare' ? null : await post(bodies[publishes] as string);
    const warmSeq = kind === 'sse' && warm ? ((await warm.json()) as { seq: number }).seq : (await warm?.arrayBuffer(), 0);
    const base = (await server.ask<{ rss: number }>({ cmd: 'rss' })).rss;
    const per = Math.ceil(cfg.subscribers / CLIENTS);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => startNode<{ openFiles: number | null }>('clients/subscribers.ts', {
      core: 1,
      fds: FDS,
      env: {
        BENCH_KIND: kind,
        BENCH_URL: info.url,
        BENCH_PATH: kind === 'sse' ? '/v1/channels/news/events' : '/',
        BENCH_COUNT: String(Math.min(per, cfg.subscribers - i * per)),
        // Subscribers resume from the current head (after the warm-up publish), as a reconnecting client would.
        BENCH_LAST_ID: String(warmSeq),
      },
    })));
    children.push(...clients);
    const conn = await Promise.all(clients.map((c) => c.ask<{ connected: number; failed: number; firstError: string }>({ cmd: 'connect' }, 120_000)));
    const connected = conn.reduce((n, c) => n + c.connected, 0);
    await sleep(cfg.smoke ? 100 : 500);
    const after = await server.ask<{ rss: number; subscribers: number }>({ cmd: 'rss' });

    const latencies: number[] = [];
    const fanouts: number[] = [];
    let delivered = 0;
    for (let k = 0; k < publishes; k++) {
      const t0 = nowUs();
      const res = await post(bodies[k] as string);
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 202) throw new Error(`publish answered ${res.status}`);
      const got = await Promise.all(clients.map((c) => c.ask<{ received: number; latencies: number[] }>({ cmd: 'wait', k, t0, timeoutMs: 10_000 }, 30_000)));
      for (const g of got) { delivered += g.received; latencies.push(...g.latencies); }
      fanouts.push((await server.ask<{ ms: number }>({ cmd: 'fanout' })).ms);
      await sleep(cfg.smoke ? 20 : 100);
    }
    if (kind === 'bare') {
      // The fan-out floor: the same number of writes of a frame as large as ours, timed in the server.
      for (let k = 0; k < cfg.publishes; k++) {
        fanouts.push((await server.ask<{ ms: number }>({ cmd: 'blast', bytes: Buffer.byteLength(bodies[0] as string) + 40 })).ms);
        await sleep(cfg.smoke ? 20 : 100);
      }
    }
    await Promise.all(clients.map((c) => c.ask({ cmd: 'close' })));
    return {
      rssPerSubKB: connected > 0 ? (after.rss - base) / connected / 1024 : Number.NaN,
      p99: percentile(latencies, 99),
      p50: percentile(latencies, 50),
      min: latencies.length ? Math.min(...latencies) : Number.NaN,
      fanoutMs: median(fanouts),
      max: latencies.length ? Math.max(...latencies) : Number.NaN,
      connected: after.subscribers,
      delivered,
      expected: connected * publishes,
      failed: conn.reduce((n, c) => n + c.failed, 0),
      firstError: conn.map((c) => c.firstError).filter(Boolean)[0] ?? '',
      serverOpenFiles: info.openFiles ?? null,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

export async function row7(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  type Who = 'ours' | 'ws' | 'copy' | 'bare';
  const runs: Record<Who, Sample[]> = { ours: [], ws: [], copy: [], bare: [] };
  // Rotating order, so no target always runs first (or right after another's teardown).
  const targets: Who[] = ['ours', 'ws', 'copy', 'bare'];
  for (let run = 0; run < cfg.runs; run++) {
    const order = targets.map((_, i) => targets[(i + run) % targets.length] as Who);
    for (const who of order) runs[who].push(await oneRun(who === 'ours' ? 'sse' : who === 'bare' ? 'bare' : 'ws', cfg));
  }
  const fig = (label: string, xs: Sample[], pick: (s: Sample) => number, unit: string): Figure => ({ label, value: median(xs.map(pick)), unit, runs: xs.map(pick) });
  const rss = (s: Sample) => s.rssPerSubKB;
  const p99 = (s: Sample) => s.p99;
  const all = [...runs.ours, ...runs.ws, ...runs.copy];
  const bareKB = median(runs.bare.map(rss));
  const facts = {
    subscribers: cfg.subscribers,
    ours: runs.ours.map(({ connected, delivered, expected, failed, firstError, max }) => ({ connected, delivered, expected, failed, firstError, maxMs: max })),
    ws: runs.ws.map(({ connected, delivered, expected, failed, firstError, max }) => ({ connected, delivered, expected, failed, firstError, maxMs: max })),
    serverOpenFiles: runs.ours[0]?.serverOpenFiles ?? null,
    allDelivered: all.every((s) => s.delivered === s.expected && s.connected === cfg.subscribers),
  };
  const notes = [
    `subscribers connected per run: ours ${runs.ours.map((s) => s.connected).join('/')}, ws ${runs.ws.map((s) => s.connected).join('/')} of ${cfg.subscribers}; deliveries ${facts.allDelivered ? 'all received' : 'INCOMPLETE'}; publish → all received (max): ours ${median(runs.ours.map((s) => s.max)).toFixed(1)} ms, ws ${median(runs.ws.map((s) => s.max)).toFixed(1)} ms`,
  ];
  const dist = (xs: Sample[]) => `min ${median(xs.map((s) => s.min)).toFixed(1)} / p50 ${median(xs.map((s) => s.p50)).toFixed(1)} / p99 ${median(xs.map((s) => s.p99)).toFixed(1)} ms, server fan-out loop ${median(xs.map((s) => s.fanoutMs)).toFixed(1)} ms`;
  notes.push(`publish → received: ours ${dist(runs.ours)}; ws ${dist(runs.ws)}`);
  notes.push(`floor: a bare node:net server holding the same ${cfg.subscribers} idle connections, ${bareKB.toFixed(2)} KB per connection (${runs.bare.map((s) => s.rssPerSubKB.toFixed(2)).join('/')}) = ${(bareKB / median(runs.ws.map(rss))).toFixed(2)}x ws; ours is ${(median(runs.ours.map(rss)) - bareKB).toFixed(2)} KB above it; its plainest fan-out (one write of a frame of the same size to each) ${median(runs.bare.map((s) => s.fanoutMs)).toFixed(1)} ms`);
  if (all.some((s) => !(s.rssPerSubKB > 0))) notes.push('an RSS difference was ≤ 0: with this few subscribers the GC noise of the server exceeds their memory');
  const failed = all.find((s) => s.failed > 0);
  if (failed) notes.push(`${failed.failed} connections failed (${failed.firstError}); server open-files limit ${failed.serverOpenFiles ?? 'unknown'}`);
  return {
    row: 7,
    title: `live push, ${cfg.subscribers} idle subscribers in one server process (SSE vs ws)`,
    lines: [
      // Issue 17: ≤ 0.5× ws and ≤ 5 KB; p99 no worse than ws in the same run, aiming at 50 ms.
      makeLine('live-rss-per-subscriber-vs-ws', fig('feed service', runs.ours, rss, 'KB'), fig('ws', runs.ws, rss, 'KB'), { op: '≤', ratio: 0.5, absolute: 5 }),
      makeLine('live-publish-p99-vs-ws', fig('feed service', runs.ours, p99, 'ms'), fig('ws', runs.ws, p99, 'ms'), { op: '≤', ratio: 1.0 }),
      makeLine('live-publish-p99-aim', fig('feed service', runs.ours, p99, 'ms'), fig('ws', runs.ws, p99, 'ms'), { op: '≤', absolute: 50 }),
      makeLine('live-aa-rss-ws', fig('ws (copy)', runs.copy, rss, 'KB'), fig('ws', runs.ws, rss, 'KB'), { op: '≤', ratio: 1 }, 'aa'),
      makeLine('live-aa-p99-ws', fig('ws (copy)', runs.copy, p99, 'ms'), fig('ws', runs.ws, p99, 'ms'), { op: '≤', ratio: 1 }, 'aa'),
    ],
    facts,
    notes,
    seconds: (Date.now() - started) / 1000,
  };
}
