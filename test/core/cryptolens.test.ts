// Cryptolens source against the real feed service's Cryptolens dialect (seed scenarios word for word), plus
// scripted answers for ordering and clock faults (reliability cases 15, 18, 19).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KeyRing } from '../../shared/protocol/signing.ts';
import { Store } from '../../electron/core/store/store.ts';
import { CryptolensSource, type CryptolensOptions } from '../../electron/core/sources/cryptolens.ts';
import { runCheck } from '../../electron/core/sync.ts';
import { startFeed, release, type Feed } from '../server/helpers.ts';
import { startFaultServer, sendJson } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';

async function client(t: TestContext, url: string, opts: Partial<CryptolensOptions>, publicKeys: string[] = []) {
  const store = new Store({ file: join(tempDir(t), 'c.db') });
  t.after(() => store.close());
  const keys = await KeyRing.from(publicKeys);
  const source = new CryptolensSource({ id: 'cl', url, token: 'x', allowLoopbackHttp: true, ...opts });
  store.ensureSource('cl', source.kind, url);
  const check = () => runCheck(store, 'cl', Date.now(), () => source.check(store, keys, Date.now()));
  return { store, source, check };
}

async function feedWithCleanup(t: TestContext): Promise<Feed> {
  const feed = await startFeed();
  t.after(() => feed.close());
  return feed;
}

async function create(feed: Feed, channel: string, content: string, time = 0) {
  const res = await feed.form('/api/message/CreateMessage', { token: feed.publishToken, Content: content, Channel: channel, Time: time });
  const body = (await res.json()) as { result: number; message: string | null };
  assert.equal(body.result, 0, body.message ?? '');
}

test('seed: a client on stable whose release time is T sees exactly the newer messages', async (t) => {
  const feed = await feedWithCleanup(t);
  const T = Math.floor(Date.now() / 1000) - 1000;
  await create(feed, 'stable', 'Version 1.9 https://example.com/1.9', T - 10);
  await create(feed, 'stable', 'Version 2.0 (installed)', T);
  await create(feed, 'stable', 'Version 2.1 is out\nDownload: https://example.com/dl/2.1.', T + 5);
  await create(feed, 'stable', 'Version 2.2', T + 10);
  const c = await client(t, feed.url, { token: feed.readToken, updates: { channel: 'stable', installedReleaseTime: T } });
  const r = await c.check();
  assert.equal(r.ok, true, r.detail);
  const items = c.store.list();
  assert.deepEqual(items.map((i) => i.title), ['Version 2.2', 'Version 2.1 is out']);
  assert.equal(items[1]!.kind, 'note');
  assert.equal(items[1]!.link, 'https://example.com/dl/2.1');
  assert.equal((await c.check()).result?.inserted.length, 0, 'the overlap re-reads are de-duplicated');
});

test('seed: a first-run news client keeps the old news as read history without toasts, then sees each new item once', async (t) => {
  const feed = await feedWithCleanup(t);
  await create(feed, 'news', 'Old news 1');
  await create(feed, 'news', 'Old news 2');
  await new Promise((r) => setTimeout(r, 1100));
  const c = await client(t, feed.url, { token: feed.readToken, news: { channel: 'news' } });
  const first = await c.check();
  assert.deepEqual([first.result?.inserted.length, first.result?.toasts.length], [2, 0]);
  assert.equal(c.store.unreadCounts().total, 0);
  await create(feed, 'news', 'Fresh news');
  const second = await c.check();
  assert.deepEqual(second.result?.toasts.map((i) => i.title), ['Fresh news']);
  assert.equal((await c.check()).result?.inserted.length, 0);
  assert.deepEqual(c.store.list().map((i) => [i.title, i.read]).sort(), [['Fresh news', false], ['Old news 1', true], ['Old news 2', true]]);
  // Later polls ask from the newest message (with the overlap), never the history window again.
  assert.ok(c.store.cursor('cl', 'news')!.cursor >= Math.floor(Date.now() / 1000) - 5);
});

test('a first news sync whose history does not fit the byte cap starts from now instead', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  const big = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, content: `old ${i} ${'x'.repeat(100)}`, created: now - 1000 + i, channel: 'news' }));
  const srv = await startFaultServer(t, (_q, r, body) => {
    const time = Number(new URLSearchParams(body).get('Time'));
    sendJson(r, 200, { messages: big.filter((m) => m.created > time), result: 0, message: null });
  });
  const c = await client(t, srv.url, { news: { channel: 'news' }, limits: { maxBytes: 2000 } });
  const r = await c.check();
  assert.equal(r.ok, true, r.detail);
  assert.equal(c.store.list().length, 0);
  const times = srv.requests.map((q) => Number(new URLSearchParams(q.body).get('Time')));
  assert.equal(times.length, 2);
  assert.ok(times[0]! < now - 86400 && Math.abs(times[1]! - (now - 1)) <= 2, `asked ${times.join(', ')}`);
});

test('case 15: a second message in the same second after a poll is still delivered (overlap + dedupe)', async (t) => {
  const feed = await feedWithCleanup(t);
  const T = Math.floor(Date.now() / 1000) - 100;
  await create(feed, 'stable', 'm0', T - 50);
  await create(feed, 'stable', 'm1', T);
  const c = await client(t, feed.url, { token: feed.readToken, updates: { channel: 'stable', installedReleaseTime: T - 50 } });
  await c.check();
  await create(feed, 'stable', 'm2', T);
  await c.check();
  assert.deepEqual(c.store.list().map((i) => i.title).sort(), ['m1', 'm2']);
});

