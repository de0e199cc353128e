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

// Whole records as publishers send them: releases with assets and targeting, retractions, nested data.
const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const fullRecordArb = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  channel: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
  kind: fc.constantFrom('release', 'news', 'retraction'),
  issued: fc.integer({ min: 0, max: 2 ** 40 }),
  title: fc.string({ maxLength: 30, unit: 'grapheme' }),
  body: fc.string({ maxLength: 60, unit: 'grapheme' }),
  code: fc.option(fc.nat(), { nil: undefined }),
  persistent: fc.option(fc.boolean(), { nil: undefined }),
  expires: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
  data: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { nil: undefined }),
  target: fc.option(fc.record({
    platforms: fc.array(fc.constantFrom('linux-x64', 'win32-x64', 'darwin-arm64'), { minLength: 1, maxLength: 3 }),
    minVersion: fc.constantFrom('1.0.0', '1.4.0'),
    maxVersion: fc.constantFrom('2.0.9', '3.0.0-beta.1'),
    rollout: fc.integer({ min: 0, max: 100 }),
  }, { requiredKeys: [] }), { nil: undefined }),
  release: fc.option(fc.record({
    version: fc.constantFrom('2.1.0', '2.1.1', '3.0.0-rc.1'),
    critical: fc.boolean(),
    assets: fc.array(fc.record({ platform: fc.constantFrom('linux-x64', 'win32-x64'), url: fc.webUrl({ validSchemes: ['https'] }), sha256: hex64, size: fc.nat() }), { minLength: 1, maxLength: 2 }),
  }), { nil: undefined }),
  retracts: fc.option(fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/), { nil: undefined }),
}, { requiredKeys: ['id', 'channel', 'kind', 'issued', 'title', 'body'] });

/** Every path to a leaf (string, number, boolean, null) of a JSON value. */
function leafPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    return entries.flatMap(([k, v]) => leafPaths(v, [...path, k]));
  }
  return [path];
}

function changedAt(root: Record<string, unknown>, path: (string | number)[], noise: string): Record<string, unknown> {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  const v = node[last];
  // A huge double does not change by + 1; its negation does.
  node[last] = typeof v === 'number' ? (v + 1 !== v ? v + 1 : -v) : typeof v === 'string' ? v + noise : typeof v === 'boolean' ? !v : noise;
  return copy;
}

test('property: changing any leaf of any signed field, however deep, breaks the signature', async () => {
  await fc.assert(fc.asyncProperty(fullRecordArb, fc.string({ minLength: 1, maxLength: 6 }), fc.nat(), async (rec, noise, pick) => {
    const clean = JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
    const s = (await signRecord(clean, key)) as Record<string, unknown>;
    assert.equal((await ring.verify(s as { sig: { key: string; ed25519: string } })).ok, true);
    const leaves = leafPaths(clean).filter((p) => p.length > 0);
    const path = leaves[pick % leaves.length] as (string | number)[];
    const changed = changedAt(s, path, noise);
    assert.deepEqual(await ring.verify(changed as { sig: { key: string; ed25519: string } }), { ok: false, reason: 'bad-signature' }, `changed ${path.join('.')}`);
    // Removing the field, or reordering the record's keys, is judged the same way: only content counts.
    const removed = structuredClone(s);
    delete removed[path[0] as string];
    assert.equal((await ring.verify(removed as { sig: { key: string; ed25519: string } })).ok, false, `removed ${String(path[0])}`);
    const reordered = Object.fromEntries(Object.entries(s).reverse());
    assert.equal((await ring.verify(reordered as { sig: { key: string; ed25519: string } })).ok, true);
  }), { numRuns: 150 });
});
