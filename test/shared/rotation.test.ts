// Key rotation chains (shared/protocol/rotation.ts): what a companion and the feed service accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { generateSigningKey, signRecord, type SigningKey } from '../../shared/protocol/signing.ts';
import { ChainKeyRing, checkStatement, followChain, signStatement, startingSet, type StatementBody } from '../../shared/protocol/rotation.ts';

/** Six fresh keys (destructure as many as needed). */
const keys = () => Promise.all(Array.from({ length: 6 }, () => generateSigningKey())) as unknown as Promise<[SigningKey, SigningKey, SigningKey, SigningKey, SigningKey, SigningKey]>;

const body = (seq: number, keys: SigningKey[], extra: Partial<StatementBody> = {}): StatementBody => ({
  v: 1, type: 'tidings-keys', seq, keys: keys.map((k) => k.publicKey), threshold: 1, revoked: [], issued: 1_000 + seq * 100, ...extra,
});

const record = (key: SigningKey, issued: number) =>
  signRecord({ id: randomUUID(), channel: 'stable', kind: 'news' as const, issued, title: 'Hello', body: '' }, key);

test('a chain of three rotations, one of them 2 of 3, is followed from the built-in key', async () => {
  const [k0, k1, a, b, c, k5] = await keys();
  const s1 = await signStatement(body(1, [k1]), [k0, k1]);
  const s2 = await signStatement(body(2, [a, b, c], { threshold: 2 }), [k1, a, b, c]);
  const s3 = await signStatement(body(3, [k5], { revoked: [a.keyId] }), [a, c, k5]);
  const start = await startingSet([k0.publicKey]);
  // Served out of order: the companion sorts by seq.
  const r = await followChain(start, [s3, s1, s2], { consecutive: false });
  assert.deepEqual(r.refused, []);
  assert.equal(r.set.seq, 3);
  assert.deepEqual(Object.keys(r.set.keys), [k5.keyId]);
  const ring = await ChainKeyRing.of(r.set);
  assert.deepEqual(await ring.verify(await record(k5, 2_000)), { ok: true, keyId: k5.keyId });
  // The revoked key: refused from the rotation on, accepted for what it signed before.
  assert.deepEqual(await ring.verify(await record(a, 1_300)), { ok: false, reason: 'revoked-key' });
  assert.deepEqual(await ring.verify(await record(a, 1_299)), { ok: true, keyId: a.keyId });
  // A key retired on schedule (not revoked): same rule, its own reason.
  assert.deepEqual(await ring.verify(await record(k0, 1_100)), { ok: false, reason: 'retired-key' });
  assert.deepEqual(await ring.verify(await record(k0, 1_050)), { ok: true, keyId: k0.keyId });
  assert.equal(ring.current(k5.keyId), true);
  assert.equal(ring.current(a.keyId), false);
});

test('a threshold is a threshold: one of 2-of-3 keys cannot rotate, two can', async () => {
  const [k0, a, b, c, n] = await keys();
  const s1 = await signStatement(body(1, [a, b, c], { threshold: 2 }), [k0, a, b, c]);
  const set1 = (await followChain(await startingSet([k0.publicKey]), [s1], { consecutive: true })).set;
  const one = await checkStatement(set1, await signStatement(body(2, [n]), [a, n]), { consecutive: true });
  assert.equal(one.ok, false);
  assert.match((one as { reason: string }).reason, /signed by 1 of the trusted keys; 2 needed/);
  // The same signature twice still counts once.
  const dup = await signStatement(body(2, [n]), [a, n]);
  dup.sigs.push({ ...dup.sigs[0]! });
  assert.equal((await checkStatement(set1, dup, { consecutive: true })).ok, false);
  const two = await checkStatement(set1, await signStatement(body(2, [n]), [a, c, n]), { consecutive: true });
  assert.equal(two.ok, true);
});

