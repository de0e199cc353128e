// Store behaviour: dedupe, retractions in either order, at-most-once toasts, unread counts from SQL,
// index use for the inbox queries, version conflicts, rollback logging, retention and the newer-schema refusal.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store, INBOX_SQL } from '../../electron/core/store/store.ts';
import { StoreTooNewError } from '../../electron/core/store/open.ts';
import { latestVersion, migrations } from '../../electron/core/store/migrations/index.ts';
import { bucketOf } from '../../electron/core/policy/update.ts';
import { newsMsg, releaseMsg, retraction } from './helpers/messages.ts';
import { tempDir } from './helpers/tmp.ts';

function fresh(t: TestContext): Store {
  const store = new Store({ file: join(tempDir(t), 'c.db') });
  t.after(() => store.close());
  store.ensureSource('s', 'feed-v1', 'https://feed.example.com');
  return store;
}

test('pragmas: WAL, synchronous NORMAL, busy timeout, bounded WAL, schema at the latest version', (t) => {
  const s = fresh(t);
  assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(s.db.pragma('synchronous', { simple: true }), 1);
  assert.equal(s.db.pragma('busy_timeout', { simple: true }), 5000);
  assert.equal(s.db.pragma('journal_size_limit', { simple: true }), 4194304);
  // Statement journals of multi-row inserts stay in memory (2 = MEMORY; performance.md, row 4).
  assert.equal(s.db.pragma('temp_store', { simple: true }), 2);
  assert.equal(s.db.pragma('user_version', { simple: true }), latestVersion);
  assert.match(s.installId(), /^[0-9a-f-]{36}$/);
});

test('the same body applied twice stores each message once, toasts once, and leaves the unread count alone', (t) => {
  const s = fresh(t);
  const batch = { messages: [newsMsg(1), newsMsg(2)], cursors: [{ channel: 'news', cursor: 2 }], now: 10 };
  const first = s.apply('s', batch);
  assert.equal(first.inserted.length, 2);
  assert.equal(first.toasts.length, 2);
  const second = s.apply('s', batch);
  assert.equal(second.inserted.length, 0);
  assert.equal(second.toasts.length, 0);
  assert.deepEqual(s.unreadCounts(), { total: 2, byChannel: { news: 2 } });
  assert.equal(s.cursor('s', 'news')?.cursor, 2);
});

test('rows inserted several to a statement: each returned item has its own row, in order, through overlaps, repeats and mixed rows', (t) => {
  const s = fresh(t);
  // What the store holds for each id: rowid and seq, to hold the returned keys to.
  const rows = () => new Map((s.db.prepare(`SELECT id, rowid, seq FROM messages`).all() as { id: string; rowid: number; seq: number }[]).map((r) => [r.id, r]));
  const check = (r: ReturnType<Store['apply']>, ids: string[]) => {
    const stored = rows();
    assert.deepEqual(r.inserted.map((i) => i.id), ids);
    for (const i of r.inserted) assert.equal(i.key, stored.get(i.id)?.rowid, i.id);
  };
  const news = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => newsMsg(from + i));
  const ids = (from: number, to: number) => news(from, to).map((m) => m.id);
  // 85 new rows: 64 + 16 + 4 + 1 to a statement.
  check(s.apply('s', { messages: news(1, 85), cursors: [], now: 10 }), ids(1, 85));
  // An overlap (81–85 stored) inside one statement's rows, an id repeated in the same answer under another seq,
  // and rows that are not common (a link, an expiry, a release) between common ones.
  const linked = newsMsg(100, { link: 'https://example.com/100' });
  const expiring = newsMsg(101, { expires: 2_000_000_000 });
  // A note and a message of another channel end a run of rows as well (one statement binds one channel and kind).
  const note = newsMsg(171, { kind: 'note' });
  const other = newsMsg(172, { channel: 'other' });
  const messages = [...news(81, 95), newsMsg(90, { seq: 96 }), linked, ...news(97, 99), expiring, releaseMsg(102, '2.0.0'), ...news(103, 140), note, other,
    ...news(141, 170)];
  const r = s.apply('s', { messages, cursors: [], now: 10 });
  check(r, [...ids(86, 95), linked.id, ...ids(97, 99), expiring.id, 'r-2.0.0-102', ...ids(103, 140), note.id, other.id, ...ids(141, 170)]);
  const stored = s.db.prepare(`SELECT channel, kind FROM messages WHERE id IN (?, ?)`).all(note.id, other.id);
  assert.deepEqual(stored, [{ channel: 'news', kind: 'note' }, { channel: 'other', kind: 'news' }]);
  assert.deepEqual(r.dropped, ['n-90: already stored (seq 90); the copy at seq 96 was set aside']);
  assert.equal(r.toasts.length, r.inserted.length - 1);
  // All of them again: nothing new, nothing dropped.
  const again = s.apply('s', { messages, cursors: [], now: 10 });
  assert.deepEqual([again.inserted.length, again.dropped.length], [0, 1]);
  assert.equal(rows().size, 172 - 1);
  assert.deepEqual(s.unreadCounts().byChannel, { news: 169, other: 1, stable: 1 });
});

