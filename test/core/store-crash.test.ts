// Crash safety of the store with real processes: kill -9 at named fault points (reliability case 20), during a
// migration (46) and at random moments of bulk writes (41); corrupt database fixtures (43).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, truncateSync, unlinkSync, writeFileSync, writeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../../electron/core/store/store.ts';
import { latestVersion } from '../../electron/core/store/migrations/index.ts';
import { newsMsg } from './helpers/messages.ts';
import { tempDir } from './helpers/tmp.ts';

const child = join(import.meta.dirname, 'helpers', 'store-child.ts');

function runChild(file: string, mode: string, point = '') {
  return spawnSync(process.execPath, [child, file, mode, point], { encoding: 'utf8', timeout: 20_000 });
}

/** Opens the file the way a restarted app would and reports what it finds. */
function inspect(file: string) {
  const store = new Store({ file });
  try {
    const integrity = store.db.pragma('integrity_check', { simple: true });
    const rows = store.db.prepare(`SELECT COUNT(*) FROM messages`).pluck().get() as number;
    const maxSeq = (store.db.prepare(`SELECT MAX(seq) FROM messages`).pluck().get() as number | null) ?? 0;
    const cursor = store.cursor('s', 'news')?.cursor ?? 0;
    return { integrity, rows, maxSeq, cursor, version: store.db.pragma('user_version', { simple: true }), recovery: store.recovery };
  } finally {
    store.close();
  }
}

for (const point of ['apply:after-insert', 'apply:before-cursor', 'apply:before-commit', 'after-commit']) {
  test(`kill -9 at ${point}: rows and cursor are both present or both absent; the next poll fills the gap once`, (t) => {
    const file = join(tempDir(t), 'c.db');
    const r = runChild(file, 'apply', point);
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const after = inspect(file);
    assert.equal(after.integrity, 'ok');
    const committed = point === 'after-commit';
    assert.deepEqual([after.rows, after.cursor], committed ? [5, 5] : [0, 0]);
    if (committed) {
      // Case 21: killed after the commit, before any toast was shown: the same answer again toasts nothing
      // (the notified flags were committed with the rows), and each message is listed once.
      const store = new Store({ file });
      const again = store.apply('s', { messages: Array.from({ length: 5 }, (_, i) => newsMsg(i + 1)), cursors: [{ channel: 'news', cursor: 5 }], now: 1 });
      assert.deepEqual([again.inserted.length, again.toasts.length, store.list().length], [0, 0, 5]);
      store.close();
    }
    // The next poll (same child, no fault) continues from the cursor: no gaps, no duplicates.
    assert.equal(runChild(file, 'apply').status, 0);
    const next = inspect(file);
    assert.deepEqual([next.rows, next.maxSeq, next.cursor], committed ? [10, 10, 10] : [5, 5, 5]);
  });
}

test('kill -9 in the middle of a migration: the restart sees the old version and migrates cleanly', (t) => {
  const file = join(tempDir(t), 'c.db');
  const r = runChild(file, 'open', 'migration:1:5');
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const raw = new Database(file);
  assert.equal(raw.pragma('user_version', { simple: true }), 0);
  assert.equal(raw.prepare(`SELECT COUNT(*) FROM sqlite_schema`).pluck().get(), 0, 'no half-made schema');
  raw.close();
  const after = inspect(file);
  assert.equal(after.version, latestVersion);
  assert.equal(after.integrity, 'ok');
  assert.equal(after.recovery, null);
});

test('kill -9 at random moments during bulk writes: every restart is consistent (scaled-down case 41)', async (t) => {
  const file = join(tempDir(t), 'c.db');
  const loops = Number(process.env.TIDINGS_CRASH_LOOPS ?? 12);
  let lastCursor = 0;
  for (let i = 0; i < loops; i++) {
    const p = spawn(process.execPath, [child, file, 'loop'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      p.stdout.once('data', () => resolve());
      p.once('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, 5 + Math.random() * 60));
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
    const s = inspect(file);
    assert.equal(s.integrity, 'ok');
    assert.equal(s.rows, s.cursor, `loop ${i}: cursor matches the stored rows`);
    assert.equal(s.maxSeq, s.cursor);
    assert.ok(s.cursor >= lastCursor, 'nothing committed was lost');
    lastCursor = s.cursor;
  }
  assert.ok(lastCursor > 0, 'the child did commit batches between kills');
});

type Corruptor = (file: string) => void;
const fixtures: Record<string, Corruptor> = {
  'garbage header': (f) => {
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.from('this is not a database at all!!'.repeat(4)), 0, 100, 0);
    closeSync(fd);
  },
  'zero-length file': (f) => truncateSync(f, 0),
  'page 2 overwritten': (f) => {
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
    closeSync(fd);
  },
  'truncated mid-page': (f) => truncateSync(f, Math.floor(statSync(f).size / 2) + 1000),
  '-wal with its database missing': (f) => {
    // The database itself is gone, an orphaned log is left behind.
    unlinkSync(f);
    writeFileSync(`${f}-wal`, Buffer.alloc(8192, 7));
  },
};

for (const [name, corrupt] of Object.entries(fixtures)) {
  test(`corrupt database (${name}): moved aside with a timestamp, fresh schema, notice, and the second start is clean`, (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'c.db');
    const seed = new Store({ file });
    seed.ensureSource('s', 'feed-v1', 'https://x');
    seed.apply('s', { messages: Array.from({ length: 300 }, (_, i) => newsMsg(i + 1, { title: 't'.repeat(150) })), cursors: [{ channel: 'news', cursor: 300 }], now: 1 });
    seed.close();
    corrupt(file);
    const first = new Store({ file });
    assert.ok(first.recovery, 'recovery reported');
    assert.match(first.getMeta('notice') ?? '', /moved aside/);
    assert.equal(first.cursor('s', 'news'), null, 'cursor reset: a full re-sync follows');
    assert.equal(first.db.pragma('integrity_check', { simple: true }), 'ok');
    first.close();
    assert.ok(readdirSync(dir).some((n) => /^c\.db\.corrupt-\d{4}-\d\d-\d\dT/.test(n)), readdirSync(dir).join(','));
    for (const moved of first.recovery.movedTo) assert.ok(existsSync(moved));
    const second = new Store({ file });
    assert.equal(second.recovery, null);
    second.close();
  });
}
