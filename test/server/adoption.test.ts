// Adoption reports (issue 15 item 2; docs/protocol.md "Adoption reports") through a real server: authorised as
// reads, strictly checked (a bad body is a 400 naming the field and stores nothing), kept only as counts per
// (channel, version, platform, day), and shown to publishers with counts under 5 withheld, never shown as 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, release, json, type Feed } from './helpers.ts';
import { createToken } from '../../server/tokens.ts';
import { call, ok, signIn } from './console-helpers.ts';

const DAY = 86_400;
let clock = 20_427 * DAY + 48_000; // 2025-12-05 13:20 UTC
let feed: Feed;
before(async () => {
  feed = await startFeed({ now: () => clock, console: { signInsPerMinute: 1000 } });
});
after(async () => {
  await feed.close();
});

const PATH = '/v1/reports/adoption';
const report = (extra: Record<string, unknown> = {}) => ({ version: '1.2.0', platform: 'linux-x64', channel: 'stable', bucket: 42, updated: false, ...extra });
function post(f: Feed, body: unknown, token: string | null = f.readToken, contentType = 'application/json') {
  return fetch(`${f.url}${PATH}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const failedStart = (f: Feed, reason: string) => fetch(`${f.url}/v1/reports/failed-start`, {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${f.readToken}` },
  body: JSON.stringify({ version: '1.2.0', platform: 'linux-x64', channel: 'stable', bucket: 1, reason }),
});

test('bad bodies are a 400 naming the field, and nothing is stored', async () => {
  const cases: [unknown, string, RegExp][] = [
    [report({ installId: 'abc' }), 'installId', /unknown field "installId"/],
    [report({ updated: 'yes' }), 'updated', /updated/],
    [report({ updated: undefined }), 'updated', /updated/],
    [report({ bucket: 100 }), 'bucket', /bucket/],
    [report({ version: 'latest' }), 'version', /semantic version/],
    [report({ platform: 'haiku-x64' }), 'platform', /platform/],
    [report({ channel: '../etc' }), 'channel', /must match/],
  ];
  for (const [body, field, message] of cases) {
    const res = await post(feed, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const e = (await json<{ error: { code: string; field: string; message: string } }>(res)).error;
    assert.equal(e.field, field, JSON.stringify(body));
    assert.match(e.message, message);
  }
  assert.equal((await post(feed, '{"version":')).status, 400);
  assert.equal((await post(feed, report(), feed.readToken, 'text/plain')).status, 415);
  assert.deepEqual(await feed.server.store.adoption({ channels: null }), []);
});

test('authorised exactly as reads', async () => {
  assert.equal((await post(feed, report(), null)).status, 401);
  const beta = (await createToken(feed.server.store, { name: 'beta-app', scopes: ['read'], channels: ['beta'], now: 1 })).token;
  assert.equal((await post(feed, report(), beta)).status, 403);
  assert.deepEqual(await feed.server.store.adoption({ channels: null }), []);
  const pub = await startFeed({ publicRead: true, now: () => clock });
  try {
    assert.equal((await post(pub, report(), null)).status, 202);
    assert.equal((await fetch(`${pub.url}${PATH}`)).status, 401, 'reading the counts needs a publish token, even on a public feed');
  } finally {
    await pub.close();
  }
});

test('counted per channel, version, platform and UTC day; publishers see counts of 5 or more, the rest withheld', async () => {
  clock = 20_430 * DAY + 10;
  const f = await startFeed({ now: () => clock, console: { signInsPerMinute: 1000 } });
  try {
    assert.equal((await f.publish(release('stable', '1.2.0'))).status, 201);
    for (let i = 0; i < 7; i++) assert.equal((await post(f, report({ bucket: 10 + i, updated: i < 6 }))).status, 202);
    await post(f, report({ platform: 'win32-x64', updated: true }));
    clock += DAY; // the next UTC day: the same installs report again
    for (let i = 0; i < 5; i++) await post(f, report());
    for (let i = 0; i < 3; i++) assert.equal((await failedStart(f, 'crashed')).status, 202);
    assert.deepEqual(await f.server.store.adoption({ channels: null }), [
      { channel: 'stable', version: '1.2.0', platform: 'linux-x64', day: '2025-12-09', count: 5, updated: 0, maxBucket: 42 },
      { channel: 'stable', version: '1.2.0', platform: 'linux-x64', day: '2025-12-08', count: 7, updated: 6, maxBucket: 16 },
      { channel: 'stable', version: '1.2.0', platform: 'win32-x64', day: '2025-12-08', count: 1, updated: 1, maxBucket: 42 },
    ]);
    const seen = await json<{ counts: { platform: string; day: string; count: number; updated: number | null }[]; withheld: number; note: string }>(
      await fetch(`${f.url}${PATH}?channel=stable`, { headers: { authorization: `Bearer ${f.publishToken}` } }));
    assert.deepEqual(seen.counts.map((r) => [r.platform, r.day, r.count, r.updated]), [['linux-x64', '2025-12-09', 5, 0], ['linux-x64', '2025-12-08', 7, 6]]);
    assert.equal(seen.withheld, 1);
    assert.match(seen.note, /under 5 are withheld/);
    assert.equal((await fetch(`${f.url}${PATH}`, { headers: { authorization: `Bearer ${f.readToken}` } })).status, 403);
    // The console's channel view: per release, today's installs, updated, failed (3: withheld), so tried and the rate too.
    const s = await signIn(f, f.publishToken);
    const view = await ok<{ channels: { releases: { version: string; adoption: Record<string, unknown> }[] }[] }>(await call(f, s, 'GET', '/console/api/channels'));
    assert.deepEqual(view.channels[0]?.releases[0]?.adoption, { day: '2025-12-09', reporting: 5, updated: 7, failed: null, tried: null, failRate: null, withheld: true });
    for (let i = 0; i < 2; i++) assert.equal((await failedStart(f, 'exited')).status, 202);
    const shown = await ok<{ channels: { releases: { adoption: Record<string, unknown> }[] }[] }>(await call(f, s, 'GET', '/console/api/channels'));
    assert.deepEqual(shown.channels[0]?.releases[0]?.adoption, { day: '2025-12-09', reporting: 5, updated: 7, failed: 5, tried: 12, failRate: 5 / 12, withheld: false });
    // A read token sees the channel but not the counts.
    const reader = await signIn(f, f.readToken);
    const plain = await ok<{ channels: { releases: { adoption?: unknown }[] }[] }>(await call(f, reader, 'GET', '/console/api/channels'));
    assert.equal(plain.channels[0]?.releases[0]?.adoption, undefined);
    const text = JSON.stringify(await f.server.store.adoption({ channels: null }));
    assert.doesNotMatch(text, /127\.0\.0\.1|tdg_|:\d\d:/);
  } finally {
    await f.close();
  }
});