test('quiet (first-sync) channels are stored but never toasted, now or later', (t) => {
  const s = fresh(t);
  const r = s.apply('s', { messages: [newsMsg(1)], cursors: [{ channel: 'news', cursor: 1 }], quietChannels: new Set(['news']), now: 1 });
  assert.equal(r.inserted.length, 1);
  assert.equal(r.toasts.length, 0);
  assert.equal(s.db.prepare('SELECT notified FROM messages').pluck().get(), 1);
});

test('a retraction hides its message whichever arrives first, and never shows itself', (t) => {
  const s = fresh(t);
  s.apply('s', { messages: [newsMsg(1), newsMsg(2), retraction(3, 'n-1')], cursors: [], now: 1 });
  assert.deepEqual(s.list().map((i) => i.id), ['n-2']);
  // Retraction before its target (a re-sync from 0): the target is stored already retracted.
  s.apply('s', { messages: [retraction(4, 'n-5'), newsMsg(5)], cursors: [], now: 1 });
  assert.deepEqual(s.list().map((i) => i.id), ['n-2']);
  assert.deepEqual(s.unreadCounts(), { total: 1, byChannel: { news: 1 } });
  // A retraction in another channel does not touch this one.
  s.apply('s', { messages: [retraction(6, 'n-2', 'other')], cursors: [], now: 1 });
  assert.deepEqual(s.list().map((i) => i.id), ['n-2']);
});

test('inbox pages are newest first with a stable keyset; mark read and dismiss change the counts', (t) => {
  const s = fresh(t);
  s.apply('s', { messages: Array.from({ length: 7 }, (_, i) => newsMsg(i + 1, { created: 100 + Math.floor(i / 2) })), cursors: [], now: 1 });
  const p1 = s.list({ limit: 3 });
  const last = p1.at(-1)!;
  const p2 = s.list({ limit: 3, before: { created: last.created, key: last.key } });
  const p3 = s.list({ limit: 3, before: { created: p2.at(-1)!.created, key: p2.at(-1)!.key } });
  assert.deepEqual([...p1, ...p2, ...p3].map((i) => i.id), ['n-7', 'n-6', 'n-5', 'n-4', 'n-3', 'n-2', 'n-1']);
  s.markRead([p1[0]!.key]);
  s.dismiss(p1[1]!.key);
  assert.equal(s.unreadCounts().total, 5);
  assert.equal(s.list({ channel: 'news' }).length, 6);
  s.markRead('all');
  assert.equal(s.unreadCounts().total, 0);
});

