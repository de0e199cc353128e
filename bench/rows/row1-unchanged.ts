// Row 1: the routine unchanged check (GET /v1/heads with If-None-Match → 304), keep-alive, 100
// connections, against a bare node:http server answering a fixed 304 and nginx (1 worker) answering 304
// for a static file; an A/A pair (node:http against a second copy of itself) shows the noise. Measured for a
// public feed and for the documented default, a private feed read with a token. wrk judges; rounds are
// added until every goal is outside the noise (bench/lib/rounds.ts).
import type { BenchConfig } from '../lib/config.ts';
import { notJudged } from '../lib/load.ts';
import { startNginx } from '../lib/nginx.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { makeLine, type Figure, type Line, type RowResult } from '../lib/report.ts';
import { runRounds, type HttpTarget } from '../lib/rounds.ts';
import { median } from '../lib/stats.ts';
import { exchange, rawRequest } from '../lib/wire.ts';

const HEADS = JSON.stringify({ heads: { news: 1, stable: 5 } });

export async function row1(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const notes: string[] = [];
  const facts: Record<string, unknown> = {};
  const children: NodeChild<{ url: string; etag?: string }>[] = [];
  const nginx = await startNginx({ 'heads.json': HEADS });
  try {
    // The feed service twice: a public feed, and the documented default (a private feed the app reads
    // with its read token on every request).
    const feed = await startNode<{ url: string }>('servers/feed.ts', { core: 0 });
    const priv = await startNode<{ url: string; readToken: string }>('servers/feed.ts', { core: 0, env: { BENCH_PUBLIC: '0' } });
    const node = await startNode<{ url: string; etag: string }>('servers/node-http.ts', { core: 0, env: { BENCH_MODE: '304' } });
    const copy = await startNode<{ url: string; etag: string }>('servers/node-http.ts', { core: 0, env: { BENCH_MODE: '304' } });
    children.push(feed, priv, node, copy);

    // Each target's validator comes from a first plain GET, as a client's would.
    const etagOf = async (url: string, headers: Record<string, string> = {}) => (await fetch(url, { headers })).headers.get('etag') ?? '';
    const auth = { Authorization: `Bearer ${priv.info.readToken}` };
    const targets: Record<string, HttpTarget> = {
      ours: { label: 'feed service', url: `${feed.info.url}/v1/heads`, headers: {}, runs: [] },
      token: { label: 'feed service, read token', url: `${priv.info.url}/v1/heads`, headers: { ...auth }, runs: [] },
      node: { label: 'node:http', url: `${node.info.url}/v1/heads`, headers: { 'If-None-Match': node.info.etag }, runs: [] },
      copy: { label: 'node:http (copy)', url: `${copy.info.url}/v1/heads`, headers: { 'If-None-Match': copy.info.etag }, runs: [] },
    };
    targets.ours!.headers = { 'If-None-Match': await etagOf(targets.ours!.url) };
    targets.token!.headers = { ...auth, 'If-None-Match': await etagOf(targets.token!.url, auth) };
    if (nginx.ok) targets.nginx = { label: 'nginx', url: `${nginx.url}/heads.json`, headers: {}, runs: [] };
    if (targets.nginx) targets.nginx.headers = { 'If-None-Match': await etagOf(targets.nginx.url) };

    // Hard facts: every target really answers 304 with an empty body to the request the load sends.
    for (const [key, t] of Object.entries(targets)) {
      const u = new URL(t.url);
      const ex = await exchange(Number(u.port), rawRequest('GET', u.pathname, [['Host', u.host], ...Object.entries(t.headers)]));
      facts[key] = { status: ex.status, bodyBytes: ex.bodyBytes, responseBytes: ex.responseBytes };
      if (ex.status !== 304 || ex.bodyBytes !== 0) throw new Error(`${t.label} answered ${ex.status} with ${ex.bodyBytes} body bytes, not an empty 304`);
    }
    // Without its token the private feed refuses: the token is really checked on every request.
    const refused = await fetch(targets.token!.url, { headers: { 'If-None-Match': targets.token!.headers['If-None-Match'] as string } });
    facts.withoutToken = refused.status;
    if (refused.status !== 401) throw new Error(`the private feed answered ${refused.status} without a token`);

    const goals = [
      { ours: 'ours', anchor: 'node', ratio: 1.0 }, { ours: 'token', anchor: 'node', ratio: 1.0 },
      { ours: 'ours', anchor: 'nginx', ratio: 0.5 }, { ours: 'token', anchor: 'nginx', ratio: 0.5 },
    ];
    const { rounds, bad, decided } = await runRounds(cfg, targets, { expect: 304, goals, aa: { ours: 'copy', anchor: 'node' } });
    notes.push(`${rounds} round(s) of ${cfg.seconds} s per target${decided ? '' : ' (the maximum; some goal is still within the noise)'}; the anchors' figures serve both the public and the token lines`);
    if (bad > 0) notes.push(`${bad} responses were not 304 or failed (rate limit, errors) — see facts`);
    facts.badResponses = bad;
    facts.rounds = rounds;

    const fig = (t: HttpTarget | undefined, label: string): Figure => ({ label, value: t ? median(t.runs) : null, unit: 'req/s', runs: t?.runs ?? [] });
    const unjudged = notJudged(cfg.smoke);
    const judge = (l: Line): Line => (unjudged && l.kind === 'goal' ? { ...l, unjudged } : l);
    const ours = fig(targets.ours, 'feed service');
    const token = fig(targets.token, 'feed service, read token');
    const nginxWhy = nginx.ok ? undefined : nginx.why;
    return {
      row: 1,
      title: 'unchanged check (If-None-Match → 304), keep-alive, ' + cfg.connections + ' connections; public feed and read with a token',
      lines: [
        makeLine('unchanged-vs-node-http', ours, fig(targets.node, 'node:http'), { op: '≥', ratio: 1.0 }),
        makeLine('unchanged-vs-nginx', ours, fig(targets.nginx, 'nginx'), { op: '≥', ratio: 0.5 }, 'goal', nginxWhy),
        makeLine('unchanged-token-vs-node-http', token, fig(targets.node, 'node:http'), { op: '≥', ratio: 1.0 }),
        makeLine('unchanged-token-vs-nginx', token, fig(targets.nginx, 'nginx'), { op: '≥', ratio: 0.5 }, 'goal', nginxWhy),
        makeLine('unchanged-aa-node-http', fig(targets.copy, 'node:http (copy)'), fig(targets.node, 'node:http'), { op: '≥', ratio: 1.0 }, 'aa'),
      ].map(judge),
      facts,
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    if (nginx.ok) await nginx.stop();
  }
}
