// Tokens and scopes (reliability case 47), public feeds, per-channel tokens and rate limits (case 49).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, json, news, tokenTableText, type Feed } from './helpers.ts';
import { createToken } from '../../server/tokens.ts';

let feed: Feed;
before(async () => { feed = await startFeed(); await feed.publish(news('news')); await feed.publish(news('beta')); });
after(async () => { await feed.close(); });

test('no token is a 401 with WWW-Authenticate; an unknown or revoked one is 401 invalid_token', async () => {
  const none = await fetch(`${feed.url}/v1/heads`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  const unknown = await feed.get('/v1/heads', { authorization: 'Bearer tdg_000000000000_' + 'A'.repeat(43) });
  assert.equal(unknown.status, 401);
  assert.match(unknown.headers.get('www-authenticate') ?? '', /invalid_token/);
  const garbage = await feed.get('/v1/heads', { authorization: 'Bearer nonsense' });
  assert.equal(garbage.status, 401);
  const { token, row } = await createToken(feed.server.store, { name: 'tmp', scopes: ['read'], channels: null, now: 1 });
  assert.equal((await feed.get('/v1/heads', { authorization: `Bearer ${token}` })).status, 200);
  await feed.server.store.revokeToken(row.id, 2);
  assert.equal((await feed.get('/v1/heads', { authorization: `Bearer ${token}` })).status, 401, 'revocation takes effect at once');
});

test('a read token cannot publish: 403 insufficient_scope', async () => {
  const res = await feed.publish(news('news'), { token: feed.readToken });
  assert.equal(res.status, 403);
  assert.match(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'insufficient_scope');
});

test('a publish token may also read', async () => {
  assert.equal((await feed.get('/v1/heads', { authorization: `Bearer ${feed.publishToken}` })).status, 200);
});

test('tokens limited to channels see and touch only those channels', async () => {
  const reader = (await createToken(feed.server.store, { name: 'beta-reader', scopes: ['read'], channels: ['beta'], now: 1 })).token;
  const heads = await json<{ heads: Record<string, number> }>(await feed.get('/v1/heads', { authorization: `Bearer ${reader}` }));
  assert.deepEqual(Object.keys(heads.heads), ['beta']);
  assert.equal((await feed.get('/v1/channels/news/messages', { authorization: `Bearer ${reader}` })).status, 403);
  assert.equal((await feed.get('/v1/channels/beta/messages', { authorization: `Bearer ${reader}` })).status, 200);
  const publisher = (await createToken(feed.server.store, { name: 'beta-ci', scopes: ['publish'], channels: ['beta'], now: 1 })).token;
  assert.equal((await feed.publish(news('news'), { token: publisher })).status, 403);
  assert.equal((await feed.publish(news('beta'), { token: publisher })).status, 201);
});

test('tokens are stored hashed: the database never holds the secret', async () => {
  const { token } = await createToken(feed.server.store, { name: 'secret-check', scopes: ['read'], channels: null, now: 1 });
  // The secret is base64url and may itself contain '_': take everything after `tdg_<id>_`.
  const secret = token.slice('tdg_'.length + 12 + 1);
  assert.equal(secret.length, 43);
  const stored = await tokenTableText(feed);
  assert.ok(stored.length > 0);
  assert.ok(!stored.includes(secret), 'the store must not contain the token secret');
});

test('a public feed reads without a token but still needs one to publish', async () => {
  const pub = await startFeed({ publicRead: true });
  try {
    await pub.publish(news('news'));
    const res = await fetch(`${pub.url}/v1/heads`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
    const sse = await fetch(`${pub.url}/v1/channels/news/messages`);
    assert.equal(sse.status, 200);
    const anon = await fetch(`${pub.url}/v1/channels/news/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(anon.status, 401);
    assert.equal((await fetch(`${pub.url}/v1/heads`, { headers: { authorization: 'Bearer wrong' } })).status, 401, 'a bad token is refused even on a public feed');
  } finally {
    await pub.close();
  }
});

test('rate limits answer 429 with Retry-After per token and per IP, without affecting others (case 49)', async () => {
  const limited = await startFeed({ publishRateLimit: 3, readRateLimit: 5 });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await limited.publish(news('news'))).status);
    assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    const refused = await limited.publish(news('news'));
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await json<{ error: { code: string } }>(refused)).error.code, 'rate_limited');
    const other = (await createToken(limited.server.store, { name: 'other', scopes: ['publish'], channels: null, now: 1 })).token;
    assert.equal((await limited.publish(news('news'), { token: other })).status, 201, 'another token is not affected');
    const anon: number[] = [];
    for (let i = 0; i < 7; i++) anon.push((await fetch(`${limited.url}/v1/health`)).status);
    assert.deepEqual(anon.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.equal(anon[6], 429, 'an IP flood without a token is limited');
    assert.equal((await limited.get('/v1/heads')).status, 200, 'a token\'s own budget is separate from the IP\'s');
    // Reads and publishes are separate budgets: a token that used up its reads may still publish, and back.
    const both = (await createToken(limited.server.store, { name: 'both', scopes: ['read', 'publish'], channels: null, now: 1 })).token;
    const reads: number[] = [];
    for (let i = 0; i < 6; i++) reads.push((await limited.get('/v1/heads', { authorization: `Bearer ${both}` })).status);
    assert.deepEqual(reads, [200, 200, 200, 200, 200, 429]);
    assert.equal((await limited.publish(news('news'), { token: both })).status, 201, 'reads do not use up publishes');
  } finally {
    await limited.close();
  }
});

test('token checks take the same time whether or not the token id exists (case 47)', async () => {
  const { verifyToken } = await import('../../server/tokens.ts');
  const { token } = await createToken(feed.server.store, { name: 'timing', scopes: ['read'], channels: null, now: 1 });
  const [, id] = token.split('_');
  const knownIdWrongSecret = `tdg_${id}_${'B'.repeat(43)}`;
  const unknownId = `tdg_ffffffffffff_${'B'.repeat(43)}`;
  const time = async (t: string) => {
    const s = process.hrtime.bigint();
    await verifyToken(feed.server.store, t);
    return Number(process.hrtime.bigint() - s);
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 3000; i++) {
    // Interleaved so machine noise hits both alike.
    a.push(await time(knownIdWrongSecret));
    b.push(await time(unknownId));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1] as number;
  const ratio = median(a) / median(b);
  assert.ok(ratio > 0.5 && ratio < 2, `known-id/unknown-id median time ratio ${ratio.toFixed(2)}`);
  assert.equal((await verifyToken(feed.server.store, knownIdWrongSecret)).ok, false);
});
