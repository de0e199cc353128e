// Key rotation on the companion (docs/key-rotation.md), through createCompanion against the real feed
// service on loopback: an install built with only the first key follows three rotations it missed while
// offline (one to a 2-of-3 set, one revoking a key) and is offered a release signed by the newest key; a
// record signed by the revoked key after its revocation is refused with the reason in Status; a forged
// statement changes nothing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createCompanion, type Companion } from '../../electron/core/index.ts';
import { generateSigningKey, signRecord, type SigningKey } from '../../shared/protocol/signing.ts';
import { KEYS_HEADER, signStatement, type StatementBody } from '../../shared/protocol/rotation.ts';
import type { UnsignedRecord } from '../../shared/protocol/schemas.ts';
import { rawPost, release, startFeed, type Feed } from '../server/helpers.ts';
import { sendJson, startFaultServer } from './helpers/fault-server.ts';
import { countingProxy } from '../../bench/lib/wire.ts';
import { tempDir } from './helpers/tmp.ts';

const now = () => Math.floor(Date.now() / 1000);
const body = (seq: number, keys: SigningKey[], extra: Partial<StatementBody> = {}): StatementBody => ({
  v: 1, type: 'tidings-keys', seq, keys: keys.map((k) => k.publicKey), threshold: 1, revoked: [], issued: now(), ...extra,
});

async function rotate(feed: Feed, statement: unknown): Promise<void> {
  const res = await rawPost(feed, '/v1/keys', JSON.stringify(statement), 'application/json');
  assert.equal(res.status, 201, await res.text());
}

/** Puts a signed record straight into the feed's store, past the service's own checks: a stolen key and a broken-into feed. */
async function smuggle(feed: Feed, record: Partial<UnsignedRecord> & { channel: string }, key: SigningKey): Promise<void> {
  const full = await signRecord({ id: randomUUID(), kind: 'news', issued: now(), title: 'Untitled', body: '', ...record } as UnsignedRecord, key);
  const r = await feed.server.store.insert({ record: full, now: now() });
  assert.equal(r.status, 'created');
}

async function open(t: TestContext, dataDir: string, url: string, token: string, keys: string[]): Promise<Companion> {
  const c = await createCompanion({
    dataDir, publisherKeys: keys, installedVersion: '2.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'main', url, token }], allowLoopbackHttp: true,
  });
  t.after(() => c.close());
  return c;
}

const offered = (c: Companion) => {
  const s = c.updateStatus();
  return s.state === 'available' ? s.offer.release.version : s.state;
};
const log = (c: Companion) => c.checkLog(100).map((e) => `${e.ok ? 'ok' : 'FAIL'} ${e.detail}`);

test('offline through three rotations (one 2 of 3): the install follows the chain and takes the newest key\'s release; the revoked key is refused', async (t) => {
  const feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const k0 = feed.key;
  const dataDir = tempDir(t);
  const first = await open(t, dataDir, feed.url, feed.readToken, [k0.publicKey]);
  await first.checkAll();
  assert.equal(offered(first), 'up-to-date');
  await first.close();

  // While the install is off: three rotations, then a release signed only by the newest key.
  const [k1, a, b, c, k5] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey(), generateSigningKey(), generateSigningKey()]);
  await rotate(feed, await signStatement(body(1, [k1]), [k0, k1]));
  await rotate(feed, await signStatement(body(2, [a, b, c], { threshold: 2 }), [k1, a, b, c]));
  await rotate(feed, await signStatement(body(3, [k5], { revoked: [a.keyId] }), [a, b, k5]));
  assert.equal((await feed.publish(release('stable', '2.1.0'), { key: k5 })).status, 201);

  const back = await open(t, dataDir, feed.url, feed.readToken, [k0.publicKey]);
  await back.checkAll();
  assert.equal(offered(back), '2.1.0', log(back).join('\n'));
  const lines = log(back);
  for (const seq of [1, 2, 3]) assert.ok(lines.some((l) => l.startsWith(`ok key rotation ${seq} followed`)), lines.join('\n'));
  assert.ok(lines.some((l) => l.includes(`key rotation 3 followed: the publisher's keys are now ${k5.keyId}; revoked ${a.keyId}`)), lines.join('\n'));

  // The revoked key signs a newer release after its revocation (stolen key, broken-into feed): refused, with the reason.
  await smuggle(feed, release('stable', '9.9.9'), a);
  await back.checkAll();
  assert.equal(offered(back), '2.1.0');
  assert.ok(log(back).some((l) => /^FAIL dropped .*signature rejected \(revoked-key\)/.test(l)), log(back).join('\n'));
  // A key the chain merely retired (k0, the one the app was built with) is refused the same way.
  await smuggle(feed, release('stable', '9.9.8'), k0);
  await back.checkAll();
  assert.equal(offered(back), '2.1.0');
  assert.ok(log(back).some((l) => /signature rejected \(retired-key\)/.test(l)));
  await back.close();

  // The followed chain is kept: after a restart the newest key is trusted without asking the feed again.
  const third = await open(t, dataDir, feed.url, feed.readToken, [k0.publicKey]);
  assert.equal((await feed.publish(release('stable', '2.2.0'), { key: k5 })).status, 201);
  await third.checkAll();
  assert.equal(offered(third), '2.2.0');
});

