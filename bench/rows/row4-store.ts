// Row 4: persist one poll of 100 messages (one transaction, WAL, synchronous=NORMAL). Ours: Store.apply
// (dedupe by id, retraction check, cursor, toast marks). Anchors: a raw better-sqlite3 prepared-insert loop
// on the same schema and pragmas, and node:sqlite doing the same; an A/A pair of the raw loop.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DatabaseSync } from 'node:sqlite';
import type { BenchConfig } from '../lib/config.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median, rotate } from '../lib/stats.ts';
import { Store } from '../../electron/core/store/store.ts';
import { migrations } from '../../electron/core/store/migrations/index.ts';
import { batch, tempDir } from './core-fixtures.ts';

const INSERT = `INSERT INTO messages (source_id, id, seq, channel, kind, trusted, version, critical, retracts, title, link, expires, record, created, received, notified)
  VALUES (?, ?, ?, ?, ?, 0, NULL, 0, NULL, ?, NULL, NULL, ?, ?, ?, 1)`;
const CURSOR = `INSERT INTO cursors (source_id, channel, cursor) VALUES ('s', 'news', ?) ON CONFLICT (source_id, channel) DO UPDATE SET cursor = excluded.cursor`;
const RECEIVED = 1_800_000_000;
const PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000', 'journal_size_limit = 4194304'];

type Target = { label: string; setup(dir: string): (poll: number) => void; close(): void };

function schema(exec: (sql: string) => void): void {
  for (const m of migrations) for (const s of m.statements) exec(s);
  exec(`INSERT INTO sources (id, kind, url) VALUES ('s', 'feed-v1', 'https://x')`);
}

function ours(): Target {
  let store: Store | null = null;
  return {
    label: 'Store.apply',
    setup(dir) {
      store = new Store({ file: join(dir, 'ours.db') });
      store.ensureSource('s', 'feed-v1', 'https://x');
      // Received after they were created (as in use), so the store keeps the feed's created times.
      return (poll) => void store!.apply('s', { messages: batch(poll * 100, 100), cursors: [{ channel: 'news', cursor: poll * 100 + 100 }], now: RECEIVED });
    },
    close: () => store?.close(),
  };
}

function raw(label: string, file: string): Target {
  let db: Database.Database | null = null;
  return {
    label,
    setup(dir) {
      db = new Database(join(dir, file));
      for (const p of PRAGMAS) db.pragma(p);
      schema((s) => db!.exec(s));
      const ins = db.prepare(INSERT);
      const cur = db.prepare(CURSOR);
      const tx = db.transaction((poll: number) => {
        for (const m of batch(poll * 100, 100)) ins.run('s', m.id, m.seq, m.channel, m.kind, m.title, JSON.stringify(m.record), m.created, 1);
        cur.run(poll * 100 + 100);
      });
      return (poll) => tx(poll);
    },
    close: () => db?.close(),
  };
}

function nodeSqlite(): Target {
  let db: DatabaseSync | null = null;
  return {
    label: 'node:sqlite',
    setup(dir) {
      db = new DatabaseSync(join(dir, 'node.db'));
      for (const p of PRAGMAS) db.exec(`PRAGMA ${p}`);
      schema((s) => db!.exec(s));
      const ins = db.prepare(INSERT);
      const cur = db.prepare(CURSOR);
      return (poll) => {
        db!.exec('BEGIN');
        for (const m of batch(poll * 100, 100)) ins.run('s', m.id, m.seq, m.channel, m.kind, m.title, JSON.stringify(m.record), m.created, 1);
        cur.run(poll * 100 + 100);
        db!.exec('COMMIT');
      };
    },
    close: () => db?.close(),
  };
}

/** Polls per second over `polls` polls into a fresh database, and the process CPU time per poll (ms). */
function measure(t: Target, polls: number): { rate: number; cpu: number } {
  const tmp = tempDir();
  try {
    const run = t.setup(tmp.dir);
    for (let i = 0; i < 5; i++) run(i);
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (let i = 5; i < polls + 5; i++) run(i);
    const cpu = process.cpuUsage(cpu0);
    return { rate: polls / (Number(process.hrtime.bigint() - start) / 1e9), cpu: (cpu.user + cpu.system) / 1000 / polls };
  } finally {
    t.close();
    tmp.done();
  }
}

export async function row4(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  // Many short rounds in rotating order rather than a few long ones: on a shared machine a disturbed round then
  // moves the interquartile range (bench/lib/rounds.ts) less than it would move a median of three.
  const polls = cfg.smoke ? 20 : 100;
  const rounds = cfg.smoke ? cfg.runs : Math.max(cfg.runs, 9);
  const targets = { ours: ours, raw: () => raw('raw better-sqlite3', 'raw.db'), rawCopy: () => raw('raw better-sqlite3 (copy)', 'raw2.db'), node: nodeSqlite };
  const runs: Record<keyof typeof targets, number[]> = { ours: [], raw: [], rawCopy: [], node: [] };
  const cpu: Record<keyof typeof targets, number[]> = { ours: [], raw: [], rawCopy: [], node: [] };
  for (let r = 0; r < rounds; r++) {
    for (const k of rotate(Object.keys(targets) as (keyof typeof targets)[], r)) {
      const m = measure(targets[k](), polls);
      runs[k].push(m.rate);
      cpu[k].push(m.cpu);
    }
  }
  const cpuText = (k: keyof typeof targets) => `${median(cpu[k]).toFixed(2)} ms`;
  const fig = (label: string, xs: number[]): Figure => ({ label, value: median(xs), unit: 'polls/s', runs: xs });
  const lines = [
    makeLine('store-poll-vs-raw', fig('Store.apply', runs.ours), fig('raw better-sqlite3', runs.raw), { op: '≥', ratio: 0.9 }),
    makeLine('store-poll-vs-node-sqlite', fig('Store.apply', runs.ours), fig('node:sqlite', runs.node), { op: '≥', ratio: 1.0 }),
    makeLine('store-poll-aa-raw', fig('raw better-sqlite3 (copy)', runs.rawCopy), fig('raw better-sqlite3', runs.raw), { op: '≥', ratio: 1 }, 'aa'),
  ];
  return {
    row: 4, title: 'store: persist one poll of 100 messages', lines, facts: { polls, rounds, messagesPerPoll: 100, cpuMsPerPoll: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)])) },
    notes: [
      `${rounds} rounds of ${polls} polls; process CPU per poll (median): Store.apply ${cpuText('ours')}, raw better-sqlite3 ${cpuText('raw')} (copy ${cpuText('rawCopy')}), node:sqlite ${cpuText('node')}`,
      'ours also de-duplicates by id, checks whether the source has any retraction, marks due toasts and returns the new items; the anchors only insert',
    ],
    seconds: (Date.now() - started) / 1000,
  };
}
