// Performance row 3 as a test: the routine unchanged check (update + news channels) costs at most 444 bytes
// on the wire, request and response together, counted at the socket by a proxy in front of the real feed
// service, with the companion's own source and HTTP client doing the check (a bearer token included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countingProxy } from '../../bench/lib/wire.ts';
import { startFeed, news, release } from '../server/helpers.ts';
import { v1Harness } from './helpers/harness.ts';

const GOAL_BYTES = 444;

test('row 3: an unchanged check is one conditional request answered by a bodyless 304, at most 444 bytes on the wire', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  await feed.publish(release('stable', '2.1.0'));
  await feed.publish(news('news', 'Hello'));
  const proxy = await countingProxy(Number(new URL(feed.url).port));
  t.after(() => proxy.close());
  const h = await v1Harness(t, `http://127.0.0.1:${proxy.port}`, [feed.key.publicKey], { token: feed.readToken });
  assert.equal((await h.check()).status, 200);
  proxy.reset();
  const unchanged = await h.check();
  assert.equal(unchanged.status, 304, unchanged.detail);
  const { up, down } = proxy.seen();
  const request = up.toString('latin1');
  const response = down.toString('latin1');
  assert.match(request, /^GET \/v1\/heads HTTP\/1\.1\r\n/);
  assert.equal(request.split('\r\n\r\n').length, 2, 'one request, no pages');
  assert.match(response, /^HTTP\/1\.1 304 /);
  assert.ok(response.endsWith('\r\n\r\n'), 'no body after the 304 head');
  const total = up.length + down.length;
  t.diagnostic(`unchanged check: request ${up.length} B + response ${down.length} B = ${total} B (goal ≤ ${GOAL_BYTES})`);
  assert.ok(total <= GOAL_BYTES, `the unchanged check took ${total} bytes (request ${up.length} + response ${down.length}), goal ≤ ${GOAL_BYTES}:\n${request}${response}`);
});
