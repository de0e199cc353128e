// Live events against a feed that pushes too much (reliability.md case 55), on the fake clock: events never
// start checks more often than the feed's max-age allows, an event at or below the cursor starts none, and a
// fresh install opens its streams only after its first check, after the cursor, so nothing is replayed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { MINI_FEED_NOW_MS, openCompanion } from './helpers/hostile.ts';
import { sleep, waitFor } from './helpers/wait.ts';

test('case 55: a start replays nothing; a storm of events starts one check per max-age; events at or below the cursor start none', async (t) => {
  const feed = await miniFeed(undefined, { maxAge: 60 });
  for (let i = 0; i < 3; i++) await feed.add({ channel: 'news', title: `History ${i}` });
  const streams = new Map<string, ServerResponse>();
  const srv = await startFaultServer(t, (req, res) => {
    const m = /^\/v1\/channels\/([^/?]+)\/events/.exec(req.url ?? '');
    if (!m) return void (feed.handle(req, res) || res.writeHead(404).end());
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('retry: 60000\n\n');
    streams.set(decodeURIComponent(m[1]!), res);
  });
  const checks = () => srv.requests.filter((q) => q.url === '/v1/heads').length;
  const eventUrls = () => srv.requests.filter((q) => q.url.includes('/events')).map((q) => q.url).sort();
  const send = async (frame: string) => {
    streams.get('news')!.write(frame);
    streams.get('stable')!.write(': heartbeat\n\n'); // (a silent stream would be reopened after 90 s)
    await sleep(100); // the bytes cross the loopback socket in real time
  };
  const event = (seq: number) => `id: ${seq}\nevent: message\ndata: {}\n\n`;
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url, live: true }, [feed.key.publicKey], { clock: new FakeClock(MINI_FEED_NOW_MS) });

  x.c.start();
  await sleep(200);
  assert.deepEqual(eventUrls(), [], 'no stream before the first check: it would replay the channel');
  await x.clock.advance(1_000); // the streams' wish for a first check (debounced 500 ms)
  await x.c.settled();
  assert.equal(checks(), 1);
  await waitFor('both streams', () => streams.size === 2);
  assert.deepEqual(eventUrls(), ['/v1/channels/news/events?after=3', '/v1/channels/stable/events?after=0']);
  const first = x.clock.now();

  // The streams opening, a replayed event (seq 3 is stored) and a storm of new ones within the max-age.
  await send(event(3));
  for (let seq = 4; seq <= 8; seq++) {
    await feed.add({ channel: 'news', title: `Pushed ${seq}` });
    await send(event(seq));
    await x.clock.advance(5_000);
  }
  await x.clock.advance(first + 59_000 - x.clock.now());
  await send(': heartbeat\n\n');
  assert.equal(checks(), 1, 'nothing inside the 60 s max-age');
  await x.clock.advance(2_000);
  await x.c.settled();
  assert.equal(checks(), 2, 'one check for all of them');
  assert.equal(x.inbox().filter((i) => i.startsWith('Pushed')).length, 5);

  // Events for what is now stored start nothing at all.
  await send(event(8));
  await send(event(5));
  for (let i = 0; i < 4; i++) {
    await x.clock.advance(30_000);
    await send(': heartbeat\n\n');
  }
  await x.c.settled();
  assert.equal(checks(), 2);
});
