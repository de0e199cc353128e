// Row 10: memory of the core host idle with 100,000 stored messages and 3 sources (bench/clients/core-host.ts,
// core mode), against an empty Node process that opens the same database with better-sqlite3 and reads the same
// first page (empty mode); A/A: a second empty process. Then 1,000 more checks of every source (a leak check):
// RSS (in MB) and the JS heap after memory-reducing full collections (bench/clients/core-host.ts), before and after. The feed service runs in its own process.
import { join } from 'node:path';
import type { BenchConfig } from '../lib/config.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { bundleChild } from '../lib/bundle.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median } from '../lib/stats.ts';
import { Store } from '../../electron/core/store/store.ts';
import { tempDir } from './core-fixtures.ts';
import { servedNews } from './row11-disk.ts';

type Mem = { rss: number; heap: number; heapTotal: number; rssAnon: number; rssFile: number };
const MB = 1024 * 1024;

export async function row10(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const total = cfg.smoke ? 5_000 : 100_000;
  const checks = cfg.smoke ? 20 : 1_000;
  const feed = await startNode<{ url: string; readToken: string; publicKey: string }>('servers/feed.ts', { core: 0 });
  const tmp = tempDir();
  const children: NodeChild<unknown>[] = [];
  try {
    const store = new Store({ file: join(tmp.dir, 'tidings.db') });
    store.ensureSource('main', 'feed-v1', feed.info.url);
    for (let from = 0; from < total; from += 1000) {
      store.apply('main', { messages: Array.from({ length: 1000 }, (_, i) => servedNews(from + i + 1)), cursors: [], now: 1_800_000_000 });
    }
    store.close();

    // Both children run as one bundled module each (bench/lib/bundle.ts), as a shipped app's code would.
    const script = await bundleChild('clients/core-host.ts', 'core-host');
    const env = { BENCH_DATA_DIR: tmp.dir, BENCH_URL: feed.info.url, BENCH_TOKEN: feed.info.readToken, BENCH_KEY: feed.info.publicKey };
    const start = async (mode: 'core' | 'empty') => {
      const c = await startNode(script, { core: 1, env: { ...env, BENCH_MODE: mode }, execArgv: ['--expose-gc'], timeoutMs: 120_000 });
      children.push(c);
      return c;
    };
    const mem = (c: NodeChild<unknown>) => c.ask<Mem & { error?: string }>({ cmd: 'rss' });
    // One at a time, so two processes never compete for the page cache's first reads; three readings each.
    const readings = async (c: NodeChild<unknown>) => {
      const out: Mem[] = [];
      for (let i = 0; i < (cfg.smoke ? 1 : 3); i++) out.push(await mem(c));
      return out;
    };
    const empty = await start('empty');
    const emptyMem = await readings(empty);
    await empty.stop();
    const emptyCopy = await start('empty');
    const copyMem = await readings(emptyCopy);
    await emptyCopy.stop();
    const core = await start('core');
    const idle = await readings(core);
    const run = async () => {
      const ran = await core.ask<{ failed: string[]; error?: string }>({ cmd: 'checks', n: checks }, 600_000);
      if (ran.error) throw new Error(ran.error);
      return ran.failed;
    };
    const failed = await run();
    const after = await readings(core);
    // A second stretch tells a leak (growing on) from warm-up, which stops: optimized code, and glibc malloc arenas
    // of V8's compiler threads keeping freed compile memory (performance.md, row 10). The young generation is not
    // in it: every reading is taken after memory-reducing GCs, which shrink it back (core-host.ts).
    failed.push(...(await run()));
    const later = await readings(core);
    const stored = (await core.ask<{ stored: number }>({ cmd: 'rss' })).stored;
    await core.stop();

    const rss = (label: string, xs: Mem[]): Figure => ({ label, value: median(xs.map((m) => m.rss / MB)), unit: 'MB', runs: xs.map((m) => m.rss / MB) });
    const heapMb = (xs: Mem[]) => median(xs.map((m) => m.heap / MB)).toFixed(1);
    const lines = [
      makeLine('idle-rss-vs-empty-node', rss('core host idle', idle), rss('empty Node + better-sqlite3', emptyMem), { op: '≤', ratio: 1.5 }),
      makeLine('idle-rss-after-checks', rss(`after ${checks} checks`, after), rss('core host idle', idle), { op: '≤', ratio: 1.02 }),
      makeLine('idle-rss-second-checks', rss(`after ${checks} more`, later), rss(`after ${checks} checks`, after), { op: '≤', ratio: 1.02 }),
      makeLine('idle-aa-empty-node', rss('empty Node + better-sqlite3 (copy)', copyMem), rss('empty Node + better-sqlite3', emptyMem), { op: '≤', ratio: 1 }, 'aa'),
    ];
    return {
      row: 10, title: `memory: core host idle with ${total} stored messages and 3 sources; ${checks} checks`, lines,
      facts: { total, stored, checks, failedChecks: [...new Set(failed)], idle, after, later, empty: emptyMem },
      notes: [
        `JS heap used after memory-reducing GCs: idle ${heapMb(idle)} MB, after ${checks} checks ${heapMb(after)} MB, after ${checks} more ${heapMb(later)} MB; empty process ${heapMb(emptyMem)} MB; ${stored} items in the inbox`,
        `RSS anonymous / file-backed (MB): empty ${median(emptyMem.map((m) => m.rssAnon / MB)).toFixed(1)} / ${median(emptyMem.map((m) => m.rssFile / MB)).toFixed(1)}, idle ${median(idle.map((m) => m.rssAnon / MB)).toFixed(1)} / ${median(idle.map((m) => m.rssFile / MB)).toFixed(1)}, after ${checks} checks ${median(after.map((m) => m.rssAnon / MB)).toFixed(1)} / ${median(after.map((m) => m.rssFile / MB)).toFixed(1)}, after ${checks} more ${median(later.map((m) => m.rssAnon / MB)).toFixed(1)} / ${median(later.map((m) => m.rssFile / MB)).toFixed(1)}`,
        `V8 heap reserved: idle ${median(idle.map((m) => m.heapTotal / MB)).toFixed(1)} MB, after the checks ${median(later.map((m) => m.heapTotal / MB)).toFixed(1)} MB`,
        ...(failed.length > 0 ? [`failed checks: ${[...new Set(failed)].join('; ')}`] : []),
      ],
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const c of children) await c.stop();
    tmp.done();
    await feed.stop();
  }
}
