// Store faults under a live source: SQLITE_FULL, a real I/O error and READONLY during a check's commit (case 44), a bounded WAL
// after many polls with a concurrent reader (case 45), a power-loss snapshot of db + WAL (case 42), and the
// idempotence of a replayed answer (case 10).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../../electron/core/store/store.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { v1Harness } from './helpers/harness.ts';
import { newsMsg } from './helpers/messages.ts';
import { tempDir } from './helpers/tmp.ts';

const execFileAsync = promisify(execFile);

test('case 44: SQLITE_FULL during the commit rolls back; the cursor stays; the next poll after space is freed succeeds', async (t) => {
  const feed = await miniFeed();
  const srv = await startFaultServer(t, (q, r) => void feed.handle(q, r));
  for (let i = 0; i < 200; i++) await feed.add({ channel: 'news', title: `n${i}`, body: 'x'.repeat(2000) });
  const h = await v1Harness(t, srv.url, [feed.key.publicKey]);
  const pages = h.store.db.pragma('page_count', { simple: true }) as number;
  h.store.db.pragma(`max_page_count = ${pages + 2}`);
  const full = await h.check(['news']);
  assert.equal(full.ok, false);
  assert.match(full.detail, /full/i);
  assert.equal(h.count(), 0);
  assert.equal(h.store.cursor('s', 'news'), null);
  h.store.db.pragma('max_page_count = 1073741823');
  const ok = await h.check(['news']);
  assert.equal(ok.ok, true, ok.detail);
  assert.equal(h.count(), 200);
});

test('case 44: a read-only database fails the check without moving the cursor, and the engine survives', async (t) => {
  const feed = await miniFeed();
  const srv = await startFaultServer(t, (q, r) => void feed.handle(q, r));
  await feed.add({ channel: 'news', title: 'one' });
  const h = await v1Harness(t, srv.url, [feed.key.publicKey]);
  h.store.db.pragma('query_only = ON');
  const r = await h.check(['news']);
  assert.equal(r.ok, false);
  assert.match(r.detail, /readonly|read-only|query_only|attempt to write/i);
  h.store.db.pragma('query_only = OFF');
  assert.equal(h.store.cursor('s', 'news'), null);
  assert.equal((await h.check(['news'])).ok, true);
  assert.equal(h.count(), 1);
});

