// Folded records (store migration 7, performance.md rows 4 and 11): a v1 record whose JSON starts with the
// fields the row keeps in columns is stored without that prefix and read back byte for byte; anything else is
// stored whole. A database written before migration 7 reads as before.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store } from '../../electron/core/store/store.ts';
import { migrations } from '../../electron/core/store/migrations/index.ts';
import { newsMsg, releaseMsg } from './helpers/messages.ts';
import { tempDir } from './helpers/tmp.ts';
import type { IncomingMessage } from '../../electron/core/types.ts';

const NOW = 1_800_000_000;

function fresh(t: TestContext, file = join(tempDir(t), 'c.db')): Store {
  const store = new Store({ file });
  t.after(() => store.close());
  store.ensureSource('s', 'feed-v1', 'https://feed.example.com');
  return store;
}

/** A news message whose record is shaped as the feed serves it: seq, created, id, channel, kind first. */
function served(seq: number, extra: Record<string, unknown> = {}): IncomingMessage {
  const m = newsMsg(seq);
  const record = { seq, created: m.created, id: m.id, channel: 'news', kind: 'news', issued: m.created, title: m.title, body: `Body “${seq}” \\ "quoted"`, sig: { key: 'k1', value: 'AAAA' }, ...extra };
  return { ...m, record };
}

const stored = (s: Store, id: string) => s.db.prepare(`SELECT record, folded FROM messages WHERE id = ?`).get(id) as { record: string; folded: number };

test('a record served with the column fields first is stored without them and read back as the same JSON', (t) => {
  const s = fresh(t);
  const m = served(7);
  s.apply('s', { messages: [m], cursors: [], now: NOW });
  const row = stored(s, m.id);
  assert.equal(row.folded, 1);
  assert.ok(!row.record.includes('"seq"') && !row.record.includes('"channel"'), row.record);
  assert.ok(row.record.length < JSON.stringify(m.record).length - 50, 'the prefix is not stored twice');
  const item = s.list()[0]!;
  assert.equal(JSON.stringify(item.record), JSON.stringify(m.record), 'byte for byte, key order included');
  assert.deepEqual(s.item(item.key)!.record, m.record);
});

test('records that do not start with the column fields are stored whole', (t) => {
  const s = fresh(t);
  // Another key order, no seq (Cryptolens), and a created the store moved (a server clock ahead: shown by arrival).
  const reordered = { ...newsMsg(1), record: { id: 'n-1', seq: 1, created: 1_700_000_001, channel: 'news', kind: 'news' } };
  const noSeq = { ...newsMsg(2), seq: null, record: { id: 2, content: 'hello' } };
  const ahead = served(3);
  const future = { ...ahead, created: NOW + 86_400, record: { ...(ahead.record as object), created: NOW + 86_400 } };
  s.apply('s', { messages: [reordered, noSeq, future], cursors: [], now: NOW });
  for (const m of [reordered, noSeq, future]) {
    assert.equal(stored(s, m.id).folded, 0, m.id);
    const item = s.list().find((i) => i.id === m.id)!;
    assert.equal(JSON.stringify(item.record), JSON.stringify(m.record), m.id);
  }
});

test('release records are folded too, and the same-version and rollback checks still read their assets', (t) => {
  const s = fresh(t);
  const r = releaseMsg(1, '2.0.0');
  const rec = { seq: 1, created: r.created, id: r.id, channel: 'stable', kind: 'release', ...(r.record as object) };
  s.apply('s', { messages: [{ ...r, record: rec }], cursors: [], now: NOW });
  assert.equal(stored(s, r.id).folded, 1);
  // The same version with other assets is refused: the stored record's assets were read back.
  const other = releaseMsg(2, '2.0.0');
  const otherRec = { seq: 2, created: other.created, id: other.id, channel: 'stable', kind: 'release', release: { version: '2.0.0', assets: [{ platform: 'linux-x64', url: 'https://dl.example.com/other', sha256: 'cd'.repeat(32), size: 11 }] } };
  const res = s.apply('s', { messages: [{ ...other, record: otherRec }], cursors: [], now: NOW });
  assert.equal(res.inserted.length, 0);
  assert.match(res.dropped[0] ?? '', /already known with different assets/);
  assert.deepEqual(s.rollbackFloors(['stable']), { stable: '2.0.0' });
});

test('a database written before migration 7 keeps its whole records and reads them as before', (t) => {
  const file = join(tempDir(t), 'old.db');
  const old = new Database(file);
  old.pragma('journal_mode = WAL');
  for (const m of migrations.filter((x) => x.version < 7)) for (const sql of m.statements) old.exec(sql);
  old.pragma('user_version = 6');
  const m = served(4);
  old.exec(`INSERT INTO sources (id, kind, url) VALUES ('s', 'feed-v1', 'https://feed.example.com')`);
  old.prepare(`INSERT INTO messages (source_id, id, seq, channel, kind, trusted, title, record, created, received) VALUES ('s', ?, 4, 'news', 'news', 1, ?, ?, ?, ?)`)
    .run(m.id, m.title, JSON.stringify(m.record), m.created, NOW);
  old.close();
  const s = fresh(t, file);
  assert.equal(stored(s, m.id).folded, 0);
  assert.equal(JSON.stringify(s.list()[0]!.record), JSON.stringify(m.record));
});
