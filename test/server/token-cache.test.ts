// A read with a token costs no database lookup per request (issue 17), yet revocation on one node is
// refused on every other node within a second; the routine reads answered before Fastify (routes/fast.ts)
// keep the rate limit and per-channel validators. Runs on SQLite and, in test/server-pg, on PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { TokenCache } from '../../server/tokencache.ts';
import { startFeed, news, type Feed } from './helpers.ts';

let feed: Feed;
before(async () => {
  feed = await startFeed();
  await feed.publish(news('news'));
  await feed.publish(news('beta'));
});
after(async () => { await feed.close(); });

/** Counts the store's token lookups while `fn` runs. */
async function lookups(store: Feed['server']['store'], fn: () => Promise<void>): Promise<number> {
  const real = store.tokenById.bind(store);
  let n = 0;
  store.tokenById = (id) => { n++; return real(id); };
  try {
    await fn();
  } finally {
    store.tokenById = real;
  }
  return n;
}

test('reads with a token are authenticated from memory: 100 requests, at most a lookup a second', async () => {
  const first = await feed.get('/v1/heads');
  const etag = first.headers.get('etag') ?? '';
  const page = await feed.get('/v1/channels/news/messages?after=0');
  assert.equal(page.status, 200);
  const started = Date.now();
  const n = await lookups(feed.server.store, async () => {
    for (let i = 0; i < 50; i++) {
      assert.equal((await feed.get('/v1/heads', { 'if-none-match': etag })).status, 304);
      const p = await feed.get('/v1/channels/news/messages?after=0');
      assert.equal(p.status, 200);
      await p.arrayBuffer();
    }
  });
  assert.ok(n <= Math.ceil((Date.now() - started) / 1000) + 1, `${n} token lookups for 100 reads`);
});

test('a token revoked on one node is refused by another node within a second, on the routine 304 too', async () => {
  const other = await startServer({ db: feed.db, port: 0, host: '127.0.0.1', readRateLimit: 100_000, publishRateLimit: 100_000 });
  try {
    const { token, row } = await createToken(feed.server.store, { name: 'revoke-me', scopes: ['read'], channels: null, now: 1 });
    const auth = { authorization: `Bearer ${token}` };
    const ok = await fetch(`${other.url}/v1/heads`, { headers: auth });
    assert.equal(ok.status, 200, 'a token created on node A works on node B at once');
    const etag = ok.headers.get('etag') ?? '';
    assert.equal((await fetch(`${other.url}/v1/heads`, { headers: { ...auth, 'if-none-match': etag } })).status, 304);

    await feed.server.store.revokeToken(row.id, 2);
    const revokedAt = Date.now();
    let status = 0;
    while (Date.now() - revokedAt < 1500) {
      status = (await fetch(`${other.url}/v1/heads`, { headers: { ...auth, 'if-none-match': etag } })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const took = Date.now() - revokedAt;
    assert.equal(status, 401, 'node B refuses the revoked token');
    assert.ok(took < 1000, `node B refused it after ${took} ms`);
    assert.equal((await fetch(`${other.url}/v1/channels/news/messages?after=0`, { headers: auth })).status, 401);
    assert.equal((await feed.get('/v1/heads', auth)).status, 401, 'and node A at once');
  } finally {
    await other.close();
  }
});

test('routine reads answered before Fastify keep the rate limit and per-channel validators', async () => {
  const limited = await startFeed({ readRateLimit: 5, publicRead: true });
  try {
    await limited.publish(news('news'));
    const etag = (await fetch(`${limited.url}/v1/heads`)).headers.get('etag') ?? '';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${limited.url}/v1/heads`, { headers: { 'if-none-match': etag } })).status);
    assert.deepEqual(statuses, [304, 304, 304, 304, 429, 429], 'the plain GET and four 304s use up the limit of 5');

    const beta = (await createToken(limited.server.store, { name: 'beta', scopes: ['read'], channels: ['beta'], now: 1 })).token;
    const res = await fetch(`${limited.url}/v1/heads`, { headers: { authorization: `Bearer ${beta}`, 'if-none-match': etag } });
    assert.equal(res.status, 200, 'a channel-limited token never matches the unfiltered ETag');
    assert.notEqual(res.headers.get('etag'), etag);
    const denied = await fetch(`${limited.url}/v1/channels/news/messages?after=0`, { headers: { authorization: `Bearer ${beta}` } });
    assert.equal(denied.status, 403);
  } finally {
    await limited.close();
  }
});

test('cached pages answered before Fastify are the same bytes and headers Fastify sends', async () => {
  const path = '/v1/channels/news/messages?after=0&limit=10';
  const a = await feed.get(path);
  const bodyA = await a.text();
  const b = await feed.get(path);
  const bodyB = await b.text();
  assert.equal(bodyB, bodyA);
  for (const h of ['etag', 'cache-control', 'content-type', 'content-length']) assert.equal(b.headers.get(h), a.headers.get(h), h);
  assert.equal((await feed.get(`${path}&limit=3`)).status, 400, 'a repeated parameter is still refused');
  assert.equal((await feed.get('/v1/channels/news/messages?after=x')).status, 400);
});

test('the token cache is bounded: past its size the oldest entries go', async () => {
  const cache = new TokenCache(feed.server.store, 2);
  const tokens = await Promise.all([1, 2, 3].map(async (i) => (await createToken(feed.server.store, { name: `t${i}`, scopes: ['read'], channels: null, now: 1 })).token));
  for (const t of tokens) assert.equal((await cache.verify(t)).ok, true);
  assert.equal(cache.size, 2);
  assert.equal(cache.peek(tokens[0] as string), undefined, 'the oldest was dropped');
  assert.ok(cache.peek(tokens[2] as string), 'the newest is kept');
  assert.equal((await cache.verify('tdg_000000000000_' + 'A'.repeat(43))).ok, false);
  assert.equal(cache.size, 2, 'unknown tokens are never remembered');
});
