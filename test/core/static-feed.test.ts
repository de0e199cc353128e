// Static feed end to end: records published through the real feed service, exported with `exportFeed` and
// served by a plain static host (ETags, 304s) are stored exactly as when reading the live feed. Plus what only
// a static feed does: a 304 fetches no pages, a re-export costs one new page, an epoch change (a different
// feed) re-syncs cleanly, and an index pointing anywhere but its own pages is refused with nothing stored.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFeed, news, release, json, type Feed } from '../server/helpers.ts';
import { exportFeed, type StaticIndex } from '../../server/export.ts';
import { createCompanion } from '../../electron/core/index.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { serveDir } from './helpers/static-host.ts';
import { v1Harness } from './helpers/harness.ts';
import { tempDir } from './helpers/tmp.ts';

const CHANNELS = ['stable', 'experimental', 'news'];

async function hosted(t: TestContext, opts: { contentType?: string; feed?: Feed; dir?: string } = {}) {
  const feed = opts.feed ?? (await startFeed());
  if (!opts.feed) t.after(() => feed.close());
  const dir = opts.dir ?? tempDir(t, 'tidings-export-');
  const host = await startFaultServer(t, serveDir(dir, { contentType: opts.contentType }));
  const exp = () => exportFeed(feed.server.store, dir, { now: Math.floor(Date.now() / 1000) });
  await exp();
  return { feed, dir, host, exp, url: `${host.url}/v1/index.json` };
}

type Harness = Awaited<ReturnType<typeof v1Harness>>;
const rows = (h: Harness) => h.store.db.prepare(`SELECT id, seq, channel, kind, trusted, version, retracted, title FROM messages ORDER BY channel, seq`).all();
const since = (host: { requests: { url: string }[] }, n: number) => host.requests.slice(n).map((r) => r.url);

async function publishAll(feed: Feed, records: Parameters<Feed['publish']>[0][]): Promise<{ id: string; seq: number }[]> {
  const out: { id: string; seq: number }[] = [];
  for (const r of records) {
    const res = await feed.publish(r);
    assert.ok(res.ok, `publish: HTTP ${res.status}`);
    out.push(await json<{ id: string; seq: number }>(res));
  }
  return out;
}

test('the static export is stored exactly like the live feed (paging, releases, retractions), first sync and after', async (t) => {
  const { feed, exp, url } = await hosted(t);
  const posts = await publishAll(feed, Array.from({ length: 230 }, (_, i) => news('news', `post ${i}`)));
  const [r1] = await publishAll(feed, [release('stable', '1.0.0'), release('stable', '1.1.0'), release('experimental', '1.2.0-beta.1')]);
  await publishAll(feed, [{ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: r1!.id }]);
  await exp();
  const live = await v1Harness(t, feed.url, [feed.key.publicKey], { token: feed.readToken });
  const stat = await v1Harness(t, url, [feed.key.publicKey]);
  for (const h of [live, stat]) assert.equal((await h.check(CHANNELS)).ok, true);
  assert.equal(stat.count(), 233);
  assert.deepEqual(rows(stat), rows(live));
  // More news, a retraction of a message both already hold (on a page neither fetches again), and one of a
  // message neither has seen (never served).
  const [, n2] = await publishAll(feed, [news('news', 'later 1'), news('news', 'later 2')]);
  await publishAll(feed, [news('news', 'later 3'), { channel: 'news', kind: 'retraction', title: '', body: '', retracts: n2!.id }]);
  await publishAll(feed, [{ channel: 'news', kind: 'retraction', title: '', body: '', retracts: posts[5]!.id }]);
  await exp();
  const outcomes = [];
  for (const h of [live, stat]) outcomes.push(await h.check(CHANNELS));
  assert.deepEqual(outcomes.map((o) => [o.ok, o.result?.inserted.length, o.result?.retracted]), [[true, 2, 1], [true, 2, 1]]);
  assert.deepEqual(outcomes[1]!.result?.toasts.map((i) => i.title), ['later 1', 'later 3']);
  assert.deepEqual(rows(stat), rows(live));
  assert.deepEqual(stat.store.releases(['stable', 'experimental']).map((r) => r.version), live.store.releases(['stable', 'experimental']).map((r) => r.version));
  assert.deepEqual(stat.store.unreadCounts(), live.store.unreadCounts());
  for (const c of CHANNELS) assert.equal(stat.store.cursor('s', c)?.cursor, live.store.cursor('s', c)?.cursor, c);
});