test('EXPLAIN QUERY PLAN: inbox pages and unread counts search an index, never scan messages', (t) => {
  const s = fresh(t);
  s.apply('s', { messages: Array.from({ length: 500 }, (_, i) => newsMsg(i + 1)), cursors: [], now: 1 });
  s.db.exec('ANALYZE');
  const explain = (sql: string, ...args: unknown[]) =>
    (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
  const p = { created: 1, key: 1, limit: 50, now: 5 };
  assert.equal(explain(INBOX_SQL.page, p), 'SEARCH messages USING INDEX messages_inbox (created<?)');
  assert.equal(explain(INBOX_SQL.channelPage, { ...p, channel: 'news' }), 'SEARCH messages USING INDEX messages_inbox_channel (channel=? AND created<?)');
  // Only unread rows that carry an expiry are visited (a handful); grouping them needs a tiny temp b-tree.
  assert.match(explain(INBOX_SQL.unreadExpired, { now: 5 }), /^SEARCH messages USING (COVERING )?INDEX messages_expiring \(expires>\? AND expires<\?\)/);
  assert.doesNotMatch(explain(INBOX_SQL.unread), /messages/, 'the count reads the trigger-kept table, not the rows');
});

test('the trigger-kept unread counts always equal a recount of the rows (random operations)', (t) => {
  const s = fresh(t);
  const now = Math.floor(Date.now() / 1000);
  let seq = 0;
  const rand = (n: number) => Math.floor(Math.random() * n);
  for (let step = 0; step < 300; step++) {
    const op = rand(6);
    if (op <= 1) {
      const batch = Array.from({ length: rand(5) + 1 }, () => newsMsg(++seq, { channel: ['news', 'stable', 'x'][rand(3)]!, expires: rand(4) === 0 ? now + (rand(2) ? 100 : -100) : null }));
      s.apply('s', { messages: batch, cursors: [], now: 1 });
    } else if (op === 2 && seq > 0) s.markRead([rand(seq) + 1], rand(2) === 0);
    else if (op === 3 && seq > 0) s.dismiss(rand(seq) + 1);
    else if (op === 4 && seq > 0) s.apply('s', { messages: [{ ...retraction(++seq, `n-${rand(seq) + 1}`), channel: 'news' }], cursors: [], now: 1 });
    else if (op === 5) s.prune(now, { maxAgeSec: 10 * 365 * 86400, maxCount: 50 });
    const recount: Record<string, number> = {};
    let total = 0;
    for (const r of s.db.prepare(INBOX_SQL.unreadRecount).all({ now }) as { channel: string; n: number }[]) {
      recount[r.channel] = r.n;
      total += r.n;
    }
    assert.deepEqual(s.unreadCounts(), { total, byChannel: recount }, `step ${step}`);
  }
});

test('expired messages are hidden from the inbox and the unread count, but kept', (t) => {
  const s = fresh(t);
  const now = Math.floor(Date.now() / 1000);
  s.apply('s', { messages: [newsMsg(1, { expires: now - 1 }), newsMsg(2, { expires: now + 3600 }), newsMsg(3)], cursors: [], now: 1 });
  assert.deepEqual(s.list().map((i) => i.id), ['n-3', 'n-2']);
  assert.equal(s.unreadCounts().total, 2);
  assert.equal(s.db.prepare('SELECT COUNT(*) FROM messages').pluck().get(), 3);
});

test('the same version with different assets is dropped and logged; an older version is logged as a rollback', (t) => {
  const s = fresh(t);
  s.apply('s', { messages: [releaseMsg(1, '2.4.0')], cursors: [], now: 5 });
  const evil = releaseMsg(2, '2.4.0');
  (evil.record as { release: { assets: { sha256: string }[] } }).release.assets[0]!.sha256 = 'cd'.repeat(32);
  const r = s.apply('s', { messages: [evil, releaseMsg(3, '2.3.0')], cursors: [], now: 6 });
  assert.equal(r.dropped.length, 1);
  assert.deepEqual(s.releases(['stable']).map((i) => i.version).sort(), ['2.3.0', '2.4.0']);
  assert.equal(s.rollbackFloors().stable, '2.4.0');
  const log = s.checkLog().map((e) => e.detail).join('\n');
  assert.match(log, /different assets/);
  assert.match(log, /rollback ignored: stable 2\.3\.0 is below the known 2\.4\.0/);
  // A renewal (same assets) is accepted.
  assert.equal(s.apply('s', { messages: [releaseMsg(4, '2.4.0')], cursors: [], now: 7 }).inserted.length, 1);
});

/** An install id whose rollout bucket satisfies `ok` (buckets come from a hash of the id). */
function installIdWith(ok: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) if (ok(bucketOf(`install-${i}`))) return `install-${i}`;
}

