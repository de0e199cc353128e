// Time a feed gets wrong (reliability.md cases 53, 54). A message dated in the future never moves a cursor past
// the server's own "now" (its Date header), in either dialect, so later posts still arrive, and it is listed by
// when it was received instead of sitting on top for months. Retry-After as an HTTP date is read against the
// answer's Date, and every deadline and wait runs on the injected clock.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { startFaultServer, sendJson } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { FakeClock, flush } from './helpers/fake-clock.ts';
import { MINI_FEED_NOW_MS, openCompanion } from './helpers/hostile.ts';

const YEAR = 365 * 86_400;
const httpDate = (sec: number) => new Date(sec * 1000).toUTCString();

test('case 53, feed v1: a post dated a year ahead is listed by when it arrived; the post after it is listed first and nothing is skipped', async (t) => {
  const feed = await miniFeed();
  await feed.add({ channel: 'news', title: 'History' });
  const srv = await startFaultServer(t, (q, r) => void (feed.handle(q, r) || r.writeHead(404).end()));
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url }, [feed.key.publicKey], { clock: new FakeClock(MINI_FEED_NOW_MS) });
  await x.c.checkAll();
  const ahead = await feed.add({ channel: 'news', title: 'From the future' });
  ahead.created = Math.floor(MINI_FEED_NOW_MS / 1000) + YEAR;
  await x.c.checkAll();
  await x.clock.advance(60_000);
  (await feed.add({ channel: 'news', title: 'Published later' })).created = Math.floor(x.clock.now() / 1000);
  await x.c.checkAll();
  assert.deepEqual(x.inbox(), ['Published later', 'From the future', 'History']);
  const future = x.c.listMessages().find((i) => i.title === 'From the future')!;
  assert.equal(future.created, Math.floor(MINI_FEED_NOW_MS / 1000), 'shown by the time it was received');
});

/** A Cryptolens GetMessages endpoint with its own clock: strictly after Time, newest first, Date from its clock. */
async function cryptolensFeed(t: TestContext, startSec: number) {
  const state = { now: startSec, messages: [] as { id: number; content: string; created: number; channel: string }[] };
  const srv = await startFaultServer(t, (_q, r: ServerResponse, body) => {
    const time = Number(new URLSearchParams(body).get('Time'));
    const messages = state.messages.filter((m) => m.created > time).sort((a, b) => b.created - a.created || b.id - a.id);
    sendJson(r, 200, { messages, result: 0, message: null }, { date: httpDate(state.now) });
  });
  const post = (content: string, created = state.now) => state.messages.push({ id: state.messages.length + 1, content, created, channel: 'news' });
  const asked = () => srv.requests.map((q) => Number(new URLSearchParams(q.body).get('Time')) - startSec);
  return { srv, state, post, asked };
}

test('case 53, Cryptolens: a bad record dated a year ahead does not move the cursor past the server\'s now; the next post arrives and is listed first', async (t) => {
  const S = Math.floor(Date.now() / 1000);
  const f = await cryptolensFeed(t, S);
  f.post('History', S - 100);
  const x = await openCompanion(t, { kind: 'cryptolens', id: 'cl', url: f.srv.url, token: 't', newsChannel: 'news' }, [], { clock: new FakeClock(S * 1000) });
  await x.c.checkAll();
  f.post('A bad record', S + YEAR);
  await x.c.checkAll();
  await x.clock.advance(30_000);
  f.state.now = S + 30;
  f.post('Published later', S + 30);
  await x.c.checkAll();
  assert.deepEqual(x.inbox(), ['Published later', 'A bad record', 'History']);
  assert.ok(f.asked()[2]! <= 0, `the third check asked from ${f.asked()[2]} s, at or before the server's now when the bad record came`);
});

test('case 53, Cryptolens: a server clock a year ahead and then put right: what it publishes after the fix still arrives', async (t) => {
  const S = Math.floor(Date.now() / 1000);
  const f = await cryptolensFeed(t, S);
  f.post('History', S - 100);
  const x = await openCompanion(t, { kind: 'cryptolens', id: 'cl', url: f.srv.url, token: 't', newsChannel: 'news' }, [], { clock: new FakeClock(S * 1000) });
  await x.c.checkAll();
  f.state.now = S + YEAR;
  f.post('Dated by a clock a year ahead');
  await x.c.checkAll();
  await x.clock.advance(600_000);
  f.state.now = S + 600;
  f.post('After the clock was fixed');
  await x.c.checkAll();
  assert.deepEqual(x.inbox(), ['After the clock was fixed', 'Dated by a clock a year ahead', 'History']);
  assert.equal(x.c.sources()[0]!.lastError, null);
  // Later checks ask from the server's real time again (with the 60 s overlap), not from a year ahead.
  await x.clock.advance(60_000);
  f.state.now = S + 660;
  await x.c.checkAll();
  const last = f.asked().at(-1)!;
  assert.ok(last >= 600 - 61 && last <= 600, `asked from ${last}`);
});

async function pacedFeed(t: TestContext, clock: FakeClock, skewSec: number) {
  // Answers 429 with Retry-After as an HTTP date 120 s after its own clock, which is skewSec off ours.
  const srv = await startFaultServer(t, (_q, r) => {
    const serverNow = Math.floor(clock.now() / 1000) + skewSec;
    sendJson(r, 429, { error: { code: 'rate_limited', message: 'slow down' } }, { date: httpDate(serverNow), 'retry-after': httpDate(serverNow + 120) });
  });
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url }, [], { clock, intervalMs: 3_600_000 });
  return { srv, x, checks: () => srv.requests.filter((q) => q.url === '/v1/heads').length };
}

for (const [skew, label] of [[-3600, 'an hour behind'], [86_400, 'a day ahead']] as const) {
  test(`case 54: Retry-After as an HTTP date from a server whose clock is ${label} means 120 s from its Date`, async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 24, 9, 0, 0));
    const { x, checks } = await pacedFeed(t, clock, skew);
    x.c.start();
    const at = clock.now();
    await x.c.checkAll();
    assert.equal(checks(), 1);
    const source = x.c.sources()[0]!;
    assert.equal(source.notBefore, at + 120_000);
    const refused = x.c.checkNow()[0]!;
    assert.deepEqual(refused, { accepted: false, reason: 'server-asked-to-wait', retryAt: at + 120_000 });
    await clock.advance(119_000);
    assert.equal(checks(), 1, 'nothing is sent inside the window');
    await clock.advance(2_000);
    await x.c.settled();
    // The streams' wish for a first check waited for the window, and went out as soon as it passed.
    assert.equal(checks(), 2, 'the next check once the window has passed');
  });
}

test('case 54: the request deadlines run on the injected clock: a feed that never answers is given up when that clock passes the idle deadline', async (t) => {
  const clock = new FakeClock(Date.UTC(2026, 10, 24, 9, 0, 0));
  const srv = await startFaultServer(t, () => undefined); // accepts, reads the request, never answers
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url }, [], { clock });
  let done = false;
  const check = x.c.checkAll().then(() => (done = true));
  for (let i = 0; i < 50 && !srv.requests.some((q) => q.url === '/v1/heads'); i++) await new Promise((r) => setTimeout(r, 10));
  await clock.advance(14_000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(done, false, 'not before the idle deadline (15 s) on the injected clock');
  await clock.advance(2_000);
  await Promise.race([check, new Promise((_r, reject) => setTimeout(() => reject(new Error('the check is still waiting on the real clock')), 2000))]);
  await flush();
  assert.match(x.c.sources()[0]!.lastError ?? '', /idle-timeout/);
});
