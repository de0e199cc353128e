// Key rotation through a real feed service (docs/key-rotation.md): statements are checked before they are
// stored and served, the chain survives a restart, and a key a rotation dropped signs nothing new.
// Runs on SQLite here and on PostgreSQL under test/server-pg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, type SigningKey } from '../../shared/protocol/signing.ts';
import { KEYS_HEADER, signStatement, type KeyStatement, type StatementBody } from '../../shared/protocol/rotation.ts';
import { json, news, rawPost, release, startFeed, type Feed } from './helpers.ts';

const body = (seq: number, keys: SigningKey[], extra: Partial<StatementBody> = {}): StatementBody => ({
  v: 1, type: 'tidings-keys', seq, keys: keys.map((k) => k.publicKey), threshold: 1, revoked: [], issued: Math.floor(Date.now() / 1000), ...extra,
});

const post = (feed: Feed, statement: unknown, token = feed.publishToken) => rawPost(feed, '/v1/keys', JSON.stringify(statement), 'application/json', token);

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string; field?: string }> {
  const b = await json<{ error: { code: string; message: string; field?: string } }>(res);
  return { status: res.status, ...b.error };
}

test('a rotation is stored, served with an ETag, advertised on a changed heads answer, and moves who may sign', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  assert.equal((await feed.publish(news('news', 'before'))).status, 201);

  const empty = await feed.get('/v1/keys');
  assert.equal(empty.status, 200);
  assert.deepEqual(await empty.json(), { statements: [] });
  const emptyTag = empty.headers.get('etag') as string;
  assert.equal((await feed.get('/v1/keys', { 'if-none-match': emptyTag })).status, 304);
  assert.equal((await feed.get('/v1/heads')).headers.get(KEYS_HEADER), null, 'a feed that never rotated says nothing');

  const k1 = await generateSigningKey();
  const s1 = await signStatement(body(1, [k1]), [feed.key, k1]);
  const created = await post(feed, s1);
  assert.equal(created.status, 201, await created.clone().text());
  assert.deepEqual((await json<{ seq: number }>(created)).seq, 1);

  const chain = await feed.get('/v1/keys', { 'if-none-match': emptyTag });
  assert.equal(chain.status, 200, 'the ETag moved with the chain');
  assert.deepEqual(((await chain.json()) as { statements: KeyStatement[] }).statements, [s1]);
  assert.equal((await feed.get('/v1/heads')).headers.get(KEYS_HEADER), '1');

  const old = await feed.publish(news('news', 'old key'));
  assert.deepEqual(await errorOf(old), { status: 422, code: 'retired_key', message: 'the record is signed with a key a key rotation retired; sign with the current key', field: 'sig.key' });
  // Even back-dated: the service refuses every new record from a dropped key.
  const backdated = await feed.publish({ ...news('news', 'back-dated'), issued: 1 });
  assert.equal(backdated.status, 422);
  assert.equal((await feed.publish(release('stable', '2.0.0'), { key: k1 })).status, 201);

  // Kept across a restart.
  await feed.restart();
  assert.equal((await feed.publish(news('news', 'after restart'), { key: k1 })).status, 201);
  assert.equal((await feed.publish(news('news', 'old again'))).status, 422);
  assert.deepEqual(((await (await feed.get('/v1/keys')).json()) as { statements: unknown[] }).statements, [s1]);
});

test('the next statement must come from the current set: seq, thresholds, forgeries, revocations', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  const [a, b, c, n, evil] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey(), generateSigningKey(), generateSigningKey()]);
  const s1 = await signStatement(body(1, [a, b, c], { threshold: 2 }), [feed.key, a, b, c]);
  assert.equal((await post(feed, s1)).status, 201);
  assert.equal((await post(feed, s1)).status, 200, 'the same statement again is a safe retry');

  const other1 = await signStatement(body(1, [n]), [feed.key, n]);
  assert.deepEqual(await errorOf(await post(feed, other1)), { status: 409, code: 'seq_conflict', message: 'statement 1 already exists; the next one is 2', field: 'seq' });
  const gap = await errorOf(await post(feed, await signStatement(body(3, [n]), [a, b, n])));
  assert.equal(gap.status, 422);
  assert.match(gap.message, /skips ahead: the next statement must be 2/);
  const oneOfThree = await errorOf(await post(feed, await signStatement(body(2, [n]), [a, n])));
  assert.deepEqual([oneOfThree.status, oneOfThree.code, oneOfThree.field], [422, 'bad_statement', 'sigs']);
  assert.match(oneOfThree.message, /signed by 1 of the trusted keys; 2 needed/);
  const forged = await errorOf(await post(feed, await signStatement(body(2, [evil]), [evil])));
  assert.match(forged.message, /signed by 0 of the trusted keys/);
  const tampered = await signStatement(body(2, [n], { revoked: [a.keyId] }), [a, b, n]);
  assert.equal((await post(feed, { ...tampered, keys: [evil.publicKey] })).status, 422);
  assert.deepEqual(((await (await feed.get('/v1/keys')).json()) as { statements: unknown[] }).statements.length, 1, 'nothing refused was stored');

  // Two of three rotate to n and revoke a.
  assert.equal((await post(feed, tampered)).status, 201);
  const revoked = await errorOf(await feed.publish(news('news', 'from a'), { key: a }));
  assert.deepEqual([revoked.status, revoked.code], [422, 'revoked_key']);
  const retired = await errorOf(await feed.publish(news('news', 'from b'), { key: b }));
  assert.deepEqual([retired.status, retired.code], [422, 'retired_key']);
  assert.equal((await feed.publish(news('news', 'from n'), { key: n })).status, 201);
  const comeback = await errorOf(await post(feed, await signStatement(body(3, [n, a]), [n, a])));
  assert.match(comeback.message, /was revoked/);
});

test('who may rotate, and bad bodies: one plain sentence each, nothing stored', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  const k1 = await generateSigningKey();
  const s1 = await signStatement(body(1, [k1]), [feed.key, k1]);
  assert.equal((await post(feed, s1, feed.readToken)).status, 403);
  const limited = (await createToken(feed.server.store, { name: 'stable only', scopes: ['publish'], channels: ['stable'], now: 1 })).token;
  const narrow = await errorOf(await post(feed, s1, limited));
  assert.deepEqual([narrow.status, narrow.message], [403, 'a key rotation needs a publish token that covers every channel']);
  assert.equal((await fetch(`${feed.url}/v1/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s1) })).status, 401);
  assert.equal((await rawPost(feed, '/v1/keys', JSON.stringify(s1), 'text/plain')).status, 415);
  const schema = await errorOf(await post(feed, { ...s1, threshold: 0 }));
  assert.deepEqual([schema.status, schema.field], [400, 'threshold']);
  const extra = await errorOf(await post(feed, { ...s1, note: 'hi' }));
  assert.equal(extra.status, 400);
  assert.equal((await rawPost(feed, '/v1/keys', '{"v":', 'application/json')).status, 400);
  assert.deepEqual(((await (await feed.get('/v1/keys')).json()) as { statements: unknown[] }).statements, []);
  // A public read is refused on a private feed.
  assert.equal((await fetch(`${feed.url}/v1/keys`)).status, 401);
});
