// Row 1: the routine unchanged check (GET /v1/heads with If-None-Match → 304), keep-alive, 100
// connections, against a bare node:http server answering a fixed 304 and nginx (1 worker) answering 304
// for a static file; an A/A pair (node:http against a second copy of itself) shows the noise.
import type { BenchConfig } from '../lib/config.ts';
import { load } from '../lib/load.ts';
import { startNginx } from '../lib/nginx.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median, rotate } from '../lib/stats.ts';
import { exchange, rawRequest } from '../lib/wire.ts';

interface Target { label: string; url: string; headers: Record<string, string>; runs: number[] }

const HEADS = JSON.stringify({ heads: { news: 1, stable: 5 } });

export async function row1(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const notes: string[] = [];
  const facts: Record<string, unknown> = {};
  const children: NodeChild<{ url: string; etag?: string }>[] = [];
  const nginx = await startNginx({ 'heads.json': HEADS });
  try {
    const feed = await startNode<{ url: string }>('servers/feed.ts', { core: 0 });
    const node = await startNode<{ url: string; etag: string }>('servers/node-http.ts', { core: 0, env: { BENCH_MODE: '304' } });
    const copy = await startNode<{ url: string; etag: string }>('servers/node-http.ts', { core: 0, env: { BENCH_MODE: '304' } });
    children.push(feed, node, copy);

    // Each target's validator comes from a first plain GET, as a client's would.
    const etagOf = async (url: string) => (await fetch(url)).headers.get('etag') ?? '';
    const targets: Record<string, Target> = {
      ours: { label: 'feed service', url: `${feed.info.url}/v1/heads`, headers: {}, runs: [] },
      node: { label: 'node:http', url: `${node.info.url}/v1/heads`, headers: { 'If-None-Match': node.info.etag }, runs: [] },
      copy: { label: 'node:http (copy)', url: `${copy.info.url}/v1/heads`, headers: { 'If-None-Match': copy.info.etag }, runs: [] },
    };
    targets.ours!.headers = { 'If-None-Match': await etagOf(targets.ours!.url) };
    if (nginx.ok) targets.nginx = { label: 'nginx', url: `${nginx.url}/heads.json`, headers: {}, runs: [] };
    if (targets.nginx) targets.nginx.headers = { 'If-None-Match': await etagOf(targets.nginx.url) };

    // Hard facts: every target really answers 304 with an empty body to the request the load sends.
    for (const [key, t] of Object.entries(targets)) {
      const u = new URL(t.url);
      const ex = await exchange(Number(u.port), rawRequest('GET', u.pathname, [['Host', u.host], ...Object.entries(t.headers)]));
      facts[key] = { status: ex.status, bodyBytes: ex.bodyBytes, responseBytes: ex.responseBytes };
      if (ex.status !== 304 || ex.bodyBytes !== 0) throw new Error(`${t.label} answered ${ex.status} with ${ex.bodyBytes} body bytes, not an empty 304`);
    }

    const keys = Object.keys(targets);
    if (cfg.warmup > 0) for (const k of keys) await load({ ...targets[k]!, connections: cfg.connections, seconds: cfg.warmup, expect: 304, smoke: cfg.smoke });
    let bad = 0;
    for (let run = 0; run < cfg.runs; run++) {
      for (const k of rotate(keys, run)) {
        const t = targets[k]!;
        const r = await load({ url: t.url, headers: t.headers, connections: cfg.connections, seconds: cfg.seconds, expect: 304, smoke: cfg.smoke });
        t.runs.push(r.rps);
        bad += r.bad;
      }
    }
    if (bad > 0) notes.push(`${bad} responses were not 304 or failed (rate limit, errors) — see facts`);
    facts.badResponses = bad;

    const fig = (t: Target | undefined, label: string): Figure => ({ label, value: t ? median(t.runs) : null, unit: 'req/s', runs: t?.runs ?? [] });
    const ours = fig(targets.ours, 'feed service');
    return {
      row: 1,
      title: 'unchanged check (If-None-Match → 304), keep-alive, ' + cfg.connections + ' connections',
      lines: [
        makeLine('unchanged-vs-node-http', ours, fig(targets.node, 'node:http'), { op: '≥', ratio: 1.0 }),
        makeLine('unchanged-vs-nginx', ours, fig(targets.nginx, 'nginx'), { op: '≥', ratio: 0.35 }, 'goal', nginx.ok ? undefined : nginx.why),
        makeLine('unchanged-aa-node-http', fig(targets.copy, 'node:http (copy)'), fig(targets.node, 'node:http'), { op: '≥', ratio: 1.0 }, 'aa'),
      ],
      facts,
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    if (nginx.ok) await nginx.stop();
  }
}
