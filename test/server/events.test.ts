// SSE per channel: live delivery, Last-Event-ID replay after a disconnect and after a server restart,
// retractions in the replay, live-only messages, heartbeats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startFeed, json, news, type Feed } from './helpers.ts';
import { openSse } from './sse.ts';
import { waitFor } from '../core/helpers/wait.ts';

let feed: Feed;
before(async () => { feed = await startFeed({ heartbeatMs: 200 }); });
after(async () => { await feed.close(); });

const auth = () => ({ authorization: `Bearer ${feed.readToken}` });

test('a subscriber receives published messages live, each with id and event lines, plus heartbeats', async () => {
  const s = await openSse(`${feed.url}/v1/channels/live/events`, auth());
  assert.equal(s.status, 200);
  const a = await json<{ seq: number; id: string }>(await feed.publish(news('live', 'first')));
  await feed.publish(news('elsewhere'));
  const b = await json<{ seq: number }>(await feed.publish(news('live', 'second')));
  const events = await s.waitFor(2);
  assert.deepEqual(events.map((e) => [e.id, e.event]), [[String(a.seq), 'message'], [String(b.seq), 'message']]);
  assert.equal((JSON.parse(events[0]!.data) as { id: string }).id, a.id);
  await new Promise((r) => setTimeout(r, 450));
  assert.ok(s.comments.includes('heartbeat'), 'heartbeat comments arrive');
  s.close();
});

test('Last-Event-ID replays what was missed, then continues live; it wins over ?after=', async () => {
  const ch = 'replay';
  const m1 = await json<{ seq: number }>(await feed.publish(news(ch, 'one')));
  const m2 = await json<{ seq: number }>(await feed.publish(news(ch, 'two')));
  const m3 = await json<{ seq: number }>(await feed.publish(news(ch, 'three')));
  const s = await openSse(`${feed.url}/v1/channels/${ch}/events?after=0`, { ...auth(), 'last-event-id': String(m1.seq) });
  await s.waitFor(2);
  const m4 = await json<{ seq: number }>(await feed.publish(news(ch, 'four')));
  const events = await s.waitFor(3);
  assert.deepEqual(events.map((e) => Number(e.id)), [m2.seq, m3.seq, m4.seq]);
  s.close();
  const all = await openSse(`${feed.url}/v1/channels/${ch}/events?after=0`, auth());
  assert.deepEqual((await all.waitFor(4)).map((e) => Number(e.id)), [m1.seq, m2.seq, m3.seq, m4.seq]);
  all.close();
});

test('replay skips retracted messages and carries the retraction; live subscribers get the retraction', async () => {
  const ch = 'sse-retract';
  const keep = await json<{ seq: number; id: string }>(await feed.publish(news(ch, 'keep')));
  const drop = await json<{ seq: number; id: string }>(await feed.publish(news(ch, 'drop')));
  const live = await openSse(`${feed.url}/v1/channels/${ch}/events`, { ...auth(), 'last-event-id': String(drop.seq) });
  const r = await json<{ seq: number }>(await feed.publish({ channel: ch, kind: 'retraction', title: '', body: '', retracts: drop.id }));
  const liveEvents = await live.waitFor(1);
  assert.equal((JSON.parse(liveEvents[0]!.data) as { retracts: string }).retracts, drop.id);
  live.close();
  const fresh = await openSse(`${feed.url}/v1/channels/${ch}/events`, auth());
  const events = await fresh.waitFor(2);
  assert.deepEqual(events.map((e) => Number(e.id)), [keep.seq, r.seq]);
  fresh.close();
});

test('live-only messages arrive as event: live without an id, and are not replayed', async () => {
  const s = await openSse(`${feed.url}/v1/channels/banner/events`, auth());
  assert.equal((await feed.publish({ ...news('banner', 'Maintenance at 18:00'), persistent: false })).status, 202);
  const [ev] = await s.waitFor(1);
  assert.equal(ev?.event, 'live');
  assert.equal(ev?.id, undefined);
  assert.equal((JSON.parse(ev!.data) as { title: string }).title, 'Maintenance at 18:00');
  s.close();
  const later = await openSse(`${feed.url}/v1/channels/banner/events?after=0`, auth());
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(later.events.length, 0);
  later.close();
});

test('after a server restart a reader resumes with Last-Event-ID and misses nothing', async () => {
  const ch = 'restart';
  const s = await openSse(`${feed.url}/v1/channels/${ch}/events`, auth());
  const a = await json<{ seq: number }>(await feed.publish(news(ch, 'before restart')));
  await s.waitFor(1);
  const lastId = s.events.at(-1)?.id as string;
  await feed.restart();
  s.close();
  const b = await json<{ seq: number }>(await feed.publish(news(ch, 'while away')));
  const resumed = await openSse(`${feed.url}/v1/channels/${ch}/events`, { ...auth(), 'last-event-id': lastId });
  const c = await json<{ seq: number }>(await feed.publish(news(ch, 'after resume')));
  const events = await resumed.waitFor(2);
  assert.equal(Number(lastId), a.seq);
  assert.deepEqual(events.map((e) => Number(e.id)), [b.seq, c.seq]);
  resumed.close();
});

test('SSE refuses bad input like every other endpoint', async () => {
  assert.equal((await fetch(`${feed.url}/v1/channels/x/events`)).status, 401);
  assert.equal((await fetch(`${feed.url}/v1/channels/x/events`, { headers: { ...auth(), 'last-event-id': 'abc' } })).status, 400);
  assert.equal((await fetch(`${feed.url}/v1/channels/.x/events`, { headers: auth() })).status, 400);
});

test('a raw subscriber gets its own channel only, replay then live without duplicates; when the reader hangs up (half-close) the server closes its side and forgets it', async () => {
  const before = feed.server.hub.subscribers;
  const m1 = await json<{ seq: number }>(await feed.publish(news('lane-a', 'Replayed')));
  const sock = connect(Number(new URL(feed.url).port), '127.0.0.1');
  await once(sock, 'connect');
  let text = '';
  sock.setEncoding('latin1');
  sock.on('data', (d: string) => { text += d; });
  sock.write(`GET /v1/channels/lane-a/events?after=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${feed.readToken}\r\n\r\n`);
  await waitFor('the replay', () => text.includes(`id: ${m1.seq}\n`));
  assert.equal(feed.server.hub.subscribers, before + 1);
  await feed.publish(news('lane-b', 'Elsewhere'));
  const m2 = await json<{ seq: number }>(await feed.publish(news('lane-a', 'Live')));
  await waitFor('the live message', () => text.includes(`id: ${m2.seq}\n`));
  assert.ok(text.startsWith('HTTP/1.1 200 OK\r\n'));
  assert.deepEqual([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])), [m1.seq, m2.seq]);
  assert.ok(!text.includes('Elsewhere'), 'no message of another channel');
  // Our side ends; the client socket closes only once the server has closed its side too.
  let closed = false;
  sock.on('close', () => { closed = true; });
  sock.end();
  await waitFor('the server to close its side', () => closed);
  await waitFor('the subscriber to be forgotten', () => feed.server.hub.subscribers === before);
});
