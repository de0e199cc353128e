// What the routine check reads and writes in the store, made cheaper for row 8 of performance.md: the ETag
// it sends (one statement instead of a source read and a cursor read per channel) and the check log, whose
// oldest lines go in batches. Both must tell exactly what the longer form told.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Store } from '../../electron/core/store/store.ts';
import { tempDir } from './helpers/tmp.ts';

function fresh(t: TestContext, logMax?: number): Store {
  const store = new Store({ file: join(tempDir(t), 'c.db'), ...(logMax ? { log: { max: logMax } } : {}) });
  t.after(() => store.close());
  store.ensureSource('s', 'feed-v1', 'https://feed.example.com');
  return store;
}

test('the routine ETag is the stored one only while every followed channel has a cursor', (t) => {
  const store = fresh(t);
  assert.equal(store.routineEtag('nobody', ['stable']), null, 'an unknown source');
  assert.equal(store.routineEtag('s', ['stable']), null, 'nothing stored yet');
  store.apply('s', { messages: [], cursors: [{ channel: 'stable', cursor: 3, etag: null }], headsEtag: '"h-1"', quietChannels: new Set(), historyChannels: new Set(), now: 1, serverNow: null });
  assert.equal(store.routineEtag('s', ['stable']), '"h-1"');
  assert.equal(store.routineEtag('s', ['stable', 'stable']), '"h-1"', 'a channel named twice counts once');
  assert.equal(store.routineEtag('s', ['stable', 'experimental']), null, 'a channel never synced needs the full heads');
  assert.equal(store.routineEtag('s', []), '"h-1"', 'no channels: nothing is unsynced');
  store.apply('s', { messages: [], cursors: [{ channel: 'experimental', cursor: 0, etag: null }], headsEtag: '"h-2"', quietChannels: new Set(), historyChannels: new Set(), now: 2, serverNow: null });
  assert.equal(store.routineEtag('s', ['stable', 'experimental']), '"h-2"');
  // The longer form it replaces, for the same answers.
  const longForm = (channels: string[]) => (channels.some((c) => store.cursor('s', c) === null) ? null : store.source('s')?.headsEtag ?? null);
  for (const channels of [['stable'], ['news'], ['stable', 'experimental'], ['stable', 'news']]) assert.equal(store.routineEtag('s', channels), longForm(channels), channels.join(','));
});

test('the check log keeps the newest lines in order, never fewer than its maximum, trimmed in batches', (t) => {
  const store = fresh(t, 10);
  for (let i = 1; i <= 100; i++) {
    store.recordCheck('s', i, { ok: i % 7 !== 0, detail: i % 7 === 0 ? 'HTTP 503' : 'not modified', added: i % 5 === 0 ? 2 : 0 });
    const log = store.checkLog(1000);
    assert.ok(log.length >= Math.min(i, 10), `after ${i} checks: ${log.length} lines`);
    assert.ok(log.length <= 10 + 32, `after ${i} checks: ${log.length} lines, over the slack`);
    assert.deepEqual(log.slice(0, 10).map((e) => e.at), Array.from({ length: Math.min(i, 10) }, (_, k) => i - k), 'newest first, none missing');
  }
  const last = store.checkLog(3);
  assert.deepEqual(last.map((e) => [e.at, e.ok, e.detail, e.added]), [[100, true, 'not modified', 2], [99, true, 'not modified', 0], [98, false, 'HTTP 503', 0]]);
  assert.equal(store.source('s')?.lastCheck, 100);
  assert.equal(store.source('s')?.lastSuccess, 100);
  assert.equal(store.source('s')?.failingSince, null);
});
