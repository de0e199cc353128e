// The console's token, trusted-key and draft management (issue 15; docs/console.md "API") through a real feed
// service: the admin scope for tokens and keys (anyone else gets 403), the secret shown once and never stored or
// logged, a revoked token refused from the next request, keys as `tidings key add` and the v1 key API allow, drafts per
// channel with the publish scope; every change CSRF-checked and audited, every refusal one sentence that changes
// nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, tokenTableText, type Feed } from './helpers.ts';
import { createToken, parseToken } from '../../server/tokens.ts';
import { generateSigningKey } from '../../shared/protocol/signing.ts';
import { signStatement } from '../../shared/protocol/rotation.ts';
import { call, ok, refused, signIn, type ConsoleSession } from './console-helpers.ts';

let feed: Feed;
let admin: ConsoleSession;
let publisher: ConsoleSession;
before(async () => {
  feed = await startFeed({ console: { signInsPerMinute: 1000 } });
  const adminToken = (await createToken(feed.server.store, { name: 'root', scopes: ['admin', 'publish'], channels: null, now: 1 })).token;
  admin = await signIn(feed, adminToken);
  publisher = await signIn(feed, feed.publishToken);
});
after(async () => {
  await feed.close();
});

interface Entry { who: string; action: string; channel: string | null; detail: string }
const auditOf = async (s: ConsoleSession) => (await ok<{ entries: Entry[] }>(await call(feed, s, 'GET', '/console/api/audit'))).entries;

