// Publishing over feed v1: idempotency, conflicts, ordering under concurrency, retractions, live-only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startFeed, json, news, release, signed, type Feed } from './helpers.ts';

let feed: Feed;
before(async () => { feed = await startFeed(); });
after(async () => { await feed.close(); });

const post = (body: unknown, channel = (body as { channel: string }).channel, token = feed.publishToken) =>
  fetch(`${feed.url}/v1/channels/${channel}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

test('a publish stores the record with seq and created; a retry of it is a 200 with the same message', async () => {
  const record = await signed(news('news', 'Hello'), feed.key);
  const first = await post(record);
  assert.equal(first.status, 201);
  const stored = await json<{ seq: number; created: number; id: string; sig: unknown }>(first);
  assert.ok(stored.seq >= 1);
  assert.ok(Math.abs(stored.created - Date.now() / 1000) < 5);
  assert.deepEqual(stored.sig, record.sig);
  const retry = await post(record);
  assert.equal(retry.status, 200);
  assert.deepEqual(await json(retry), stored);
  const conflicting = await signed({ ...record, title: 'Hello, changed' }, feed.key);
  const res = await post(conflicting);
  assert.equal(res.status, 409);
  assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'id');
});

test('concurrent retries of one publish store exactly one message (case 50)', async () => {
  const record = await signed(news('retries'), feed.key);
  const statuses = await Promise.all(Array.from({ length: 20 }, () => post(record).then((r) => r.status)));
  assert.equal(statuses.filter((s) => s === 201).length, 1);
  assert.equal(statuses.filter((s) => s === 200).length, 19);
  const page = await json<{ messages: unknown[] }>(await feed.get('/v1/channels/retries/messages'));
  assert.equal(page.messages.length, 1);
});

test('50 concurrent publishers get gap-free increasing seqs that polling readers see in order', async () => {
  const ch = 'race';
  const startHead = (await json<{ head: number }>(await fetch(`${feed.url}/v1/health`))).head;
  let stop = false;
  const readerViews: number[][] = [];
  const reader = async () => {
    const seen: number[] = [];
    let after = 0;
    while (!stop || after < startHead + 50) {
      const page = await json<{ messages: { seq: number }[]; next: number }>(await feed.get(`/v1/channels/${ch}/messages?after=${after}&limit=7`));
      seen.push(...page.messages.map((m) => m.seq));
      after = page.next;
      if (stop && page.messages.length === 0) break;
    }
    readerViews.push(seen);
  };
  const readers = [reader(), reader(), reader()];
  const results = await Promise.all(Array.from({ length: 50 }, () => feed.publish(news(ch)).then((r) => json<{ seq: number }>(r))));
  stop = true;
  await Promise.all(readers);
  const seqs = results.map((r) => r.seq).sort((a, b) => a - b);
  assert.equal(new Set(seqs).size, 50);
  assert.deepEqual(seqs, Array.from({ length: 50 }, (_, i) => startHead + 1 + i), 'gap-free');
  for (const view of readerViews) assert.deepEqual(view, seqs, 'each reader saw every message once, in order');
});

test('a version republished with other assets is refused; with the same assets only as a renewal, issued later', async () => {
  const issued = Math.floor(Date.now() / 1000);
  assert.equal((await feed.publish(release('stable', '3.0.0', { expires: 2_000_000_000, issued }))).status, 201);
  // A re-signed copy that is no renewal (same or older issued) is refused, naming `issued` (protocol.md, Releases).
  for (const when of [issued, issued - 60]) {
    const res = await feed.publish(release('stable', '3.0.0', { expires: 2_100_000_000, issued: when }));
    assert.equal(res.status, 409, `issued ${when - issued} s: not a renewal`);
    const { error } = await json<{ error: { code: string; field: string } }>(res);
    assert.deepEqual([error.code, error.field], ['version_conflict', 'issued']);
  }
  const renewal = await signed(release('stable', '3.0.0', { expires: 2_100_000_000, issued: issued + 10 }), feed.key);
  assert.equal((await post(renewal)).status, 201, 'same assets, newer issued: a renewal');
  assert.equal((await post(renewal)).status, 200, 'a retry of the renewal is the stored renewal, not a third copy');
  // A renewal must be newer than every live copy, not just the first.
  assert.equal((await feed.publish(release('stable', '3.0.0', { issued: issued + 5 }))).status, 409);
  const other = release('stable', '3.0.0', { issued: issued + 20 });
  other.release = { version: '3.0.0', assets: [{ platform: 'linux-x64', url: 'https://evil.example.com/x', sha256: 'cd'.repeat(32), size: 1 }] };
  const res = await feed.publish(other);
  assert.equal(res.status, 409);
  assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'release.version');
  const page = await json<{ messages: { release?: { version: string }; issued: number }[] }>(await feed.get('/v1/channels/stable/messages?limit=100'));
  assert.deepEqual(page.messages.filter((m) => m.release?.version === '3.0.0').map((m) => m.issued), [issued, issued + 10], 'the first copy and its one renewal');
});

test('pre-releases go to experimental, never to stable', async () => {
  const bad = await feed.publish(release('stable', '4.0.0-beta.1'));
  assert.equal(bad.status, 400);
  assert.equal((await json<{ error: { field: string } }>(bad)).error.field, 'release.version');
  assert.equal((await feed.publish(release('experimental', '4.0.0-beta.1'))).status, 201);
});

test('signature problems are 422s (or 400 for a malformed one) and store nothing', async () => {
  const before = (await json<{ head: number }>(await fetch(`${feed.url}/v1/health`))).head;
  const good = await signed(release('stable', '5.0.0'), feed.key);
  const tampered = { ...good, release: { ...good.release, assets: [{ ...(good.release as { assets: object[] }).assets[0], url: 'https://evil.example.com/x' }] } };
  let res = await post(tampered);
  assert.equal(res.status, 422);
  assert.equal((await json<{ error: { field: string; code: string } }>(res)).error.code, 'bad_signature');
  res = await post({ ...good, sig: { ...good.sig, key: '0123456789abcdef' } });
  assert.equal(res.status, 422);
  assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'sig.key');
  res = await post({ ...good, sig: { ...good.sig, ed25519: 'not-base64!' } });
  assert.equal(res.status, 400);
  assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'sig.ed25519');
  const { sig: _s, ...unsigned } = good;
  res = await post(unsigned);
  assert.equal(res.status, 400);
  assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'sig');
  res = await post(good, 'experimental');
  assert.equal(res.status, 400, 'a body channel different from the path');
  assert.equal((await json<{ error: { field: string } }>(res)).error.field, 'channel');
  assert.equal((await json<{ head: number }>(await fetch(`${feed.url}/v1/health`))).head, before);
});

test('a retraction hides the message from new readers and pages still advance past it', async () => {
  const ch = 'retract-me';
  const a = await json<{ id: string; seq: number }>(await feed.publish(news(ch, 'A')));
  const b = await json<{ id: string; seq: number }>(await feed.publish(news(ch, 'B')));
  const r = await feed.publish({ channel: ch, kind: 'retraction', title: '', body: '', retracts: b.id });
  assert.equal(r.status, 201);
  const retraction = await json<{ seq: number }>(r);
  const page = await json<{ messages: { id: string; kind: string }[]; next: number; head: number; more: boolean }>(await feed.get(`/v1/channels/${ch}/messages`));
  assert.deepEqual(page.messages.map((m) => m.kind), ['news', 'retraction']);
  assert.equal(page.messages[0]?.id, a.id);
  assert.equal(page.head, retraction.seq);
  // A reader whose cursor sits just before the retracted message skips it and still reaches head.
  const tail = await json<{ messages: { kind: string }[]; next: number; more: boolean }>(await feed.get(`/v1/channels/${ch}/messages?after=${a.seq}&limit=1`));
  assert.deepEqual(tail.messages.map((m) => m.kind), ['retraction']);
  assert.equal(tail.next, retraction.seq);
  assert.equal(tail.more, false);
  const unknown = await feed.publish({ channel: ch, kind: 'retraction', title: '', body: '', retracts: 'no-such-id' });
  assert.equal(unknown.status, 400);
  assert.equal((await json<{ error: { field: string } }>(unknown)).error.field, 'retracts');
});

test('a live-only message is accepted with 202 and never stored', async () => {
  const before = (await json<{ head: number }>(await fetch(`${feed.url}/v1/health`))).head;
  const res = await feed.publish({ ...news('news', 'We are live'), persistent: false });
  assert.equal(res.status, 202);
  assert.equal((await json<{ head: number }>(await fetch(`${feed.url}/v1/health`))).head, before);
  const liveRelease = await feed.publish({ ...release('stable', '9.9.9'), persistent: false });
  assert.equal(liveRelease.status, 400, 'a release cannot be live-only');
});

test('ids are unique across the whole feed, not per channel', async () => {
  const id = randomUUID();
  assert.equal((await feed.publish({ ...news('one'), id })).status, 201);
  assert.equal((await feed.publish({ ...news('two'), id })).status, 409);
});