test('case 44: a real I/O error (EFBIG → SQLITE_IOERR) during the commit rolls back; the process reports a failure; the next poll succeeds', async (t) => {
  const feed = await miniFeed();
  const srv = await startFaultServer(t, (q, r) => void feed.handle(q, r));
  for (let i = 0; i < 200; i++) await feed.add({ channel: 'news', title: `n${i}`, body: 'x'.repeat(2000) });
  const file = join(tempDir(t), 'c.db');
  const seed = new Store({ file });
  seed.ensureSource('s', 'feed-v1', srv.url);
  seed.close();
  // The commit needs ~500 KB of WAL; every file of the child may grow to 256 KB only.
  const limit = Math.max(256 * 1024, statSync(file).size + 64 * 1024);
  const child = join(import.meta.dirname, 'helpers', 'check-child.ts');
  // Asynchronous: the feed answering the child lives in this process's event loop.
  const run = await execFileAsync('prlimit', [`--fsize=${limit}`, '--', process.execPath, child, file, srv.url, feed.key.publicKey], { encoding: 'utf8', timeout: 20_000 });
  const outcome = JSON.parse(run.stdout) as { ok: boolean; detail: string };
  assert.equal(outcome.ok, false);
  assert.match(outcome.detail, /disk I\/O error|IOERR/i);
  const h = await v1Harness(t, srv.url, [feed.key.publicKey], { file });
  assert.equal(h.store.db.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal(h.count(), 0, 'nothing of the failed commit is visible');
  assert.equal(h.store.cursor('s', 'news'), null, 'the cursor did not move');
  const ok = await h.check(['news']);
  assert.equal(ok.ok, true, ok.detail);
  assert.equal(h.count(), 200);
});

test('case 10: the same answer served twice changes nothing the second time', async (t) => {
  const feed = await miniFeed();
  await feed.add({ channel: 'news', title: 'one' });
  const srv = await startFaultServer(t, (q, r) => {
    // No ETag support: the same 200 body every time.
    if (q.url === '/v1/heads') q.headers['if-none-match'] = undefined;
    feed.handle(q, r);
  });
  const h = await v1Harness(t, srv.url, [feed.key.publicKey]);
  await h.check(['news']);
  await feed.add({ channel: 'news', title: 'two' });
  await h.check(['news']);
  const before = h.store.unreadCounts();
  assert.deepEqual(before, { total: 1, byChannel: { news: 1 } }, '"two" came after the first sync');
  h.store.apply('s', { messages: [], cursors: [{ channel: 'news', cursor: 0 }], now: 1 });
  const again = await h.check(['news']);
  assert.equal(again.result?.inserted.length, 0);
  assert.equal(again.result?.toasts.length, 0);
  assert.deepEqual(h.store.unreadCounts(), before);
  assert.equal(h.count(), 2);
});

test('case 45: after 3,000 polls with a concurrent reader the WAL stays under its bound', (t) => {
  const file = join(tempDir(t), 'c.db');
  const store = new Store({ file });
  t.after(() => store.close());
  store.ensureSource('s', 'feed-v1', 'https://x');
  const reader = new Database(file, { readonly: true });
  t.after(() => reader.close());
  let maxWal = 0;
  for (let i = 0; i < 3000; i++) {
    store.apply('s', { messages: [newsMsg(i + 1, { title: 'y'.repeat(150) })], cursors: [{ channel: 'news', cursor: i + 1 }], now: 1 });
    if (i % 100 === 0) reader.prepare('SELECT COUNT(*) FROM messages').get();
    if (i % 250 === 0) maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
  }
  maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
  assert.ok(maxWal <= 4.5 * 1024 * 1024, `WAL reached ${maxWal} bytes`);
  assert.equal(reader.prepare('SELECT COUNT(*) FROM messages').pluck().get(), 3000);
});

test('case 42: a power-loss snapshot (db + WAL copied between writes) opens consistent, cursor and rows together (read/dismissed flags accept the same NORMAL-mode loss)', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'c.db');
  const store = new Store({ file });
  t.after(() => store.close());
  store.ensureSource('s', 'feed-v1', 'https://x');
  for (let i = 0; i < 20; i++) {
    store.apply('s', { messages: [newsMsg(2 * i + 1), newsMsg(2 * i + 2)], cursors: [{ channel: 'news', cursor: 2 * i + 2 }], now: 1 });
    if (i === 12) {
      // What the disk holds at this instant; the -shm is not copied (it is rebuilt on open).
      copyFileSync(file, join(dir, 'snap.db'));
      if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, join(dir, 'snap.db-wal'));
    }
  }
  const snap = new Store({ file: join(dir, 'snap.db') });
  t.after(() => snap.close());
  assert.equal(snap.recovery, null);
  assert.equal(snap.db.pragma('integrity_check', { simple: true }), 'ok');
  const rows = snap.db.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number;
  assert.equal(snap.cursor('s', 'news')?.cursor ?? 0, rows);
  assert.ok(rows <= 26 && rows % 2 === 0);
  // The next polls bring back what the power loss took, each message once, and the cursor with them.
  for (let i = rows / 2; i < 20; i++) {
    snap.apply('s', { messages: [newsMsg(2 * i + 1), newsMsg(2 * i + 2)], cursors: [{ channel: 'news', cursor: 2 * i + 2 }], now: 1 });
  }
  assert.equal(snap.db.prepare('SELECT COUNT(*) FROM messages').pluck().get(), 40);
  assert.equal(snap.cursor('s', 'news')?.cursor, 40);
});
