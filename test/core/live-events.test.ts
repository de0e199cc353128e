// SSE through the facade against a scripted feed (the real service never sends a badly signed or repeated
// event, so the stream is written by hand; heads and pages are a real feed v1 in memory): a message event
// starts one check and a repeat of its seq starts none; a restarted app resumes the stream after its stored
// cursor; a live-only message is shown only when its signature verifies (or it is plainly unsigned).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { generateSigningKey, signRecord, type SigningKey } from '../../shared/protocol/signing.ts';
import type { UnsignedRecord } from '../../shared/protocol/schemas.ts';
import { createCompanion, type CompanionEvents } from '../../electron/core/index.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed, type MiniFeed } from './helpers/mini-feed.ts';
import { tempDir } from './helpers/tmp.ts';
import { settleLive, sleep, waitFor } from './helpers/wait.ts';

/** A feed v1 whose SSE streams the test writes to; counts the routine checks (GET /v1/heads). */
async function scriptedFeed(t: TestContext, feed: MiniFeed) {
  // (The feeds below are made with max-age 0, so each event may start a check at once; pacing by max-age is
  // case 55 in hostile-live.test.ts.)
  const streams = new Map<string, ServerResponse>();
  const srv = await startFaultServer(t, (req, res) => {
    const m = /^\/v1\/channels\/([^/?]+)\/events/.exec(req.url ?? '');
    if (m) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('retry: 60000\n\n');
      streams.set(decodeURIComponent(m[1]!), res);
      return;
    }
    if (!feed.handle(req, res)) res.writeHead(404).end();
  });
  return {
    srv,
    streams,
    checks: () => srv.requests.filter((r) => r.url === '/v1/heads').length,
    eventUrls: (channel: string) => srv.requests.filter((r) => r.url.startsWith(`/v1/channels/${channel}/events`)).map((r) => r.url),
    send: (channel: string, frame: string) => streams.get(channel)?.write(frame),
  };
}

async function openCore(t: TestContext, url: string, key: SigningKey, dataDir = tempDir(t)) {
  const c = await createCompanion({
    dataDir, publisherKeys: [key.publicKey], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'main', url, live: true }], allowLoopbackHttp: true, intervalMs: null,
  });
  t.after(() => c.close());
  const live: CompanionEvents['live'][] = [];
  const toasts: string[] = [];
  c.on('live', (m) => live.push(m));
  c.on('messages', (m) => toasts.push(...m.toasts.map((i) => i.title)));
  return { c, live, toasts, dataDir };
}

/** Starts the core, waits for both streams and for the check their opening starts. */
async function started(x: Awaited<ReturnType<typeof scriptedFeed>>, core: Awaited<ReturnType<typeof openCore>>) {
  core.c.start();
  await settleLive(core.c, () => x.streams.size, 2);
}

test('SSE: a message event starts one check; the same seq again (a replay, a second node) starts none', async (t) => {
  const feed = await miniFeed(undefined, { maxAge: 0 });
  await feed.add({ channel: 'news', title: 'Old' });
  const x = await scriptedFeed(t, feed);
  const core = await openCore(t, x.srv.url, feed.key);
  await started(x, core);
  const before = x.checks();
  const fresh = await feed.add({ channel: 'news', title: 'Fresh' });
  const frame = `id: ${fresh.seq as number}\nevent: message\ndata: ${JSON.stringify(fresh)}\n\n`;
  x.send('news', frame);
  await waitFor('the pushed post', () => core.toasts.includes('Fresh'));
  assert.equal(x.checks(), before + 1, 'one event, one check');
  x.send('news', frame);
  x.send('news', `id: 1\nevent: message\ndata: {}\n\n`);
  await sleep(900); // longer than the 500 ms debounce plus a check
  assert.equal(x.checks(), before + 1, 'a repeated or older seq starts no check');
  const next = await feed.add({ channel: 'news', title: 'Next' });
  x.send('news', `id: ${next.seq as number}\nevent: message\ndata: ${JSON.stringify(next)}\n\n`);
  await waitFor('the next post', () => core.toasts.includes('Next'));
  assert.equal(x.checks(), before + 2);
});

test('SSE: a restarted app resumes each stream after its stored cursor instead of replaying the channel', async (t) => {
  const feed = await miniFeed(undefined, { maxAge: 0 });
  for (let i = 0; i < 3; i++) await feed.add({ channel: 'news', title: `n${i}` });
  const x = await scriptedFeed(t, feed);
  const first = await openCore(t, x.srv.url, feed.key);
  await started(x, first);
  assert.deepEqual(x.eventUrls('news'), ['/v1/channels/news/events?after=3'], 'a fresh install opens its streams after its first check, at the head');
  await first.c.close();
  x.streams.clear();
  const again = await openCore(t, x.srv.url, feed.key, first.dataDir);
  again.c.start();
  await waitFor('both streams again', () => x.streams.size === 2);
  assert.deepEqual(x.eventUrls('news').at(-1), '/v1/channels/news/events?after=3');
});

async function liveRecord(key: SigningKey, title: string, opts: { tamper?: boolean; unsigned?: boolean } = {}) {
  const base = { id: randomUUID(), channel: 'news', kind: 'news', issued: Math.floor(Date.now() / 1000), title, body: `${title} body`, persistent: false } as UnsignedRecord;
  const rec: Record<string, unknown> = opts.unsigned ? { ...base, sig: null } : await signRecord(base, key);
  if (opts.tamper) rec.title = `${title} (changed in transit)`;
  // The service adds `created` to what it pushes.
  return JSON.stringify({ ...rec, created: Math.floor(Date.now() / 1000) });
}

test('SSE: a live-only message whose signature does not verify is never emitted as live; good and unsigned ones are', async (t) => {
  const feed = await miniFeed(undefined, { maxAge: 0 });
  const stranger = await generateSigningKey();
  const x = await scriptedFeed(t, feed);
  const core = await openCore(t, x.srv.url, feed.key);
  await started(x, core);
  x.send('news', `event: live\ndata: ${await liveRecord(feed.key, 'Tampered', { tamper: true })}\n\n`);
  x.send('news', `event: live\ndata: ${await liveRecord(stranger, 'Signed by a stranger')}\n\n`);
  x.send('news', `event: live\ndata: ${await liveRecord(feed.key, 'Unsigned', { unsigned: true })}\n\n`);
  x.send('news', `event: live\ndata: ${await liveRecord(feed.key, 'Genuine')}\n\n`);
  await waitFor('the genuine live message', () => core.live.some((m) => m.title === 'Genuine'));
  await sleep(100);
  assert.deepEqual(core.live.map((m) => [m.title, m.trusted]).sort(), [['Genuine', true], ['Unsigned', false]]);
  assert.equal(core.c.listMessages().length, 0, 'live-only messages are never stored');
});
