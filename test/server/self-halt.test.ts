// Holds and the self-halting rollout (issue 15; docs/protocol.md "Holds" and "The self-halt rule") through real
// servers: a rollout halts by itself exactly when its failed starts pass the channel's policy, says why in plain
// words, comes back into the routine check as a hold (a new ETag, an SSE `holds` event, on every node), refuses
// advances on the v1 publish API too, and a resume makes the counts at that moment the new baseline. A feed that
// never halted answers the routine check byte for byte as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, release, signed, backend, json, type Feed } from './helpers.ts';
import { startServer } from '../../server/app.ts';
import { call, ok, refused, signIn, type ConsoleSession } from './console-helpers.ts';
import { openSse } from './sse.ts';

let feed: Feed;
let s: ConsoleSession;
before(async () => {
  feed = await startFeed({ console: { signInsPerMinute: 1000 } });
  s = await signIn(feed, feed.publishToken);
});
after(async () => {
  await feed.close();
});

const report = (f: Feed, kind: 'adoption' | 'failed-start', channel: string, version: string) => fetch(`${f.url}/v1/reports/${kind}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${f.readToken}` },
  body: JSON.stringify(kind === 'adoption'
    ? { version, platform: 'linux-x64', channel, bucket: 7, updated: true }
    : { version, platform: 'linux-x64', channel, bucket: 7, reason: 'crashed' }),
});

/** `updated` adoption reports (50 at a time), then `failed` failed-start reports one after another. */
async function reports(f: Feed, channel: string, version: string, o: { updated?: number; failed?: number }) {
  for (let done = 0; done < (o.updated ?? 0); done += 50) {
    const n = Math.min(50, (o.updated ?? 0) - done);
    const res = await Promise.all(Array.from({ length: n }, () => report(f, 'adoption', channel, version)));
    for (const r of res) assert.equal(r.status, 202);
  }
  for (let i = 0; i < (o.failed ?? 0); i++) assert.equal((await report(f, 'failed-start', channel, version)).status, 202);
}

