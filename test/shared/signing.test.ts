// The canonical signing payload (RFC 8785) and Ed25519 verification, with property-based tests:
// any change to a signed field breaks the signature; server fields and key order do not matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalPayload, generateSigningKey, signRecord, KeyRing, keyIdOf, toBase64, fromBase64 } from '../../shared/protocol/signing.ts';
import { createHash } from 'node:crypto';

const key = await generateSigningKey();
const ring = await KeyRing.from([key.publicKey]);

const recordArb = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  channel: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
  kind: fc.constantFrom('release', 'news'),
  issued: fc.integer({ min: 0, max: 2 ** 40 }),
  title: fc.string({ maxLength: 50, unit: 'grapheme' }),
  body: fc.string({ maxLength: 200, unit: 'grapheme' }),
  expires: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
  data: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean())), { nil: undefined }),
}, { requiredKeys: ['id', 'channel', 'kind', 'issued', 'title', 'body'] });

test('the key id is the first 16 hex digits of SHA-256 over the raw public key', async () => {
  const expected = createHash('sha256').update(fromBase64(key.publicKey)).digest('hex').slice(0, 16);
  assert.equal(await keyIdOf(key.publicKey), expected);
  assert.equal(key.keyId, expected);
});

test('canonical payload is RFC 8785: sorted keys, no whitespace, server fields excluded', () => {
  const text = canonicalPayload({ title: 'é', seq: 5, created: 9, sig: { key: 'x' }, a: 1, id: 'z', n: 1.0, big: 1e21 });
  assert.equal(text, '{"a":1,"big":1e+21,"id":"z","n":1,"title":"é"}');
});

test('property: a signed record verifies regardless of key order, seq and created', async () => {
  await fc.assert(fc.asyncProperty(recordArb, fc.nat(), fc.nat(), async (rec, seq, created) => {
    const clean = JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
    const s = await signRecord(clean, key);
    const reordered = Object.fromEntries(Object.entries({ ...s, seq, created }).reverse());
    assert.deepEqual(await ring.verify(reordered as typeof s), { ok: true, keyId: key.keyId });
  }), { numRuns: 60 });
});

test('property: changing any signed field breaks the signature', async () => {
  await fc.assert(fc.asyncProperty(recordArb, fc.string({ minLength: 1, maxLength: 10 }), fc.nat(20), async (rec, noise, pick) => {
    const clean = JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
    const s = (await signRecord(clean, key)) as Record<string, unknown>;
    const fields = Object.keys(clean);
    const field = fields[pick % fields.length] as string;
    const value = s[field];
    const changed = typeof value === 'number' ? value + 1 : typeof value === 'string' ? value + noise : { ...(value as object), [noise]: 1 };
    const verdict = await ring.verify({ ...s, [field]: changed } as { sig: { key: string; ed25519: string } });
    assert.deepEqual(verdict, { ok: false, reason: 'bad-signature' }, `changed ${field}`);
    // Adding a field is a change too.
    const extended: Record<string, unknown> = { ...s, extra: noise };
    assert.equal((await ring.verify(extended)).ok, false);
  }), { numRuns: 60 });
});

test('signature matrix: missing, unknown key, bad base64, truncated, one flipped bit', async () => {
  const s = await signRecord({ id: 'x1', channel: 'stable', kind: 'news', issued: 1, title: 't', body: 'b' }, key);
  assert.deepEqual(await ring.verify({ ...s, sig: null }), { ok: false, reason: 'unsigned' });
  assert.deepEqual(await ring.verify({ ...s, sig: { ...s.sig, key: 'ffffffffffffffff' } }), { ok: false, reason: 'unknown-key' });
  assert.deepEqual(await ring.verify({ ...s, sig: { ...s.sig, ed25519: s.sig.ed25519.replace(/=+$/, '') } }), { ok: false, reason: 'bad-encoding' });
  assert.deepEqual(await ring.verify({ ...s, sig: { ...s.sig, ed25519: s.sig.ed25519.slice(4) } }), { ok: false, reason: 'bad-encoding' });
  const sigBytes = fromBase64(s.sig.ed25519);
  for (const i of [0, 31, 63]) {
    const flipped = new Uint8Array(sigBytes);
    flipped[i] = (flipped[i] as number) ^ 1;
    assert.deepEqual(await ring.verify({ ...s, sig: { ...s.sig, ed25519: toBase64(flipped) } }), { ok: false, reason: 'bad-signature' });
  }
  const other = await generateSigningKey();
  const forged = await signRecord({ ...s, sig: undefined }, { ...other, keyId: key.keyId });
  assert.deepEqual(await ring.verify(forged), { ok: false, reason: 'bad-signature' }, 'another key claiming our key id');
});

test('mix-and-match: a stable record replayed on another channel fails', async () => {
  const s = await signRecord({ id: 'r1', channel: 'experimental', kind: 'news', issued: 1, title: 't', body: 'b' }, key);
  assert.equal((await ring.verify({ ...s, channel: 'stable' })).ok, false);
});