test('an unchanged export is a 304 with no page fetch; a re-export after a publish fetches only the new last page', async (t) => {
  const { feed, host, exp, url } = await hosted(t);
  await publishAll(feed, Array.from({ length: 230 }, (_, i) => news('news', `post ${i}`)));
  await exp();
  const h = await v1Harness(t, url, [feed.key.publicKey]);
  assert.equal((await h.check(CHANNELS)).ok, true);
  assert.equal(h.count(), 230);
  let n = host.requests.length;
  assert.equal((await exp()).written, 0);
  const same = await h.check(CHANNELS);
  assert.equal(same.status, 304);
  assert.equal(same.maxAgeSec, 60);
  assert.deepEqual(since(host, n), ['/v1/index.json']);
  assert.ok(host.requests.at(-1)?.headers['if-none-match']);
  const [m] = await publishAll(feed, [news('news', 'one more')]);
  await exp();
  n = host.requests.length;
  const next = await h.check(CHANNELS);
  assert.equal(next.ok, true, next.detail);
  const fetched = since(host, n);
  assert.equal(fetched.length, 2, fetched.join(' '));
  assert.match(fetched[1]!, /^\/v1\/pages\/news\/200-231\.[0-9a-f]{12}\.json$/);
  assert.deepEqual(next.result?.toasts.map((i) => i.title), ['one more']);
  assert.equal(h.store.cursor('s', 'news')?.cursor, m!.seq);
  assert.equal(h.count(), 231);
});

test('a retraction in a later export withdraws the release', async (t) => {
  const { feed, exp, url } = await hosted(t);
  const [r] = await publishAll(feed, [release('stable', '2.0.0'), news('news', 'hello')]);
  await exp();
  const h = await v1Harness(t, url, [feed.key.publicKey]);
  await h.check(CHANNELS);
  assert.deepEqual(h.store.releases(['stable']).map((x) => x.version), ['2.0.0']);
  await publishAll(feed, [{ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: r!.id }]);
  await exp();
  const res = await h.check(CHANNELS);
  assert.equal(res.result?.retracted, 1);
  assert.deepEqual(h.store.releases(['stable']), []);
  assert.ok(!h.store.list().some((i) => i.version === '2.0.0'));
});

test('an epoch change (another feed exported to the same place) re-syncs every channel from 0, quietly, without duplicates', async (t) => {
  const a = await hosted(t);
  await publishAll(a.feed, [news('news', 'a1'), news('news', 'a2'), release('stable', '1.0.0')]);
  await a.exp();
  const other = await startFeed();
  t.after(() => other.close());
  const h = await v1Harness(t, a.url, [a.feed.key.publicKey, other.key.publicKey]);
  await h.check(CHANNELS);
  assert.equal(h.store.cursor('s', 'news')?.cursor, 2);
  // The new feed's head (5) is above the old cursor: without the epoch only seq 3..5 would be read.
  const b = await publishAll(other, [news('news', 'b1'), news('news', 'b2'), news('news', 'b3'), news('news', 'b4'), news('news', 'b5')]);
  await exportFeed(other.server.store, a.dir, { now: Math.floor(Date.now() / 1000) });
  const res = await h.check(CHANNELS);
  assert.equal(res.ok, true, res.detail);
  assert.equal(res.result?.inserted.length, 5);
  assert.equal(res.result?.toasts.length, 0, 'a re-sync is quiet');
  const ids = new Set(h.store.list({ limit: 500 }).map((i) => i.id));
  for (const m of b) assert.ok(ids.has(m.id));
  assert.equal(h.store.cursor('s', 'news')?.cursor, 5);
  assert.equal(h.store.cursor('s', 'news')?.etag, other.server.store.epoch);
  assert.equal(h.store.cursor('s', 'stable')?.cursor, 0, 'the new feed has no stable channel yet');
  assert.equal((await h.check(CHANNELS)).status, 304);
});

test('an index naming pages elsewhere (absolute URL, another host, ../, another channel) is refused; nothing is fetched or stored', async (t) => {
  const { feed, dir, host, url } = await hosted(t);
  await publishAll(feed, [news('news', 'n1'), news('news', 'n2')]);
  const good = (await exportFeed(feed.server.store, dir, { now: Math.floor(Date.now() / 1000) })).index;
  const file = good.channels.find((c) => c.name === 'news')!.pages[0]!.file;
  const evil = await startFaultServer(t);
  const name = file.split('/').at(-1)!;
  const bad = [
    `${evil.url}/v1/${file}`, `//${new URL(evil.url).host}/v1/${file}`, `/v1/${file}`, `../v1/${file}`, `pages/news/../../${name}`,
    `pages/news/..%2f..%2f${name}`, `pages/stable/${name}`, `pages/news/${name}?x=1`, `pages\\news\\${name}`, `pages/news/0-2.${'a'.repeat(12)}.json.html`,
  ];
  const h = await v1Harness(t, url, [feed.key.publicKey]);
  for (const f of bad) {
    const index: StaticIndex = JSON.parse(JSON.stringify(good));
    index.channels.find((c) => c.name === 'news')!.pages[0]!.file = f;
    writeFileSync(join(dir, 'v1', 'index.json'), JSON.stringify(index));
    const n = host.requests.length;
    const r = await h.check(CHANNELS);
    assert.equal(r.ok, false, f);
    assert.match(r.detail, /refusing page|outside the feed/, f);
    assert.deepEqual(since(host, n), ['/v1/index.json'], f);
  }
  assert.equal(evil.requests.length, 0);
  assert.equal(h.count(), 0);
  assert.equal(h.store.cursor('s', 'news'), null);
  // The good index again: everything arrives.
  writeFileSync(join(dir, 'v1', 'index.json'), JSON.stringify(good));
  assert.equal((await h.check(CHANNELS)).ok, true);
  assert.equal(h.count(), 2);
});