test('tokens: only admin may list, create and revoke; the secret is shown once; a revoked token is refused from the next request', async () => {
  await refused(await call(feed, publisher, 'GET', '/console/api/tokens'), 403, 'insufficient_scope');
  await refused(await call(feed, publisher, 'POST', '/console/api/tokens', { name: 'x', scopes: ['read'] }), 403, 'insufficient_scope');
  const listed = await ok<{ tokens: Record<string, unknown>[] }>(await call(feed, admin, 'GET', '/console/api/tokens'));
  assert.deepEqual(listed.tokens.map((t) => t.name).sort(), ['app', 'ci', 'root']);
  assert.ok(listed.tokens.every((t) => !('hash' in t) && !('secret' in t)), 'no secrets or hashes in the list');
  // Bad input: one sentence naming the field, nothing created.
  for (const [body, field] of [
    [{ name: '', scopes: ['read'] }, 'name'],
    [{ name: 'x', scopes: [] }, 'scopes'],
    [{ name: 'x', scopes: ['owner'] }, 'scopes'],
    [{ name: 'x', scopes: ['read'], channels: ['../etc'] }, 'channels'],
    [{ name: 'x', scopes: ['admin'], channels: ['stable'] }, 'channels'],
  ] as const) assert.equal((await refused(await call(feed, admin, 'POST', '/console/api/tokens', body), 400, 'invalid')).field, field);
  await refused(await call(feed, admin, 'POST', '/console/api/tokens', { name: 'x', scopes: ['read'] }, { csrf: false }), 403, 'csrf');
  assert.equal((await ok<{ tokens: unknown[] }>(await call(feed, admin, 'GET', '/console/api/tokens'))).tokens.length, 3);

  const made = await ok<{ token: string; row: { id: string; name: string; scopes: string[]; channels: string[] | null; revoked: null } }>(
    await call(feed, admin, 'POST', '/console/api/tokens', { name: 'beta app', scopes: ['read'], channels: ['beta'] }), 201);
  assert.match(made.token, /^tdg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual([made.row.name, made.row.scopes, made.row.channels, made.row.revoked], ['beta app', ['read'], ['beta'], null]);
  // The secret as the service reads it (it may itself contain '_', so not split('_')[2]).
  const secret = parseToken(made.token)?.secret as string;
  assert.equal(secret.length, 43);
  assert.ok(!(await tokenTableText(feed)).includes(secret), 'only a hash of the secret is stored');
  const again = await ok<{ tokens: Record<string, unknown>[] }>(await call(feed, admin, 'GET', '/console/api/tokens'));
  assert.ok(!JSON.stringify(again).includes(secret), 'the list never shows it again');
  const read = () => fetch(`${feed.url}/v1/channels/beta/messages`, { headers: { authorization: `Bearer ${made.token}` } });
  assert.equal((await read()).status, 200);
  assert.equal((await read()).status, 200, 'now in the token cache');

  await refused(await call(feed, admin, 'DELETE', `/console/api/tokens/${made.row.id}`, undefined, { csrf: false }), 403, 'csrf');
  await refused(await call(feed, publisher, 'DELETE', `/console/api/tokens/${made.row.id}`), 403, 'insufficient_scope');
  assert.equal((await read()).status, 200, 'refused revocations changed nothing');
  await refused(await call(feed, admin, 'DELETE', '/console/api/tokens/000000000000'), 404, 'unknown_token');
  const rootId = (again.tokens.find((t) => t.name === 'root') as { id: string }).id;
  await refused(await call(feed, admin, 'DELETE', `/console/api/tokens/${rootId}`), 409, 'own_token');
  const revoked = await ok<{ id: string; revoked: number }>(await call(feed, admin, 'DELETE', `/console/api/tokens/${made.row.id}`));
  assert.equal(revoked.id, made.row.id);
  // Revoking through this node drops its token cache at once, so the very next read is refused (stronger than
  // "within a second", and no wall-clock bound that a loaded CI machine could break).
  assert.equal((await read()).status, 401, 'the next read after the revocation is refused');
  await refused(await call(feed, admin, 'DELETE', `/console/api/tokens/${made.row.id}`), 409, 'revoked');

  const log = await auditOf(admin);
  const created = log.find((e) => e.action === 'create token');
  assert.match(created?.detail ?? '', new RegExp(`^${made.row.id} "beta app": read on beta$`));
  assert.ok(log.some((e) => e.action === 'revoke token' && e.detail.startsWith(made.row.id)));
  assert.ok(!JSON.stringify(log).includes(secret), 'never a token in the audit log');
});

test('an admin token signing in to the console changes its own rights only as its scopes say', async () => {
  const onlyAdmin = (await createToken(feed.server.store, { name: 'keeper', scopes: ['admin'], channels: null, now: 1 })).token;
  const s = await signIn(feed, onlyAdmin);
  await ok(await call(feed, s, 'GET', '/console/api/tokens'));
  await refused(await call(feed, s, 'POST', '/console/api/drafts', { channel: 'stable', title: 'x', body: '' }), 403, 'insufficient_scope');
});

test('keys: admin lists the trusted keys; adds and removes database keys before any rotation, rotates with a signed statement after', async () => {
  await refused(await call(feed, publisher, 'GET', '/console/api/keys'), 403, 'insufficient_scope');
  const first = await ok<{ keys: { keyId: string; source: string; current: boolean }[]; rotation: { seq: number } }>(await call(feed, admin, 'GET', '/console/api/keys'));
  assert.deepEqual(first.keys.map((k) => [k.keyId, k.source, k.current]), [[feed.key.keyId, 'configured', true]]);
  assert.equal(first.rotation.seq, 0);
  assert.equal((await refused(await call(feed, admin, 'POST', '/console/api/keys', { publicKey: 'not a key' }), 400, 'invalid')).field, 'publicKey');
  await refused(await call(feed, admin, 'POST', '/console/api/keys', { publicKey: feed.key.publicKey }), 409, 'exists');
  const second = await generateSigningKey();
  await refused(await call(feed, admin, 'POST', '/console/api/keys', { publicKey: second.publicKey }, { csrf: false }), 403, 'csrf');
  const added = await ok<{ key: { keyId: string; source: string; name: string; current: boolean } }>(await call(feed, admin, 'POST', '/console/api/keys', { publicKey: second.publicKey, name: 'laptop' }), 201);
  assert.deepEqual([added.key.keyId, added.key.source, added.key.name, added.key.current], [second.keyId, 'added', 'laptop', true]);
  // The feed accepts records signed by it now.
  assert.equal((await feed.publish({ channel: 'news', kind: 'news', title: 'Signed by the laptop key', body: '' }, { key: second })).status, 201);
  await refused(await call(feed, admin, 'DELETE', `/console/api/keys/${feed.key.keyId}`), 409, 'configured');
  await refused(await call(feed, admin, 'DELETE', '/console/api/keys/0000000000000000'), 404, 'unknown_key');
  assert.deepEqual(await ok(await call(feed, admin, 'DELETE', `/console/api/keys/${second.keyId}`)), { keyId: second.keyId, retired: true });
  assert.equal((await feed.publish({ channel: 'news', kind: 'news', title: 'Laptop key again', body: '' }, { key: second })).status, 422, 'removed: refused');

  // A rotation statement: signed by the current key and the new one, checked like POST /v1/keys.
  const next = await generateSigningKey();
  const statement = await signStatement({ v: 1, type: 'tidings-keys', seq: 1, keys: [next.publicKey], threshold: 1, revoked: [], issued: Math.floor(Date.now() / 1000) }, [feed.key, next]);
  const forged = await signStatement({ v: 1, type: 'tidings-keys', seq: 1, keys: [next.publicKey], threshold: 1, revoked: [], issued: Math.floor(Date.now() / 1000) }, [next]);
  await refused(await call(feed, admin, 'POST', '/console/api/keys/statements', { statement: forged }), 422, 'bad_statement');
  await refused(await call(feed, publisher, 'POST', '/console/api/keys/statements', { statement }), 403, 'insufficient_scope');
  assert.equal((await ok<{ seq: number }>(await call(feed, admin, 'POST', '/console/api/keys/statements', { statement }), 201)).seq, 1);
  const after = await ok<{ keys: { keyId: string; current: boolean; retired: number | null }[]; rotation: { seq: number } }>(await call(feed, admin, 'GET', '/console/api/keys'));
  assert.equal(after.rotation.seq, 1);
  assert.deepEqual(after.keys.filter((k) => k.current).map((k) => k.keyId), [next.keyId]);
  assert.ok(after.keys.find((k) => k.keyId === feed.key.keyId)?.retired !== null, 'the old key is shown as retired');
  await refused(await call(feed, admin, 'POST', '/console/api/keys', { publicKey: second.publicKey }), 409, 'rotated');
  const actions = (await auditOf(admin)).filter((e) => /key/.test(e.action)).map((e) => e.action);
  assert.deepEqual(actions, ['rotate keys', 'retire key', 'add key']);
});

test('drafts: per channel, publish scope, stored by the service, limits of a message; every change CSRF-checked and audited', async () => {
  const reader = await signIn(feed, feed.readToken);
  await refused(await call(feed, reader, 'GET', '/console/api/drafts?channel=stable'), 403, 'insufficient_scope');
  const made = await ok<{ id: string; channel: string; kind: string; title: string; body: string; version: string | null; rollout: number | null; critical: boolean; by: string }>(
    await call(feed, publisher, 'POST', '/console/api/drafts', { channel: 'stable', kind: 'release', title: 'Tidings 7.0', body: '## New\n\n<script>x</script>', version: '7.0.0', rollout: 10 }), 201);
  assert.deepEqual([made.channel, made.kind, made.title, made.version, made.rollout, made.critical, made.by], ['stable', 'release', 'Tidings 7.0', '7.0.0', 10, false, 'ci']);
  assert.equal(made.body, '## New\n\n<script>x</script>', 'Markdown source kept as written (the page sanitizes what it shows)');
  for (const [body, field] of [
    [{ channel: 'stable', kind: 'poll', title: 'x' }, 'kind'],
    [{ channel: 'stable', title: 'x'.repeat(201) }, 'title'],
    [{ channel: 'stable', title: 'x', body: 'x'.repeat(64 * 1024 + 1) }, 'body'],
    [{ channel: 'stable', title: 'x', version: 'latest' }, 'version'],
    [{ channel: 'stable', title: 'x', rollout: 101 }, 'rollout'],
    [{ channel: 'stable', title: 'x', critical: 'yes' }, 'critical'],
    [{ channel: 'stable', title: 'x', author: 'me' }, 'author'],
  ] as const) assert.equal((await refused(await call(feed, publisher, 'POST', '/console/api/drafts', body), 400, 'invalid')).field, field, JSON.stringify(body).slice(0, 80));
  await refused(await call(feed, publisher, 'POST', '/console/api/drafts', { channel: 'stable', title: 'x' }, { csrf: false }), 403, 'csrf');
  await refused(await call(feed, publisher, 'POST', '/console/api/drafts', { channel: 'stable', title: 'x' }, { headers: { origin: 'https://evil.example' } }), 403, 'cross_origin');
  const list = await ok<{ drafts: { id: string }[] }>(await call(feed, publisher, 'GET', '/console/api/drafts?channel=stable'));
  assert.deepEqual(list.drafts.map((d) => d.id), [made.id], 'refused drafts were not kept');

  const edited = await ok<{ title: string; body: string; rollout: number | null }>(await call(feed, publisher, 'PUT', `/console/api/drafts/${made.id}`, { kind: 'release', title: 'Tidings 7.0.0', body: 'Done.', version: '7.0.0', rollout: 25 }));
  assert.deepEqual([edited.title, edited.body, edited.rollout], ['Tidings 7.0.0', 'Done.', 25]);
  await refused(await call(feed, publisher, 'PUT', `/console/api/drafts/${made.id}`, { channel: 'beta', title: 'moved' }), 400, 'invalid');
  const partial = await ok<{ kind: string; title: string; version: string | null; rollout: number | null }>(await call(feed, publisher, 'PUT', `/console/api/drafts/${made.id}`, { title: 'Tidings 7.0.0' }));
  assert.deepEqual([partial.kind, partial.title, partial.version, partial.rollout], ['release', 'Tidings 7.0.0', '7.0.0', 25], 'fields left out keep their values');
  await refused(await call(feed, publisher, 'PUT', '/console/api/drafts/nope', { title: 'x' }), 404, 'unknown_draft');
  const betaOnly = await signIn(feed, (await createToken(feed.server.store, { name: 'beta-ci', scopes: ['publish'], channels: ['beta'], now: 1 })).token);
  await refused(await call(feed, betaOnly, 'DELETE', `/console/api/drafts/${made.id}`), 403, 'insufficient_scope');
  await refused(await call(feed, publisher, 'DELETE', `/console/api/drafts/${made.id}`, undefined, { csrf: false }), 403, 'csrf');
  const del = await call(feed, publisher, 'DELETE', `/console/api/drafts/${made.id}`);
  assert.equal(del.status, 204);
  assert.deepEqual((await ok<{ drafts: unknown[] }>(await call(feed, publisher, 'GET', '/console/api/drafts?channel=stable'))).drafts, []);
  const log = (await auditOf(publisher)).filter((e) => e.action.endsWith('draft'));
  assert.deepEqual(log.map((e) => [e.action, e.channel, e.detail]), [
    ['delete draft', 'stable', 'release "Tidings 7.0.0"'],
    ['save draft', 'stable', 'release "Tidings 7.0.0"'],
    ['save draft', 'stable', 'release "Tidings 7.0.0"'],
    ['save draft', 'stable', 'release "Tidings 7.0"'],
  ]);
});