test('a forged key statement changes nothing: it is logged, the forger\'s release is refused, the real key still works', async (t) => {
  const feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const evil = await generateSigningKey();
  // Signed by the key it introduces only (no key the install trusts), served by a feed in the middle.
  const forged = await signStatement(body(1, [evil]), [evil]);
  const middle = await startFaultServer(t, async (req, res) => {
    if (req.url === '/v1/keys') return sendJson(res, 200, { statements: [forged] }, { etag: '"forged"' });
    const up = await fetch(`${feed.url}${req.url}`, { headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => ['authorization', 'if-none-match', 'accept'].includes(k))) as Record<string, string> });
    const headers: Record<string, string> = {};
    up.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive') headers[k] = v; });
    if (req.url?.startsWith('/v1/heads') && up.status === 200) headers[KEYS_HEADER] = '1';
    const bytes = Buffer.from(await up.arrayBuffer());
    res.writeHead(up.status, { ...headers, 'content-length': bytes.length });
    res.end(bytes);
  });
  const c = await open(t, tempDir(t), middle.url, feed.readToken, [feed.key.publicKey]);
  await c.checkAll();
  await smuggle(feed, release('stable', '6.6.6'), evil);
  await c.checkAll();
  assert.equal(offered(c), 'up-to-date');
  const lines = log(c);
  assert.ok(lines.some((l) => l === 'FAIL key statement 1 ignored: it is signed by 0 of the trusted keys; 1 needed'), lines.join('\n'));
  assert.ok(lines.some((l) => /^FAIL dropped .*signature rejected \(unknown-key\)/.test(l)), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes('followed')));
  assert.ok(middle.requests.some((r) => r.url === '/v1/keys'), 'the advertised statement was fetched');
  // The publisher's real key is still the one trusted.
  assert.equal((await feed.publish(release('stable', '2.1.0'))).status, 201);
  await c.checkAll();
  assert.equal(offered(c), '2.1.0');
});

test('the routine unchanged check of a feed that rotated is still one bodyless 304 within 444 bytes, and never asks for the chain', async (t) => {
  const feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const k1 = await generateSigningKey();
  await rotate(feed, await signStatement(body(1, [k1]), [feed.key, k1]));
  assert.equal((await feed.publish(release('stable', '2.1.0'), { key: k1 })).status, 201);
  const proxy = await countingProxy(Number(new URL(feed.url).port));
  t.after(() => proxy.close());
  const c = await open(t, tempDir(t), `http://127.0.0.1:${proxy.port}`, feed.readToken, [feed.key.publicKey]);
  await c.checkAll();
  assert.equal(offered(c), '2.1.0');
  const firstRequests = proxy.seen().up.toString('latin1');
  assert.equal(firstRequests.match(/^GET \/v1\/keys /gm)?.length, 1, firstRequests);
  proxy.reset();
  await c.checkAll();
  const { up, down } = proxy.seen();
  assert.deepEqual(up.toString('latin1').match(/^GET \S+/gm), ['GET /v1/heads']);
  assert.match(down.toString('latin1'), /^HTTP\/1\.1 304 /);
  const total = up.length + down.length;
  t.diagnostic(`unchanged check of a rotated feed: ${up.length} + ${down.length} = ${total} B`);
  assert.ok(total <= 444, `${total} bytes`);
});
