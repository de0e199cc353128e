// Feed v1 reads against a real server: heads, channels, paging, ETag/304 and Cache-Control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startFeed, json, news, release, type Feed } from './helpers.ts';

let feed: Feed;
before(async () => { feed = await startFeed({ maxAge: 120 }); });
after(async () => { await feed.close(); });

test('an empty feed answers health, heads and channels', async () => {
  assert.deepEqual(await json(await fetch(`${feed.url}/v1/health`)), { ok: true, head: 0 });
  assert.deepEqual(await json(await feed.get('/v1/heads')), { heads: {} });
  assert.deepEqual(await json(await feed.get('/v1/channels')), { channels: [] });
  const page = await json(await feed.get('/v1/channels/never-used/messages'));
  assert.deepEqual(page, { channel: 'never-used', messages: [], next: 0, head: 0, more: false });
});

test('channels get their kind from their first message and heads track the highest seq', async () => {
  assert.equal((await feed.publish(release('stable', '1.0.0'))).status, 201);
  assert.equal((await feed.publish(news('news'))).status, 201);
  assert.equal((await feed.publish(news('stable'))).status, 201);
  const { channels } = await json<{ channels: { name: string; kind: string; head: number }[] }>(await feed.get('/v1/channels'));
  assert.deepEqual(channels.map((c) => [c.name, c.kind, c.head]), [['news', 'news', 2], ['stable', 'update', 3]]);
  assert.deepEqual(await json(await feed.get('/v1/heads')), { heads: { stable: 3, news: 2 } });
  assert.deepEqual(await json(await feed.get('/v1/heads?channels=news')), { heads: { news: 2 } });
  assert.deepEqual(await json(await fetch(`${feed.url}/v1/health`)), { ok: true, head: 3 });
});

test('an unchanged check is a 304 with an empty body, the same ETag and a max-age', async () => {
  const first = await feed.get('/v1/heads');
  const etag = first.headers.get('etag');
  assert.match(etag ?? '', /^"[^"]+"$/, 'a strong ETag');
  assert.equal(first.headers.get('cache-control'), 'max-age=120');
  assert.equal(first.headers.get('vary'), null);
  const again = await feed.get('/v1/heads', { 'if-none-match': etag as string });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(await again.text(), '');
  await feed.publish(news('news'));
  const changed = await feed.get('/v1/heads', { 'if-none-match': etag as string });
  assert.equal(changed.status, 200, 'a publish changes the ETag');
  assert.notEqual(changed.headers.get('etag'), etag);
});

test('the channel list is revalidated too: 304 until something is published', async () => {
  const first = await feed.get('/v1/channels');
  const etag = first.headers.get('etag') as string;
  assert.match(etag, /^"[^"]+"$/);
  assert.equal(first.headers.get('cache-control'), 'max-age=120');
  const again = await feed.get('/v1/channels', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(await again.text(), '');
  assert.notEqual(etag, (await feed.get('/v1/heads')).headers.get('etag'), 'heads and channels never share an ETag');
  await feed.publish(news('news'));
  assert.equal((await feed.get('/v1/channels', { 'if-none-match': etag })).status, 200);
});

test('a page is revalidated by its channel head only', async () => {
  const res = await feed.get('/v1/channels/stable/messages?after=0');
  const etag = res.headers.get('etag') as string;
  assert.equal((await feed.get('/v1/channels/stable/messages?after=0', { 'if-none-match': etag })).status, 304);
  await feed.publish(news('news'));
  assert.equal((await feed.get('/v1/channels/stable/messages?after=0', { 'if-none-match': etag })).status, 304, 'other channels do not invalidate it');
  await feed.publish(news('stable'));
  assert.equal((await feed.get('/v1/channels/stable/messages?after=0', { 'if-none-match': etag })).status, 200);
});

test('paging over 1,000 messages with small limits yields each exactly once, in order', async () => {
  const ch = 'bulk';
  const ids: string[] = [];
  for (let i = 0; i < 1000; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => feed.publish(news(ch)).then((r) => json<{ id: string; seq: number }>(r))));
    ids.push(...batch.sort((a, b) => a.seq - b.seq).map((m) => m.id));
  }
  const seen: { id: string; seq: number }[] = [];
  let after = 0;
  let pages = 0;
  for (;;) {
    const page = await json<{ messages: { id: string; seq: number }[]; next: number; more: boolean; head: number }>(await feed.get(`/v1/channels/${ch}/messages?after=${after}&limit=37`));
    seen.push(...page.messages);
    pages++;
    assert.ok(page.next >= after, 'next never goes back');
    after = page.next;
    if (!page.more) break;
  }
  assert.equal(pages, Math.ceil(1000 / 37));
  assert.equal(seen.length, 1000);
  assert.deepEqual(seen.map((m) => m.id), ids);
  for (let i = 1; i < seen.length; i++) assert.ok((seen[i] as { seq: number }).seq > (seen[i - 1] as { seq: number }).seq);
});

test('bad paging parameters are 400s naming the parameter', async () => {
  for (const [query, field] of [['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['after=-1', 'after'], ['after=1e3', 'after'], ['after=', 'after']] as const) {
    const res = await feed.get(`/v1/channels/stable/messages?${query}`);
    assert.equal(res.status, 400, query);
    const body = await json<{ error: { field: string; code: string; message: string } }>(res);
    assert.equal(body.error.field, field, query);
  }
});

test('path-like or oversized channel names are refused, never used raw', async () => {
  for (const name of ['..%2Fx', '.hidden', 'a'.repeat(65), '%F0%9F%98%80', 'a%3Fb', 'a%23b', 'a%20b']) {
    const res = await feed.get(`/v1/channels/${name}/messages`);
    assert.equal(res.status, 400, name);
    assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'channel');
  }
  assert.equal((await feed.get('/v1/heads?channels=stable,../x')).status, 400);
  // fetch() normalizes dot segments; a raw request sends them as an attacker would.
  for (const path of ['/v1/channels/%2e%2e/messages', '/v1/channels/%2E%2E%2Fetc/messages']) {
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(feed.url);
      http.get({ hostname, port, path, headers: { authorization: `Bearer ${feed.readToken}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    assert.equal(status, 400, path);
  }
});

test('unknown endpoints are JSON 404s', async () => {
  const res = await feed.get('/v1/nope');
  assert.equal(res.status, 404);
  assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'not_found');
});