test('a signed v1 release read through the Cryptolens dialect is verified and typed; access denied needs attention', async (t) => {
  const feed = await feedWithCleanup(t);
  const res = await feed.publish(release('stable', '3.1.0'));
  assert.equal(res.status, 201);
  const c = await client(t, feed.url, { token: feed.readToken, updates: { channel: 'stable', installedReleaseTime: 0 } }, [feed.key.publicKey]);
  assert.equal((await c.check()).ok, true);
  assert.deepEqual(c.store.releases(['stable']).map((i) => [i.kind, i.version, i.trusted]), [['release', '3.1.0', true]]);
  const untrusting = await client(t, feed.url, { token: feed.readToken, updates: { channel: 'stable', installedReleaseTime: 0 } }, []);
  await untrusting.check();
  assert.equal(untrusting.store.releases(['stable']).length, 0, 'a key the app does not know: dropped');
  assert.match(untrusting.store.checkLog().map((e) => e.detail).join('\n'), /signature rejected \(unknown-key\)/);
  const denied = await client(t, feed.url, { token: 'tdg_000000000000_bad', news: { channel: 'news' } });
  const d = await denied.check();
  assert.equal(d.ok, false);
  assert.equal(d.authFailed, true);
  assert.equal(denied.store.source('cl')?.needsAttention, true);
});

test('cases 18 and 19: the cursor is the newest created over the whole batch, capped at the server clock', async (t) => {
  const now = Math.floor(Date.now() / 1000);
  let batch = [
    { id: 1, content: 'a', created: now - 30, channel: 'news' },
    { id: 3, content: 'c', created: now - 10, channel: 'news' },
    { id: 2, content: 'b', created: now - 20, channel: 'news' },
  ];
  const srv = await startFaultServer(t, (_q, r) => sendJson(r, 200, { messages: batch, result: 0, message: null }));
  const c = await client(t, srv.url, { news: { channel: 'news' } });
  c.store.apply('cl', { messages: [], cursors: [{ channel: 'news', cursor: now - 100, floor: now - 100 }], now });
  await c.check();
  assert.equal(c.store.cursor('cl', 'news')?.cursor, now - 10);
  batch = [{ id: 4, content: 'from the future', created: now + 365 * 86400, channel: 'news' }];
  await c.check();
  const cur = c.store.cursor('cl', 'news')!.cursor;
  assert.ok(cur <= now + 400, `cursor ${cur} stays near the server's now`);
  // A message posted later in real time is still delivered.
  batch = [{ id: 5, content: 'later', created: now + 5, channel: 'news' }];
  await c.check();
  assert.ok(c.store.list().some((i) => i.title === 'later'));
  const sent = new URLSearchParams(srv.requests.at(-1)!.body);
  assert.deepEqual([...sent.keys()], ['token', 'Channel', 'Time']);
  assert.equal(Number(sent.get('Time')), cur - 60);
});

test('case 16: a client clock 2 days fast, then 1 day slow, neither skips messages nor re-fetches everything', async (t) => {
  const feed = await feedWithCleanup(t);
  await create(feed, 'news', 'old');
  await new Promise((r) => setTimeout(r, 1100));
  const store = new Store({ file: join(tempDir(t), 'c.db') });
  t.after(() => store.close());
  const keys = await KeyRing.from([]);
  const source = new CryptolensSource({ id: 'cl', url: feed.url, token: feed.readToken, allowLoopbackHttp: true, news: { channel: 'news' } });
  store.ensureSource('cl', source.kind, feed.url);
  const at = (skewMs: number) => runCheck(store, 'cl', Date.now() + skewMs, () => source.check(store, keys, Date.now() + skewMs));
  const first = await at(2 * 86400_000);
  assert.deepEqual(first.result?.inserted.map((i) => [i.title, i.read]), [['old', true]], 'history, kept read');
  await create(feed, 'news', 'posted while the clock is fast');
  assert.equal((await at(2 * 86400_000)).result?.inserted.length, 1);
  await create(feed, 'news', 'posted while the clock is slow');
  const slow = await at(-86400_000);
  assert.deepEqual(slow.result?.inserted.map((i) => i.title), ['posted while the clock is slow']);
  assert.deepEqual(store.list().map((i) => i.title).sort(), ['old', 'posted while the clock is fast', 'posted while the clock is slow']);
});

test('RemoveMessage on an update message hides it at the next check (the dialect has no tombstones)', async (t) => {
  const feed = await feedWithCleanup(t);
  const T = Math.floor(Date.now() / 1000) - 100;
  await create(feed, 'stable', 'Version 2.1', T + 1);
  await create(feed, 'stable', 'Version 2.2 (bad)', T + 2);
  const c = await client(t, feed.url, { token: feed.readToken, updates: { channel: 'stable', installedReleaseTime: T } });
  await c.check();
  assert.equal(c.store.list().length, 2);
  const bad = c.store.list().find((i) => i.title.startsWith('Version 2.2'))!;
  const res = await feed.form('/api/message/RemoveMessage', { token: feed.publishToken, Id: (bad.record as { id: number }).id });
  assert.equal(((await res.json()) as { result: number }).result, 0);
  const r = await c.check();
  assert.equal(r.result?.retracted, 1);
  assert.deepEqual(c.store.list().map((i) => i.title), ['Version 2.1']);
});