test('a page that does not match its index entry, or a tampered record, is caught like on the live feed', async (t) => {
  const { feed, dir, url } = await hosted(t);
  await publishAll(feed, [release('stable', '3.0.0')]);
  const { index } = await exportFeed(feed.server.store, dir, { now: Math.floor(Date.now() / 1000) });
  const page = join(dir, 'v1', index.channels.find((c) => c.name === 'stable')!.pages[0]!.file);
  const original = readFileSync(page, 'utf8');
  writeFileSync(page, original.replace('"channel":"stable"', '"channel":"news"'));
  const h = await v1Harness(t, url, [feed.key.publicKey]);
  const r = await h.check(CHANNELS);
  assert.equal(r.ok, false);
  assert.equal(h.count(), 0);
  // The host rewrites the download link inside the signed record: the signature check drops it.
  writeFileSync(page, original.replace('https://downloads.example.com/', 'https://evil.example.com/'));
  assert.equal((await h.check(CHANNELS)).ok, true);
  assert.deepEqual(h.store.releases(['stable']), []);
  assert.match(h.store.checkLog().map((e) => e.detail).join('\n'), /signature rejected/);
});

test('content types: application/octet-stream (S3 default) is accepted; an HTML page (captive portal) is refused', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  await publishAll(feed, [news('news', 'typed')]);
  const octet = await hosted(t, { feed, contentType: 'binary/octet-stream' });
  const h1 = await v1Harness(t, octet.url, [feed.key.publicKey]);
  assert.equal((await h1.check(CHANNELS)).ok, true);
  assert.equal(h1.count(), 1);
  const html = await hosted(t, { feed, contentType: 'text/html; charset=utf-8' });
  const h2 = await v1Harness(t, html.url, [feed.key.publicKey]);
  const r = await h2.check(CHANNELS);
  assert.equal(r.ok, false);
  assert.match(r.detail, /expected JSON/);
  assert.equal(h2.count(), 0);
});

test('through the facade: a feed URL ending in /index.json is read as a static feed and opens no SSE stream', async (t) => {
  const { feed, host, exp, url } = await hosted(t);
  await publishAll(feed, [release('stable', '1.5.0'), news('news', 'hello static')]);
  await exp();
  const c = await createCompanion({
    dataDir: tempDir(t), publisherKeys: [feed.key.publicKey], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'cdn', url, live: true }], allowLoopbackHttp: true, intervalMs: null,
  });
  t.after(() => c.close());
  c.start();
  c.checkNow();
  await c.checkAll();
  assert.equal(c.sources()[0]?.lastError, null);
  assert.deepEqual(c.listMessages().map((i) => i.title).sort(), ['Tidings 1.5.0', 'hello static']);
  assert.equal(c.updateStatus().state, 'available');
  await new Promise((r) => setTimeout(r, 200)); // time for an SSE stream to be attempted, were one opened
  assert.ok(host.requests.every((r) => r.url === '/v1/index.json' || r.url.startsWith('/v1/pages/')), host.requests.map((r) => r.url).join(' '));
});

test('careful HTTP applies to the index and to pages: byte cap, deadlines, no redirect to another host, no plain http', async (t) => {
  const { feed, host, exp, url } = await hosted(t);
  await publishAll(feed, Array.from({ length: 30 }, (_, i) => news('news', `post ${i}`)));
  await exp();
  const capped = await v1Harness(t, url, [feed.key.publicKey], { limits: { maxBytes: 4000 } });
  const big = await capped.check(CHANNELS);
  assert.equal(big.ok, false);
  assert.match(big.detail, /too-large/);
  assert.equal(capped.count(), 0);
  const files = host.handler;
  host.handler = (q, r, b) => (q.url?.startsWith('/v1/pages/') ? void r.writeHead(200, { 'content-type': 'application/json' }).flushHeaders() : files(q, r, b));
  const slow = await v1Harness(t, url, [feed.key.publicKey], { limits: { idleMs: 200 } });
  assert.match((await slow.check(CHANNELS)).detail, /idle-timeout/);
  assert.equal(slow.count(), 0);
  const other = await startFaultServer(t, files);
  host.handler = (_q, r) => void r.writeHead(302, { location: `${other.url}/v1/index.json` }).end();
  const moved = await v1Harness(t, url, [feed.key.publicKey]);
  assert.match((await moved.check(CHANNELS)).detail, /redirect/);
  assert.equal(other.requests.length, 0);
  const dataDir = tempDir(t);
  await assert.rejects(createCompanion({
    dataDir, publisherKeys: [], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'cdn', url: 'http://cdn.example.com/v1/index.json' }],
  }), /not an https URL/);
});
