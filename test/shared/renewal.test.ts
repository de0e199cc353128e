// Renewals (shared/publish/record.ts draftRenewal): advancing a rollout and renewing an expiring release are
// the same record again, issued later, as the console signs them in the browser. The feed must take each as a
// renewal: checked here against a real feed service (same assets, later issued, a new id).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKey, signRecord, type SigningKey } from '../../shared/protocol/signing.ts';
import { draftRelease, draftRenewal, parseRollout, signForFeed } from '../../shared/publish/record.ts';
import { startFeed, type Feed } from '../server/helpers.ts';

let feed: Feed;
let key: SigningKey;
before(async () => {
  key = await generateSigningKey();
  feed = await startFeed({ publisherKeys: [key.publicKey] });
});
after(async () => feed.close());

const asset = { platform: 'linux-x64', url: 'https://downloads.example.com/T-3.0.0.AppImage', sha256: 'ab'.repeat(32), size: 10 };
const post = (record: unknown) => fetch(`${feed.url}/v1/channels/stable/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${feed.publishToken}` }, body: JSON.stringify(record) });

test('parseRollout takes whole numbers from 0 to 100 only', () => {
  assert.deepEqual(['0', ' 25 ', '100'].map(parseRollout), [0, 25, 100]);
  assert.deepEqual(['101', '-1', '2.5', '', 'ten', '1000'].map(parseRollout), [null, null, null, null, null, null]);
});

test('a renewal keeps the copy but for id, issued, rollout and expiry', () => {
  const copy = { ...draftRelease({ id: 'rel-a', channel: 'stable', issued: 1000, version: '3.0.0', notes: 'n', rollout: 10, platforms: ['linux-x64'], expires: 1000 + 86_400 }, [asset]), sig: { key: 'k', ed25519: 's' }, seq: 4, created: 1001 };
  const advanced = draftRenewal(copy, { id: 'rel-b', issued: 500, rollout: 30 });
  assert.equal(advanced.issued, 1001, 'never at or before the copy it renews');
  assert.deepEqual(advanced.target, { platforms: ['linux-x64'], rollout: 30 });
  assert.equal(advanced.expires, 1001 + 86_400, 'the same lifetime from the new issued');
  assert.deepEqual(advanced.release, copy.release);
  assert.ok(!('sig' in advanced) && !('seq' in advanced) && !('created' in advanced));
  const everyone = draftRenewal(copy, { id: 'rel-c', issued: 5000, rollout: 100, expires: null });
  assert.deepEqual(everyone.target, { platforms: ['linux-x64'] });
  assert.equal(everyone.expires, undefined);
  assert.equal(draftRenewal(copy, { id: 'rel-d', issued: 5000, expires: 9000 }).expires, 9000);
});

test('the feed accepts an advance and a renewal of an expiring release, and refuses the same issued again', async () => {
  const now = Math.floor(Date.now() / 1000);
  const first = await signRecord(draftRelease({ id: 'rel-3.0.0-a', channel: 'stable', issued: now - 100, version: '3.0.0', notes: '', rollout: 10, expires: now + 3600 }, [asset]), key);
  assert.equal((await post(first)).status, 201);
  const advanced = await signForFeed(draftRenewal(first, { id: 'rel-3.0.0-b', issued: now, rollout: 40 }), key, true);
  assert.equal((await post(advanced)).status, 201);
  const renewed = await signForFeed(draftRenewal(advanced, { id: 'rel-3.0.0-c', issued: now, expires: now + 30 * 86_400 }), key, true);
  assert.equal(renewed.target?.rollout, 40);
  assert.equal((await post(renewed)).status, 201);
  const sameIssued = await signForFeed({ ...draftRenewal(renewed, { id: 'rel-3.0.0-d', issued: now }), issued: renewed.issued }, key, true);
  const refused = await post(sameIssued);
  assert.equal(refused.status, 409);
  assert.equal(((await refused.json()) as { error: { field: string } }).error.field, 'issued');
});