test('the rollback floor and its log line count only releases that apply to this install (rollout, target range)', (t) => {
  const file = join(tempDir(t), 'c.db');
  const seed = new Store({ file });
  seed.setMeta('install_id', installIdWith((b) => b >= 10 && b < 50));
  seed.close();
  const s = new Store({ file, install: { platform: 'linux-x64', installedVersion: '2.0.0' } });
  t.after(() => s.close());
  s.ensureSource('s', 'feed-v1', 'https://feed.example.com');
  const rollout = (seq: number, version: string, pct: number) => {
    const m = releaseMsg(seq, version);
    (m.record as Record<string, unknown>).target = { rollout: pct };
    return m;
  };
  s.apply('s', { messages: [rollout(1, '2.2.0', 10)], cursors: [], now: 5 });
  const targeted = releaseMsg(2, '2.3.0');
  (targeted.record as Record<string, unknown>).target = { maxVersion: '1.9.0' };
  s.apply('s', { messages: [targeted, releaseMsg(3, '2.1.0')], cursors: [], now: 6 });
  assert.equal(s.rollbackFloors().stable, '2.1.0', 'neither the 10 % 2.2.0 nor the 2.3.0 for ≤ 1.9.0 counts here');
  assert.doesNotMatch(s.checkLog().map((e) => e.detail).join('\n'), /rollback ignored/);
  // 2.2.0 republished at 50 %: this bucket is in now, and a replayed 2.1.0 is below the floor.
  s.apply('s', { messages: [rollout(4, '2.2.0', 50), releaseMsg(5, '2.1.0')], cursors: [], now: 7 });
  assert.equal(s.rollbackFloors().stable, '2.2.0');
  assert.match(s.checkLog().map((e) => e.detail).join('\n'), /rollback ignored: stable 2\.1\.0 is below the known 2\.2\.0/);
});

