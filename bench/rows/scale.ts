// Scale-out (issue 7): two stateless nodes on one PostgreSQL database, beside one SQLite node, in the same
// run. The routine unchanged check (304) per node and across both nodes at once, and publish → receive
// latency with the subscriber on the other node (PostgreSQL NOTIFY) vs the same node (SQLite, in-process).
import pg from 'pg';
import { startCluster } from '../../scripts/pg-cluster.ts';
import { fromBase64, importSigningKey } from '../../shared/protocol/signing.ts';
import type { BenchConfig } from '../lib/config.ts';
import { load } from '../lib/load.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { newsRecord, publish } from '../lib/records.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median, percentile, sleep } from '../lib/stats.ts';

interface FeedInfo { url: string; publishToken: string; readToken: string; publicKey: string; pkcs8: string }

const fig = (label: string, runs: number[], unit: string): Figure => ({ label, value: runs.length ? median(runs) : null, unit, runs });

/** Publishes `n` news posts on `pubNode` and times each until an SSE reader on `subNode` has it. */
async function pushLatency(pubNode: FeedInfo, subNode: FeedInfo, n: number): Promise<number[]> {
  const key = await importSigningKey(fromBase64(pubNode.pkcs8), pubNode.publicKey);
  const ctrl = new AbortController();
  const res = await fetch(`${subNode.url}/v1/channels/scale/events`, { headers: { authorization: `Bearer ${subNode.readToken}` }, signal: ctrl.signal });
  const waiting = new Map<string, (t: number) => void>();
  void (async () => {
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const t = performance.now();
        buf += Buffer.from(chunk).toString();
        for (const m of buf.matchAll(/"title":"(scale-[0-9]+)"/g)) waiting.get(m[1] as string)?.(t);
        buf = buf.slice(buf.lastIndexOf('\n\n') + 1);
      }
    } catch { /* aborted */ }
  })();
  await sleep(200);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const title = `scale-${i}-${Date.now()}`.replace(/-(\d+)$/, '$1');
    const got = new Promise<number>((resolve) => waiting.set(title, resolve));
    const t0 = performance.now();
    const r = await publish(pubNode.url, pubNode.publishToken, { ...newsRecord(title), channel: 'scale' }, key);
    if (r.status !== 201) throw new Error(`publish failed: ${r.status} ${r.body}`);
    const t1 = await Promise.race([got, sleep(5000).then(() => Number.NaN)]);
    if (Number.isNaN(t1)) throw new Error('a published message never reached the subscriber');
    out.push(t1 - t0);
  }
  ctrl.abort();
  return out;
}

export async function rowScale(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const notes: string[] = [];
  const facts: Record<string, unknown> = {};
  const children: NodeChild<FeedInfo>[] = [];
  const cluster = await startCluster();
  if (!('url' in cluster)) throw new Error(`PostgreSQL unavailable: ${cluster.error}`);
  try {
    const admin = new pg.Client(cluster.url);
    await admin.connect();
    await admin.query('CREATE DATABASE tidings_bench');
    await admin.end();
    const pgUrl = cluster.url.replace(/\/postgres$/, '/tidings_bench');
    const sqlite = await startNode<FeedInfo>('servers/feed.ts', { core: 0 });
    const a = await startNode<FeedInfo>('servers/feed.ts', { core: 0, env: { BENCH_DB: pgUrl } });
    const b = await startNode<FeedInfo>('servers/feed.ts', { core: 0, env: { BENCH_DB: pgUrl } });
    children.push(sqlite, a, b);
    const etagOf = async (url: string) => (await fetch(`${url}/v1/heads`)).headers.get('etag') ?? '';
    const check = async (node: FeedInfo, connections: number) => {
      const r = await load({ url: `${node.url}/v1/heads`, headers: { 'If-None-Match': await etagOf(node.url) }, connections, seconds: cfg.seconds, expect: 304, smoke: cfg.smoke });
      if (r.bad > 0) notes.push(`${r.bad} unexpected answers from ${node.url}`);
      return r.rps;
    };
    const one: number[] = [];
    const pgOne: number[] = [];
    const pgTwo: number[] = [];
    for (let i = 0; i < cfg.runs; i++) {
      one.push(await check(sqlite.info, cfg.connections));
      pgOne.push(await check(a.info, cfg.connections));
      const [x, y] = await Promise.all([check(a.info, cfg.connections / 2), check(b.info, cfg.connections / 2)]);
      pgTwo.push(x + y);
    }
    const n = cfg.smoke ? 5 : 40;
    const cross = await pushLatency(a.info, b.info, n);
    const local = await pushLatency(sqlite.info, sqlite.info, n);
    facts.deliveries = { crossNode: cross.length, sqlite: local.length, of: n };
    const p = (xs: number[], q: number) => [percentile(xs, q)];
    notes.push(`publish → received across nodes: p50 ${percentile(cross, 50).toFixed(1)} ms, p99 ${percentile(cross, 99).toFixed(1)} ms; SQLite same node: p50 ${percentile(local, 50).toFixed(1)} ms, p99 ${percentile(local, 99).toFixed(1)} ms`);
    notes.push('all processes share this machine\'s 2 cores with PostgreSQL: node count does not add CPU here, so throughput ratios show overhead, not scaling');
    return {
      row: 12,
      title: 'scale-out: two nodes on PostgreSQL beside one SQLite node',
      lines: [
        makeLine('scale-unchanged-pg-1node', fig('PostgreSQL node', pgOne, 'req/s'), fig('SQLite node', one, 'req/s'), { op: '≥', ratio: 0.5 }),
        makeLine('scale-unchanged-pg-2nodes', fig('2 PostgreSQL nodes', pgTwo, 'req/s'), fig('SQLite node', one, 'req/s'), { op: '≥', ratio: 0.5 }),
        makeLine('scale-publish-receive-p99', fig('cross-node (PostgreSQL)', p(cross, 99), 'ms'), fig('same node (SQLite)', p(local, 99), 'ms'), { op: '≤', absolute: 50 }),
      ],
      facts,
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const c of children) await c.stop();
    cluster.stop();
  }
}
