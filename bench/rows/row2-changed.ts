// Row 2: the changed check — a ~1 KB page of messages (GET /v1/channels/stable/messages?after=N) —
// against Fastify and bare node:http each sending the same precomputed buffer; A/A: node:http vs a copy.
// For a public feed and for a private one read with a token (the documented default); wrk judges, and
// rounds are added until every goal is outside the noise (bench/lib/rounds.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from '../lib/config.ts';
import { notJudged } from '../lib/load.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { makeLine, type Figure, type Line, type RowResult } from '../lib/report.ts';
import { runRounds, type HttpTarget } from '../lib/rounds.ts';
import { median } from '../lib/stats.ts';
import { exchange, rawRequest } from '../lib/wire.ts';


export async function row2(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const notes: string[] = [];
  const facts: Record<string, unknown> = {};
  const children: NodeChild<{ url: string }>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-page-'));
  try {
    const feed = await startNode<{ url: string; pageAfter: number; pageBytes: number }>('servers/feed.ts', { core: 0 });
    // The documented default: a private feed read with the app's read token.
    const priv = await startNode<{ url: string; pageAfter: number; readToken: string }>('servers/feed.ts', { core: 0, env: { BENCH_PUBLIC: '0' } });
    children.push(feed, priv);
    const pageUrl = `${feed.info.url}/v1/channels/stable/messages?after=${feed.info.pageAfter}`;
    const page = Buffer.from(await (await fetch(pageUrl)).arrayBuffer());
    const bodyFile = join(dir, 'page.json');
    writeFileSync(bodyFile, page);
    const env = { BENCH_BODY_FILE: bodyFile, BENCH_MODE: 'body' };
    const fastify = await startNode<{ url: string }>('servers/fastify.ts', { core: 0, env });
    const node = await startNode<{ url: string }>('servers/node-http.ts', { core: 0, env });
    const copy = await startNode<{ url: string }>('servers/node-http.ts', { core: 0, env });
    children.push(fastify, node, copy);
    const path = `/v1/channels/stable/messages?after=${feed.info.pageAfter}`;
    const auth = { Authorization: `Bearer ${priv.info.readToken}` };
    const targets: Record<string, HttpTarget> = {
      ours: { label: 'feed service', url: pageUrl, headers: {}, runs: [] },
      token: { label: 'feed service, read token', url: `${priv.info.url}/v1/channels/stable/messages?after=${priv.info.pageAfter}`, headers: auth, runs: [] },
      fastify: { label: 'Fastify', url: `${fastify.info.url}${path}`, headers: {}, runs: [] },
      node: { label: 'node:http', url: `${node.info.url}${path}`, headers: {}, runs: [] },
      copy: { label: 'node:http (copy)', url: `${copy.info.url}${path}`, headers: {}, runs: [] },
    };

    // Hard facts: all answer 200 with a page of the same size (the private feed's own records differ
    // only in their signatures and ids, which have fixed lengths).
    facts.pageBytes = page.length;
    facts.messages = (JSON.parse(page.toString()) as { messages: unknown[] }).messages.length;
    for (const [key, t] of Object.entries(targets)) {
      const u = new URL(t.url);
      const ex = await exchange(Number(u.port), rawRequest('GET', u.pathname + u.search, [['Host', u.host], ...Object.entries(t.headers)]));
      facts[key] = { status: ex.status, bodyBytes: ex.bodyBytes, responseBytes: ex.responseBytes };
      if (ex.status !== 200 || ex.bodyBytes !== page.length) throw new Error(`${t.label} answered ${ex.status} with ${ex.bodyBytes} bytes, not the ${page.length}-byte page`);
    }
    const refused = await fetch(targets.token!.url);
    facts.withoutToken = refused.status;
    if (refused.status !== 401) throw new Error(`the private feed answered ${refused.status} without a token`);

    const goals = [
      { ours: 'ours', anchor: 'fastify', ratio: 1.0 }, { ours: 'ours', anchor: 'node', ratio: 0.9 },
      { ours: 'token', anchor: 'fastify', ratio: 1.0 }, { ours: 'token', anchor: 'node', ratio: 0.9 },
    ];
    const { rounds, bad, decided } = await runRounds(cfg, targets, { expect: 200, goals, aa: { ours: 'copy', anchor: 'node' } });
    notes.push(`${rounds} round(s) of ${cfg.seconds} s per target${decided ? '' : ' (the maximum; some goal is still within the noise)'}`);
    if (bad > 0) notes.push(`${bad} responses were not 200 or failed`);
    facts.badResponses = bad;
    facts.rounds = rounds;

    const fig = (t: HttpTarget): Figure => ({ label: t.label, value: median(t.runs), unit: 'req/s', runs: t.runs });
    const unjudged = notJudged(cfg.smoke);
    const judge = (l: Line): Line => (unjudged && l.kind === 'goal' ? { ...l, unjudged } : l);
    const ours = fig(targets.ours!);
    const token = fig(targets.token!);
    return {
      row: 2,
      title: `changed check (a ${page.length} B page of ${facts.messages as number} messages), keep-alive, ${cfg.connections} connections; public feed and read with a token`,
      lines: [
        makeLine('changed-vs-fastify', ours, fig(targets.fastify!), { op: '≥', ratio: 1.0 }),
        makeLine('changed-vs-node-http', ours, fig(targets.node!), { op: '≥', ratio: 0.9 }),
        makeLine('changed-token-vs-fastify', token, fig(targets.fastify!), { op: '≥', ratio: 1.0 }),
        makeLine('changed-token-vs-node-http', token, fig(targets.node!), { op: '≥', ratio: 0.9 }),
        makeLine('changed-aa-node-http', fig(targets.copy!), fig(targets.node!), { op: '≥', ratio: 1.0 }, 'aa'),
      ].map(judge),
      facts,
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
