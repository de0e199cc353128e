// Property-based fuzzing of the service's inputs: whatever arrives, the answer is a typed 4xx (or a
// success), never a 500, never a stack trace, and nothing half-written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startFeed, rawPost, signed, release, type Feed } from './helpers.ts';

let feed: Feed;
before(async () => { feed = await startFeed(); });
after(async () => { await feed.close(); });

function noLeak(status: number, text: string): void {
  assert.ok(status < 500, `status ${status}: ${text.slice(0, 200)}`);
  assert.doesNotMatch(text, /\n\s+at |node:internal|\.ts:\d+:\d+/);
}

test('random JSON bodies and mutations of a valid record never cause a 500', async () => {
  const valid = await signed(release('stable', '1.2.3'), feed.key);
  const mutation = fc.record({
    key: fc.constantFrom(...Object.keys(valid), 'release.version', 'release.assets', 'sig.key', 'extra', '__proto__', 'constructor'),
    value: fc.oneof(fc.jsonValue(), fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined)),
  });
  await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), mutation.map((m) => {
    const copy = structuredClone(valid) as Record<string, unknown>;
    const [a, b] = m.key.split('.');
    if (b && copy[a as string] && typeof copy[a as string] === 'object') (copy[a as string] as Record<string, unknown>)[b] = m.value;
    else copy[a as string] = m.value;
    return JSON.stringify(copy);
  })), async (body) => {
    const res = await rawPost(feed, '/v1/channels/stable/messages', body, 'application/json');
    noLeak(res.status, await res.text());
  }), { numRuns: 150 });
});

test('random paths, queries and headers on read endpoints never cause a 500', async () => {
  const segment = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('..', '%2e%2e', '%00', '%ff', '~', '%', '?', '#'));
  await fc.assert(fc.asyncProperty(segment, fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), async (channel, after, limit) => {
    const path = `/v1/channels/${encodeURIComponent(channel)}/messages?after=${encodeURIComponent(after)}&limit=${encodeURIComponent(limit)}`;
    const res = await feed.get(path, { 'if-none-match': `"${after}"` });
    noLeak(res.status, await res.text());
  }), { numRuns: 150 });
});

test('random Cryptolens form fields never cause a 500', async () => {
  await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('token', 'Content', 'Channel', 'Time', 'Id', 'x'), fc.string({ maxLength: 40 })), fc.constantFrom('GetMessages', 'CreateMessage', 'RemoveMessage'), async (fields, op) => {
    const res = await feed.form(`/api/message/${op}`, { token: feed.publishToken, ...fields });
    const text = await res.text();
    noLeak(res.status, text);
    assert.match(text, /"result":[01]/);
  }), { numRuns: 150 });
});