test('the new set must sign too: its threshold, and every key it introduces', async () => {
  const [k0, a, b] = await keys();
  const start = await startingSet([k0.publicKey]);
  const noPossession = await checkStatement(start, await signStatement(body(1, [a]), [k0]), { consecutive: true });
  assert.match((noPossession as { reason: string }).reason, /signed by 0 of its own keys/);
  const half = await checkStatement(start, await signStatement(body(1, [k0, a, b], { threshold: 2 }), [k0, a]), { consecutive: true });
  assert.match((half as { reason: string }).reason, /introduces key .* without its signature/);
  const tooHigh = await checkStatement(start, await signStatement(body(1, [a], { threshold: 2 }), [k0, a]), { consecutive: true });
  assert.match((tooHigh as { reason: string }).reason, /asks for 2 signatures but names 1 keys/);
});

test('forged, tampered, out-of-order and replayed statements change nothing', async () => {
  const [k0, k1, evil, k2] = await keys();
  const start = await startingSet([k0.publicKey]);
  const s1 = await signStatement(body(1, [k1]), [k0, k1]);
  // Signed only by the key it introduces ("both anchors at once").
  const forged = await signStatement(body(1, [evil]), [evil]);
  // A genuine statement whose keys were swapped after signing.
  const tampered = { ...s1, keys: [evil.publicKey] };
  // seq 2 before seq 1 is known: signed by k1, which this install does not trust yet.
  const s2 = await signStatement(body(2, [k2]), [k1, k2]);
  const r = await followChain(start, [forged, tampered, s2], { consecutive: false });
  assert.equal(r.set, start);
  assert.equal(r.refused.length, 3);
  assert.ok(r.refused.every((x) => /signed by 0 of the trusted keys/.test(x.reason)), JSON.stringify(r.refused));
  // The feed service's rule: no gaps.
  const s1set = (await followChain(start, [s1], { consecutive: true })).set;
  const s3 = await signStatement(body(3, [k2]), [k1, k2]);
  assert.match(((await checkStatement(s1set, s3, { consecutive: true })) as { reason: string }).reason, /the next statement must be 2/);
  // Replaying statement 1 against the set it produced.
  assert.match(((await checkStatement(s1set, s1, { consecutive: false })) as { reason: string }).reason, /not newer/);
  // Garbage.
  assert.match(((await checkStatement(start, { seq: 1, keys: 'x' }, { consecutive: false })) as { reason: string }).reason, /schema/);
  assert.equal((await checkStatement(start, null, { consecutive: false })).ok, false);
});

test('a revoked key can never come back, and a statement cannot be dated before the one it follows', async () => {
  const [k0, k1] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  const start = await startingSet([k0.publicKey]);
  const s1 = await signStatement(body(1, [k1], { revoked: [k0.keyId] }), [k0, k1]);
  const set1 = (await followChain(start, [s1], { consecutive: true })).set;
  const back = await checkStatement(set1, await signStatement(body(2, [k1, k0]), [k1, k0]), { consecutive: true });
  assert.match((back as { reason: string }).reason, /revoked/);
  const early = await checkStatement(set1, await signStatement(body(2, [k1], { issued: 5 }), [k1]), { consecutive: true });
  assert.match((early as { reason: string }).reason, /dated before/);
  const unknown = await checkStatement(set1, await signStatement(body(2, [k1], { revoked: ['0123456789abcdef'] }), [k1]), { consecutive: true });
  assert.match((unknown as { reason: string }).reason, /never had/);
});

test('an app built with a later key set joins the chain where its keys signed', async () => {
  const [k0, k1, k2, k3] = await keys();
  const s1 = await signStatement(body(1, [k1]), [k0, k1]);
  const s2 = await signStatement(body(2, [k2]), [k1, k2]);
  const s3 = await signStatement(body(3, [k3]), [k2, k3]);
  const r = await followChain(await startingSet([k2.publicKey]), [s1, s2, s3], { consecutive: false });
  assert.equal(r.set.seq, 3);
  assert.deepEqual(Object.keys(r.set.keys), [k3.keyId]);
  assert.deepEqual(r.refused.map((x) => x.seq), [1], 'statement 1 is not signed by the key this build has');
});
