// Failed-start reports (issue 13 item 3; docs/protocol.md "Failed-start reports") through a real server:
// authorised as reads, strictly checked (a bad body is a 400 and stores nothing), kept only as counts per
// (channel, version, platform, reason, day), and read by the publisher's console with small counts withheld.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, json, type Feed } from './helpers.ts';
import { createToken } from '../../server/tokens.ts';

const DAY = 86_400;
// The service's clock (2025-12-05 13:20 UTC), moved by the tests.
let clock = 20_427 * DAY + 48_000;
let feed: Feed;
let publicFeed: Feed;
before(async () => {
  feed = await startFeed({ now: () => clock });
  publicFeed = await startFeed({ now: () => clock, publicRead: true });
});
after(async () => {
  await feed.close();
  await publicFeed.close();
});

const PATH = '/v1/reports/failed-start';
const report = (extra: Record<string, unknown> = {}) => ({ version: '1.2.0', platform: 'linux-x64', channel: 'stable', bucket: 42, reason: 'exited', ...extra });

function post(f: Feed, body: unknown, token: string | null = f.readToken, contentType = 'application/json') {
  return fetch(`${f.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface Counts { counts: { channel: string; version: string; platform: string; reason: string; day: string; count: number; maxBucket: number }[]; withheld: number; note: string }
async function console_(f: Feed, query = '', token = f.publishToken): Promise<Counts> {
  const res = await fetch(`${f.url}${PATH}${query}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return json<Counts>(res);
}
const raw = (f: Feed, filter: { channels: string[] | null; version?: string } = { channels: null }) => f.server.store.failedStarts(filter);

test('bad bodies are a 400 with one plain sentence naming the field, and nothing is stored', async () => {
  const cases: [unknown, string, RegExp][] = [
    [report({ installId: 'abc' }), 'installId', /unknown field "installId"/],
    [report({ bucket: 100 }), 'bucket', /bucket/],
    [report({ bucket: 4.5 }), 'bucket', /bucket/],
    [report({ bucket: -1 }), 'bucket', /bucket/],
    [report({ reason: 'segfault' }), 'reason', /reason/],
    [report({ version: 'latest' }), 'version', /semantic version/],
    [report({ version: `1.0.0-${'a'.repeat(80)}` }), 'version', /at most 64/],
    [report({ platform: 'haiku-x64' }), 'platform', /platform/],
    [report({ channel: '../etc' }), 'channel', /must match/],
    [{ version: '1.2.0' }, 'platform', /platform/],
    [[report()], '', /body/],
  ];
  for (const [body, field, message] of cases) {
    const res = await post(feed, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const e = (await json<{ error: { code: string; field: string; message: string } }>(res)).error;
    assert.equal(e.code, 'invalid');
    assert.equal(e.field, field, JSON.stringify(body));
    assert.match(e.message, message);
  }
  assert.equal((await post(feed, '{"version":')).status, 400, 'broken JSON');
  assert.equal((await post(feed, report(), feed.readToken, 'text/plain')).status, 415);
  assert.deepEqual(await raw(feed), [], 'nothing stored from any of them');
});

test('authorised exactly as reads: the read token (or a publish one), never none on a private feed; none on a public one', async () => {
  assert.equal((await post(feed, report(), null)).status, 401);
  assert.equal((await post(feed, report(), 'tdg_000000000000_' + 'A'.repeat(43))).status, 401);
  const beta = (await createToken(feed.server.store, { name: 'beta-app', scopes: ['read'], channels: ['beta'], now: 1 })).token;
  const other = await post(feed, report(), beta);
  assert.equal(other.status, 403, 'a token for other channels cannot report on stable');
  assert.deepEqual(await raw(feed), []);
  assert.equal((await post(feed, report({ channel: 'beta', version: '0.1.0' }), beta)).status, 202);
  assert.equal((await post(feed, report({ version: '0.1.0' }), feed.publishToken)).status, 202);
  assert.equal((await post(publicFeed, report(), null)).status, 202, 'no token on a public feed');
  // The console needs a publish token, even on a public feed.
  assert.equal((await fetch(`${publicFeed.url}${PATH}`)).status, 401);
  assert.equal((await fetch(`${feed.url}${PATH}`, { headers: { authorization: `Bearer ${feed.readToken}` } })).status, 403);
});

test('reports are counted per channel, version, platform, reason and UTC day; nothing else is kept', async () => {
  clock = 20_430 * DAY + 10; // a later day than the other tests use
  const f = await startFeed({ now: () => clock });
  try {
    for (let i = 0; i < 6; i++) assert.equal((await post(f, report({ bucket: 10 + i }))).status, 202);
    await post(f, report({ reason: 'crashed', bucket: 3 }));
    await post(f, report({ platform: 'win32-x64' }));
    clock += DAY - 20; // still the same UTC day
    await post(f, report({ bucket: 2 }));
    clock += 20; // midnight: the next day
    await post(f, report());
    const rows = await raw(f);
    assert.deepEqual(rows, [
      { channel: 'stable', version: '1.2.0', platform: 'linux-x64', reason: 'exited', day: '2025-12-09', count: 1, maxBucket: 42 },
      { channel: 'stable', version: '1.2.0', platform: 'linux-x64', reason: 'crashed', day: '2025-12-08', count: 1, maxBucket: 3 },
      { channel: 'stable', version: '1.2.0', platform: 'linux-x64', reason: 'exited', day: '2025-12-08', count: 7, maxBucket: 15 },
      { channel: 'stable', version: '1.2.0', platform: 'win32-x64', reason: 'exited', day: '2025-12-08', count: 1, maxBucket: 42 },
    ].sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0)));
    // The console sees the count of 7; the three small ones are withheld, and it is told why.
    const seen = await console_(f, '?channel=stable&version=1.2.0');
    assert.deepEqual(seen.counts.map((r) => [r.platform, r.reason, r.day, r.count]), [['linux-x64', 'exited', '2025-12-08', 7]]);
    assert.equal(seen.withheld, 3);
    assert.match(seen.note, /under 5 are withheld/);
    assert.deepEqual((await console_(f, '?version=9.9.9')).counts, []);
    assert.deepEqual((await console_(f, '?channel=beta')).counts, []);
    // Whatever the store holds about a report: no address, no token, no finer time.
    const text = JSON.stringify(await raw(f));
    assert.doesNotMatch(text, /127\.0\.0\.1|tdg_|:\d\d:/);
  } finally {
    await f.close();
  }
});

test('a publish token limited to channels sees only their counts', async () => {
  clock = 20_440 * DAY;
  for (let i = 0; i < 5; i++) {
    await post(feed, report({ channel: 'stable', version: '3.0.0' }));
    await post(feed, report({ channel: 'experimental', version: '3.0.0' }));
  }
  const pub = (await createToken(feed.server.store, { name: 'exp-ci', scopes: ['publish'], channels: ['experimental'], now: 1 })).token;
  const mine = await console_(feed, '?version=3.0.0', pub);
  assert.deepEqual(mine.counts.map((r) => [r.channel, r.count]), [['experimental', 5]]);
  const res = await fetch(`${feed.url}${PATH}?channel=stable`, { headers: { authorization: `Bearer ${pub}` } });
  assert.equal(res.status, 403);
  const all = await console_(feed, '?version=3.0.0');
  assert.deepEqual(all.counts.map((r) => [r.channel, r.count]).sort(), [['experimental', 5], ['stable', 5]]);
  const bad = await fetch(`${feed.url}${PATH}?version=${encodeURIComponent('1 OR 1=1')}`, { headers: { authorization: `Bearer ${feed.publishToken}` } });
  assert.equal(bad.status, 400);
});