interface View { releases: { version: string; halt: { reason: string; by: string; automatic: boolean } | null }[]; haltPolicy: { failPercent: number; minReports: number } }
async function viewOf(channel: string): Promise<View> {
  const all = await ok<{ channels: (View & { name: string })[] }>(await call(feed, s, 'GET', '/console/api/channels'));
  return all.channels.find((c) => c.name === channel) as View;
}
async function haltOf(channel: string, version: string) {
  return (await viewOf(channel)).releases.find((r) => r.version === version)?.halt ?? null;
}
/** Waits (up to 2 s) for the release's halt to be `want` (an evaluation may still be finishing). */
async function settled(channel: string, version: string, want: boolean) {
  const deadline = Date.now() + (want ? 2000 : 300);
  for (;;) {
    const h = await haltOf(channel, version);
    if ((h !== null) === want || Date.now() > deadline) return h;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function heads(f: Feed, etag?: string) {
  const res = await f.get('/v1/heads', etag ? { 'if-none-match': etag } : {});
  return { status: res.status, etag: res.headers.get('etag') ?? '', body: res.status === 200 ? await res.text() : '' };
}

test('a feed that never halted answers the routine check as before: no holds field, the ETag without -h, 304 on it', async () => {
  const f = await startFeed();
  try {
    assert.equal((await f.publish(release('stable', '1.0.0'))).status, 201);
    const first = await heads(f);
    assert.equal(first.body, '{"heads":{"stable":1}}');
    assert.match(first.etag, /^"[0-9a-f]{12}-1"$/);
    const again = await heads(f, first.etag);
    assert.equal(again.status, 304);
    assert.equal(again.etag, first.etag);
    // Reports alone (under the threshold) change nothing in the routine check.
    await reports(f, 'stable', '1.0.0', { updated: 10, failed: 3 });
    assert.equal((await heads(f, first.etag)).status, 304);
  } finally {
    await f.close();
  }
});

test('the self-halt triggers at the threshold and not before (2 % and at least 20 reports by default)', async () => {
  for (const ch of ['few', 'low', 'high', 'edge']) assert.equal((await feed.publish(release(ch, '2.1.0'))).status, 201);
  await reports(feed, 'few', '2.1.0', { updated: 100, failed: 19 });
  assert.equal(await settled('few', '2.1.0', false), null, '19 failed of 119: fewer than 20 reports');
  await reports(feed, 'low', '2.1.0', { updated: 1000, failed: 20 });
  assert.equal(await settled('low', '2.1.0', false), null, '20 of 1020 is 1.96 %: under 2 %');
  const before = await heads(feed);
  assert.equal(JSON.parse(before.body).holds, undefined);
  await reports(feed, 'edge', '2.1.0', { updated: 980, failed: 20 });
  assert.ok(await settled('edge', '2.1.0', true), '20 of 1000 is exactly 2 %: halts');
  await reports(feed, 'high', '2.1.0', { updated: 500, failed: 19 });
  assert.equal(await settled('high', '2.1.0', false), null, '19 reports: not yet');
  await reports(feed, 'high', '2.1.0', { failed: 1 });
  const halt = await settled('high', '2.1.0', true);
  assert.ok(halt);
  assert.equal(halt.automatic, true);
  assert.equal(halt.by, 'automatic halt');
  assert.equal(halt.reason, 'stopped by itself: 20 of 520 installs (3.8 %) that tried 2.1.0 failed to start; the threshold is 2 % with at least 20 reports');
  // The routine check now carries the holds, under a new ETag; the old one is a 200.
  const now = await heads(feed);
  assert.deepEqual(JSON.parse(now.body).holds, { edge: ['2.1.0'], high: ['2.1.0'] });
  assert.notEqual(now.etag, before.etag);
  assert.match(now.etag, /-h\d+"$/);
  assert.equal((await heads(feed, before.etag)).status, 200);
  assert.equal((await heads(feed, now.etag)).status, 304);
  // Only once, in the audit log, by the service itself.
  const log = (await ok<{ entries: { who: string; action: string; channel: string; detail: string }[] }>(await call(feed, s, 'GET', '/console/api/audit'))).entries;
  const autos = log.filter((e) => e.who === 'automatic halt');
  assert.deepEqual(autos.map((e) => [e.action, e.channel]).sort(), [['halt rollout', 'edge'], ['halt rollout', 'high']]);
  assert.match(autos.find((e) => e.channel === 'high')!.detail, /^2\.1\.0: stopped by itself: 20 of 520/);
  // More reports for a halted release halt nothing again.
  await reports(feed, 'high', '2.1.0', { failed: 5 });
  const after = (await ok<{ entries: { who: string }[] }>(await call(feed, s, 'GET', '/console/api/audit'))).entries.filter((e) => e.who === 'automatic halt');
  assert.equal(after.length, 2);
});

test('a resume makes the counts at that moment the baseline: only reports after it can halt the rollout again', async () => {
  assert.equal((await feed.publish(release('base', '3.0.0'))).status, 201);
  await reports(feed, 'base', '3.0.0', { updated: 100, failed: 20 });
  assert.ok(await settled('base', '3.0.0', true));
  const halted = await heads(feed);
  await ok(await call(feed, s, 'POST', '/console/api/rollouts/resume', { channel: 'base', version: '3.0.0' }));
  const resumed = await heads(feed);
  assert.equal(JSON.parse(resumed.body).holds?.base, undefined, 'a resume takes the hold away');
  assert.notEqual(resumed.etag, halted.etag);
  // 20 failed of 120 overall would pass the threshold, but since the resume there are 5 of 5: under 20 reports.
  await reports(feed, 'base', '3.0.0', { failed: 5 });
  assert.equal(await settled('base', '3.0.0', false), null);
  await reports(feed, 'base', '3.0.0', { updated: 2000 });
  await reports(feed, 'base', '3.0.0', { failed: 15 });
  assert.equal(await settled('base', '3.0.0', false), null, '20 of 2020 since the resume: under 2 %');
  // It halts with the first report that passes 2 % again: 41 of 2041.
  await reports(feed, 'base', '3.0.0', { failed: 21 });
  const again = await settled('base', '3.0.0', true);
  assert.equal(again?.reason, 'stopped by itself: 41 of 2041 installs (2 %) that tried 3.0.0 since it was resumed failed to start; the threshold is 2 % with at least 20 reports');
});

test('halt policy: validated (one sentence naming the field, nothing changed), CSRF-checked, publish scope, audited, and used', async () => {
  assert.equal((await feed.publish(release('pol', '1.0.0'))).status, 201);
  const path = '/console/api/channels/pol/halt-policy';
  const bad: [unknown, string][] = [
    [{ failPercent: 0.05, minReports: 20 }, 'failPercent'],
    [{ failPercent: 100.5, minReports: 20 }, 'failPercent'],
    [{ failPercent: '2', minReports: 20 }, 'failPercent'],
    [{ minReports: 20 }, 'failPercent'],
    [{ failPercent: 2, minReports: 0 }, 'minReports'],
    [{ failPercent: 2, minReports: 1.5 }, 'minReports'],
    [{ failPercent: 2, minReports: 100_001 }, 'minReports'],
    [{ failPercent: 2, minReports: 20, extra: 1 }, 'extra'],
  ];
  for (const [body, field] of bad) {
    const e = await refused(await call(feed, s, 'PUT', path, body), 400, 'invalid');
    assert.equal(e.field, field, JSON.stringify(body));
  }
  await refused(await call(feed, s, 'PUT', '/console/api/channels/nosuch/halt-policy', { failPercent: 5, minReports: 3 }), 400, 'unknown_channel');
  await refused(await call(feed, s, 'PUT', path, { failPercent: 10, minReports: 3 }, { csrf: false }), 403, 'csrf');
  const reader = await signIn(feed, feed.readToken);
  await refused(await call(feed, reader, 'PUT', path, { failPercent: 10, minReports: 3 }), 403, 'insufficient_scope');
  assert.deepEqual((await viewOf('pol')).haltPolicy, { failPercent: 2, minReports: 20 }, 'the default, unchanged by the refusals');
  assert.deepEqual(await ok(await call(feed, s, 'PUT', path, { failPercent: 5, minReports: 3 })), { channel: 'pol', haltPolicy: { failPercent: 5, minReports: 3 } });
  assert.deepEqual((await viewOf('pol')).haltPolicy, { failPercent: 5, minReports: 3 });
  const log = (await ok<{ entries: { action: string; channel: string; detail: string }[] }>(await call(feed, s, 'GET', '/console/api/audit'))).entries;
  assert.match(log.find((e) => e.action === 'set halt policy' && e.channel === 'pol')!.detail, /5 % .* at least 3 reports/);
  await reports(feed, 'pol', '1.0.0', { updated: 30, failed: 2 });
  assert.equal(await settled('pol', '1.0.0', false), null, '2 of 32 (6.3 %): over 5 % but under 3 reports');
  await reports(feed, 'pol', '1.0.0', { failed: 1 });
  assert.equal((await settled('pol', '1.0.0', true))?.reason, 'stopped by itself: 3 of 33 installs (9.1 %) that tried 1.0.0 failed to start; the threshold is 5 % with at least 3 reports');
});

test('v1 publish refuses an advance of a halted rollout (409 halted, target.rollout); a retry, news and a recall still pass', async () => {
  const first = await signed(release('adv', '4.0.0', { target: { rollout: 20 } } as never), feed.key);
  const post = (body: unknown) => fetch(`${feed.url}/v1/channels/adv/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${feed.publishToken}` }, body: JSON.stringify(body) });
  assert.equal((await post(first)).status, 201);
  await ok(await call(feed, s, 'POST', '/console/api/rollouts/halt', { channel: 'adv', version: '4.0.0', reason: 'crash on start' }));
  const advance = await signed(release('adv', '4.0.0', { issued: first.issued + 1, target: { rollout: 60 } } as never), feed.key);
  const res = await post(advance);
  assert.equal(res.status, 409);
  const e = (await json<{ error: { code: string; field: string; message: string } }>(res)).error;
  assert.deepEqual([e.code, e.field], ['halted', 'target.rollout']);
  assert.match(e.message, /crash on start/);
  assert.equal((await post(first)).status, 200, 'the same record again is a retry, answered as before');
  const stored = await json<{ messages: unknown[] }>(await feed.get('/v1/channels/adv/messages'));
  assert.equal(stored.messages.length, 1, 'the advance changed nothing');
  await ok(await call(feed, s, 'POST', '/console/api/rollouts/resume', { channel: 'adv', version: '4.0.0' }));
  assert.equal((await post(advance)).status, 201, 'after the resume the advance lands');
});

test('holds reach the channel\'s SSE subscribers (event: holds) and every node\'s routine check', async () => {
  assert.equal((await feed.publish(release('live', '5.0.0'))).status, 201);
  // A second node on the same database: SQLite sees the change through data_version, PostgreSQL through NOTIFY.
  const other = await startServer({ db: feed.db, port: 0, host: '127.0.0.1', publisherKeys: [feed.key.publicKey], logger: false });
  const auth = { authorization: `Bearer ${feed.readToken}` };
  const here = await openSse(`${feed.url}/v1/channels/live/events`, auth);
  const there = await openSse(`${other.url}/v1/channels/live/events`, auth);
  try {
    await here.waitFor(1);
    await there.waitFor(1);
    const otherHeads = async () => (await json<{ holds?: Record<string, string[]> }>(await fetch(`${other.url}/v1/heads`, { headers: auth }))).holds?.live;
    assert.equal(await otherHeads(), undefined);
    await ok(await call(feed, s, 'POST', '/console/api/rollouts/halt', { channel: 'live', version: '5.0.0' }));
    const events = await here.waitFor(2, 3000);
    assert.deepEqual([events[1]?.event, JSON.parse(events[1]?.data ?? '{}')], ['holds', { holds: ['5.0.0'] }]);
    const deadline = Date.now() + 1500;
    while ((await otherHeads()) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await otherHeads(), ['5.0.0'], 'the other node\'s routine check carries the hold within a second and a half');
    if (backend === 'postgres') {
      const remote = await there.waitFor(2, 3000);
      assert.deepEqual([remote[1]?.event, remote[1]?.data], ['holds', '{"holds":["5.0.0"]}'], 'the other node\'s subscribers hear it too');
    }
    await ok(await call(feed, s, 'POST', '/console/api/rollouts/resume', { channel: 'live', version: '5.0.0' }));
    const resumed = await here.waitFor(3, 3000);
    assert.deepEqual([resumed[2]?.event, resumed[2]?.data], ['holds', '{"holds":[]}']);
  } finally {
    here.close();
    there.close();
    await other.close();
  }
});

test('legacy files leave a held release out and describe the one before it', async () => {
  const asset = (v: string) => ({ platform: 'linux-x64', url: `https://downloads.example.com/Tidings-${v}-x86_64.AppImage`, sha256: 'ab'.repeat(32), size: 1234, sha512: `${'A'.repeat(86)}==` });
  for (const v of ['6.0.0', '6.1.0']) {
    assert.equal((await feed.publish(release('stable', v, { release: { version: v, assets: [asset(v)] } } as never))).status, 201);
  }
  const file = async () => (await feed.get('/electron-updater/latest-linux.yml')).text();
  assert.match(await file(), /version: "6\.1\.0"/);
  await ok(await call(feed, s, 'POST', '/console/api/rollouts/halt', { channel: 'stable', version: '6.1.0' }));
  assert.match(await file(), /version: "6\.0\.0"/);
  await ok(await call(feed, s, 'POST', '/console/api/rollouts/resume', { channel: 'stable', version: '6.1.0' }));
  assert.match(await file(), /version: "6\.1\.0"/);
});
