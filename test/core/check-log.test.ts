// A truthful Status → Recent checks: each check records how many items it stored, so the UI can say
// "2 new posts" rather than "No change · Checked." for every check. Through the facade against a real feed,
// across a restart, and on a data file from before the count existed (migration 003).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCompanion, type CompanionOptions } from '../../electron/core/index.ts';
import { Store } from '../../electron/core/store/store.ts';
import * as m001 from '../../electron/core/store/migrations/001-initial.ts';
import * as m002 from '../../electron/core/store/migrations/002-derived-rollback-floor.ts';
import { startFeed, news } from '../server/helpers.ts';
import { tempDir } from './helpers/tmp.ts';

test('the check log records how many posts each check brought: 3 on the first sync, 0 unchanged, 2 new, 0 on failure; kept across a restart', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  for (const i of [1, 2, 3]) await feed.publish(news('news', `Old ${i}`));
  const options: CompanionOptions = {
    dataDir: tempDir(t), publisherKeys: [feed.key.publicKey], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'main', url: feed.url, token: feed.readToken }], allowLoopbackHttp: true, intervalMs: null,
  };
  const c = await createCompanion(options);
  await c.checkAll();
  await c.checkAll();
  await feed.publish(news('news', 'New 1'));
  await feed.publish(news('news', 'New 2'));
  await c.checkAll();
  await feed.close();
  await c.checkAll();
  const got = (log: ReturnType<typeof c.checkLog>) => log.map((e) => [e.ok, e.added]).reverse();
  assert.deepEqual(got(c.checkLog(10)), [[true, 3], [true, 0], [true, 2], [false, 0]]);
  assert.match(c.checkLog(10)[1]!.detail, /2 new/);
  await c.close();

  const again = await createCompanion(options);
  t.after(() => again.close());
  assert.deepEqual(got(again.checkLog(10)), [[true, 3], [true, 0], [true, 2], [false, 0]], 'stored, not held in memory');
});

test('a data file from before the count (schema 2) opens with its old log entries at 0 and counts new checks', (t) => {
  const file = join(tempDir(t), 'tidings.db');
  const raw = new Database(file);
  for (const m of [m001, m002]) for (const sql of m.statements) raw.exec(sql);
  raw.pragma('user_version = 2');
  raw.prepare(`INSERT INTO check_log (at, source_id, ok, detail) VALUES (1, 's', 1, 'not modified')`).run();
  raw.close();
  const store = new Store({ file });
  t.after(() => store.close());
  store.ensureSource('s', 'feed-v1', 'https://feed.example.com');
  store.recordCheck('s', 2, { ok: true, detail: '4 new, 0 retracted', added: 4 });
  assert.deepEqual(store.checkLog().map((e) => [e.at, e.detail, e.added]), [[2, '4 new, 0 retracted', 4], [1, 'not modified', 0]]);
});
