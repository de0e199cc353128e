// The browser-safe key-file reader (shared/publish/keyfile.ts) against keys `tidings keygen` writes: the same
// key id and public key as the CLI's reader, signatures the feed's KeyRing accepts, and plain refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKey, KeyRing, signRecord } from '../../shared/protocol/signing.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import { KeyTextError, signingKeyFromPem } from '../../shared/publish/keyfile.ts';

test('a keygen PEM gives the same key id and public key, and signs records the ring verifies', async () => {
  const k = await generateSigningKey();
  const loaded = await signingKeyFromPem(signingKeyPem(k.pkcs8));
  assert.equal(loaded.keyId, k.keyId);
  assert.equal(loaded.publicKey, k.publicKey);
  const ring = await KeyRing.from([k.publicKey]);
  const rec = await signRecord({ id: 'a', channel: 'c', kind: 'news', issued: 1, title: 't', body: 'b' }, loaded);
  assert.deepEqual(await ring.verify(rec), { ok: true, keyId: k.keyId });
});

test('other files are refused with one plain sentence', async () => {
  await assert.rejects(signingKeyFromPem('hello'), (e: Error) => e instanceof KeyTextError && /not a private key file/.test(e.message));
  await assert.rejects(signingKeyFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), (e: Error) => e instanceof KeyTextError && /not an Ed25519/.test(e.message));
  await assert.rejects(signingKeyFromPem('x'.repeat(20_000)), /too large/);
});
