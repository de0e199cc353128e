// Row 2: the changed check — a ~1 KB page of messages (GET /v1/channels/stable/messages?after=N) —
// against Fastify and bare node:http each sending the same precomputed buffer; A/A: node:http vs a copy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from '../lib/config.ts';
import { load } from '../lib/load.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median, rotate } from '../lib/stats.ts';
import { exchange, rawRequest } from '../lib/wire.ts';

interface Target { label: string; url: string; runs: number[] }

export async function row2(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const notes: string[] = [];
  const facts: Record<string, unknown> = {};
  const children: NodeChild<{ url: string }>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-page-'));
  try {
    const feed = await startNode<{ url: string; pageAfter: number; pageBytes: number }>('servers/feed.ts', { core: 0 });
    children.push(feed);
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
    const targets: Record<string, Target> = {
      ours: { label: 'feed service', url: pageUrl, runs: [] },
      fastify: { label: 'Fastify', url: `${fastify.info.url}${path}`, runs: [] },
      node: { label: 'node:http', url: `${node.info.url}${path}`, runs: [] },
      copy: { label: 'node:http (copy)', url: `${copy.info.url}${path}`, runs: [] },
    };

    // Hard facts: all four answer 200 with the very same body bytes.
    facts.pageBytes = page.length;
    facts.messages = (JSON.parse(page.toString()) as { messages: unknown[] }).messages.length;
    for (const [key, t] of Object.entries(targets)) {
      const u = new URL(t.url);
      const ex = await exchange(Number(u.port), rawRequest('GET', u.pathname + u.search, [['Host', u.host]]));
      facts[key] = { status: ex.status, bodyBytes: ex.bodyBytes, responseBytes: ex.responseBytes };
      if (ex.status !== 200 || ex.bodyBytes !== page.length) throw new Error(`${t.label} answered ${ex.status} with ${ex.bodyBytes} bytes, not the ${page.length}-byte page`);
    }

    const keys = Object.keys(targets);
    if (cfg.warmup > 0) for (const k of keys) await load({ url: targets[k]!.url, connections: cfg.connections, seconds: cfg.warmup, expect: 200, smoke: cfg.smoke });
    let bad = 0;
    for (let run = 0; run < cfg.runs; run++) {
      for (const k of rotate(keys, run)) {
        const t = targets[k]!;
        const r = await load({ url: t.url, connections: cfg.connections, seconds: cfg.seconds, expect: 200, smoke: cfg.smoke });
        t.runs.push(r.rps);
        bad += r.bad;
      }
    }
    if (bad > 0) notes.push(`${bad} responses were not 200 or failed`);
    facts.badResponses = bad;

    const fig = (t: Target): Figure => ({ label: t.label, value: median(t.runs), unit: 'req/s', runs: t.runs });
    const ours = fig(targets.ours!);
    return {
      row: 2,
      title: `changed check (a ${page.length} B page of ${facts.messages as number} messages), keep-alive, ${cfg.connections} connections`,
      lines: [
        makeLine('changed-vs-fastify', ours, fig(targets.fastify!), { op: '≥', ratio: 1.0 }),
        makeLine('changed-vs-node-http', ours, fig(targets.node!), { op: '≥', ratio: 0.9 }),
        makeLine('changed-aa-node-http', fig(targets.copy!), fig(targets.node!), { op: '≥', ratio: 1.0 }, 'aa'),
      ],
      facts,
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