test('a version-1 database (with the stored update_state floor) migrates: the table goes, the records stay', (t) => {
  const file = join(tempDir(t), 'v1.db');
  const raw = new Database(file);
  raw.transaction(() => {
    for (const sql of migrations[0]!.statements) raw.exec(sql);
    raw.pragma('user_version = 1');
  })();
  raw.prepare(`INSERT INTO update_state (channel, highest_version) VALUES ('stable', '2.2.0')`).run();
  raw.prepare(`INSERT INTO meta (key, value) VALUES ('install_id', ?)`).run(installIdWith((b) => b >= 10));
  raw.prepare(`INSERT INTO sources (id, kind, url) VALUES ('s', 'feed-v1', 'https://feed.example.com')`).run();
  const insert = raw.prepare(`INSERT INTO messages (source_id, id, seq, channel, kind, trusted, version, title, record, created, received)
    VALUES ('s', ?, ?, 'stable', 'release', 1, ?, 'x', ?, 1, 1)`);
  insert.run('a', 1, '2.1.0', JSON.stringify(releaseMsg(1, '2.1.0').record));
  insert.run('b', 2, '2.2.0', JSON.stringify({ ...releaseMsg(2, '2.2.0').record as object, target: { rollout: 10 } }));
  raw.close();
  const s = new Store({ file, install: { platform: 'linux-x64', installedVersion: '2.0.0' } });
  t.after(() => s.close());
  assert.equal(s.db.pragma('user_version', { simple: true }), latestVersion);
  assert.equal(s.db.prepare(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'update_state'`).pluck().get(), 0);
  assert.deepEqual(s.releases(['stable']).map((i) => i.version).sort(), ['2.1.0', '2.2.0']);
  assert.equal(s.rollbackFloors().stable, '2.1.0', 'the old stored 2.2.0 (10 % rollout, not this bucket) no longer holds');
});

test('retention prunes old and surplus news but never releases (so never an unread critical release)', (t) => {
  const s = fresh(t);
  s.apply('s', { messages: [
    ...Array.from({ length: 10 }, (_, i) => newsMsg(i + 1, { created: 1000 + i })),
    releaseMsg(20, '3.0.0', { critical: true, created: 10 }),
  ], cursors: [], now: 1100 }); // received after they were created (case 53 lists future-dated ones by arrival)
  const pruned = s.prune(2000, { maxAgeSec: 995, maxCount: 3 });
  assert.equal(pruned, 7);
  assert.deepEqual(s.list().map((i) => i.id), ['n-10', 'n-9', 'n-8', 'r-3.0.0-20']);
});

test('a database from a newer schema is refused with a clear message and left byte-for-byte unchanged', async (t) => {
  const file = join(tempDir(t), 'newer.db');
  const raw = new Database(file);
  raw.pragma(`user_version = ${latestVersion + 1}`);
  raw.exec('CREATE TABLE future (x)');
  raw.close();
  const { readFileSync } = await import('node:fs');
  const before = readFileSync(file);
  assert.throws(() => new Store({ file }), (e: unknown) => e instanceof StoreTooNewError && /newer version of Tidings/.test(e.message));
  assert.deepEqual(readFileSync(file), before);
});

test('inbox pages by offset with channel and kind filters, counts that match, and the next expiry', (t) => {
  const s = fresh(t);
  const now = Math.floor(Date.now() / 1000);
  const news = Array.from({ length: 450 }, (_, i) => newsMsg(i + 1));
  const notes = Array.from({ length: 30 }, (_, i) => newsMsg(1000 + i, { id: `note-${i}`, kind: 'note', channel: 'stable' }));
  const soon = newsMsg(2000, { id: 'soon', expires: now + 600 });
  const gone = newsMsg(2001, { id: 'gone', expires: now - 5 });
  s.apply('s', { messages: [...news, ...notes, releaseMsg(3000, '2.1.0'), soon, gone], cursors: [], now });
  s.dismiss(s.list({ channel: 'news', offset: 5, limit: 1 })[0]!.key); // a plain news item
  // Offsets walk the same order as keyset pages: newest first, every visible item once, expired and dismissed left out.
  const byOffset = [0, 200, 400].flatMap((offset) => s.list({ offset, limit: 200 }).map((i) => i.id));
  const visible = 450 + 30 + 1 + 1 + 1 - 1 - 1; // news, notes, release, soon, gone; minus expired, minus dismissed
  assert.equal(byOffset.length, visible);
  assert.equal(new Set(byOffset).size, visible);
  assert.equal(s.count(), visible);
  assert.ok(!byOffset.includes('gone'));
  assert.equal(s.count({ channel: 'stable' }), 31);
  assert.equal(s.count({ kind: 'note' }), 30);
  assert.equal(s.count({ channel: 'stable', kind: 'release' }), 1);
  assert.deepEqual(s.list({ channel: 'stable', kind: 'note', offset: 25, limit: 10 }).map((i) => i.id), ['note-4', 'note-3', 'note-2', 'note-1', 'note-0']);
  assert.deepEqual(s.list({ kind: 'release' }).map((i) => i.version), ['2.1.0']);
  assert.equal(s.nextExpiry(), now + 600);
  s.dismiss(s.list({ kind: 'news', limit: 1 })[0]!.key); // "soon" is the newest news item
  assert.equal(s.nextExpiry(), null, 'a dismissed item no longer changes the inbox when it expires');
});
