// Row 10's processes, started with --expose-gc so RSS is read after full collections.
// BENCH_MODE=core: the companion core as the preview hosts it (createCompanion on BENCH_DATA_DIR, whose
// tidings.db the parent filled, three feed-v1 sources on the bench feed, manual checks only), after its first
// check and the reads the inbox makes (first page, unread counts); IPC `checks` runs more checks of every source.
// BENCH_MODE=empty: the anchor, a Node process that opens the same database with better-sqlite3 and reads the
// same first page. Core code is imported only in core mode, so the anchor carries none of it.
import { join } from 'node:path';
import { serveIpc } from '../lib/proc.ts';

const dataDir = process.env.BENCH_DATA_DIR as string;
const mode = process.env.BENCH_MODE === 'core' ? 'core' : 'empty';
const heap = () => process.memoryUsage().heapUsed;
const { getHeapSpaceStatistics } = await import('node:v8');
const { readFileSync } = await import('node:fs');
/**
 * RSS after memory-reducing full collections (V8's last-resort GC: what its memory reducer does by itself after
 * ~10-20 s idle, shrinking the young generation back to its minimum). Plain full GCs leave the young generation
 * at whatever size the last burst of allocation grew it to, so a reading right after 1,000 back-to-back checks
 * and one right after start-up would compare different GC states. Every process of the row reads this way.
 */
const settledRss = async () => {
  const g = (globalThis as unknown as { gc: (o?: unknown) => void }).gc;
  g({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  await new Promise((r) => setTimeout(r, 100));
  g({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return process.memoryUsage().rss;
};
/** Where the resident memory is: V8's spaces (reserved), anonymous vs file-backed pages, external memory. */
const breakdown = () => {
  const m = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  return { heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), spaces };
};

if (mode === 'empty') {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'tidings.db'));
  db.pragma('journal_mode = WAL');
  const page = db.prepare(`SELECT * FROM messages WHERE channel = 'news' ORDER BY created DESC, rowid DESC LIMIT 50`).all();
  serveIpc(async (msg) => {
    if (msg.cmd === 'rss') return { rss: await settledRss(), heap: heap(), rows: page.length, ...breakdown() };
    throw new Error(`unknown command ${String(msg.cmd)}`);
  });
  process.send?.({ ready: true });
} else {
  const { createCompanion } = await import('../../electron/core/index.ts');
  const url = process.env.BENCH_URL as string;
  const token = process.env.BENCH_TOKEN as string;
  const companion = await createCompanion({
    dataDir, publisherKeys: [process.env.BENCH_KEY as string], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: ['main', 'second', 'third'].map((id) => ({ kind: 'feed-v1' as const, id, url, token })),
    allowLoopbackHttp: true, intervalMs: null,
    // Keep all 100,000 (the default keeps 5,000 for 180 days).
    retention: { maxAgeDays: 36_500, maxCount: 1_000_000 },
  });
  companion.start();
  await companion.checkAll();
  const read = () => {
    companion.listMessages({ channel: 'news', limit: 50 });
    companion.unreadCounts();
  };
  read();
  serveIpc(async (msg) => {
    if (msg.cmd === 'rss') return { rss: await settledRss(), heap: heap(), stored: companion.countMessages(), ...breakdown() };
    if (msg.cmd === 'checks') {
      const failed = new Set<string>();
      for (let i = 0; i < Number(msg.n); i++) {
        await companion.checkAll();
        read();
      }
      for (const s of companion.sources()) if (s.lastError) failed.add(`${s.id}: ${s.lastError}`);
      return { failed: [...failed] };
    }
    throw new Error(`unknown command ${String(msg.cmd)}`);
  });
  process.on('SIGTERM', () => void companion.close().then(() => process.exit(0)));
  process.send?.({ ready: true });
}
