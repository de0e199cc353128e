// One bad record never costs the others (reliability.md case 57): a record with a bad schema, a bad signature,
// another channel or an id already stored is set aside with its reason in Status, and everything else in the
// same check, other channels included, is stored. Only an answer that cannot be trusted as a whole fails, and
// then only its channel's share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signRecord } from '../../shared/protocol/signing.ts';
import type { UnsignedRecord } from '../../shared/protocol/schemas.ts';
import { startFaultServer, sendJson } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { MINI_FEED_NOW_MS, openCompanion } from './helpers/hostile.ts';

const rel = (version: string) => ({
  channel: 'stable', kind: 'release' as const, title: `Tidings ${version}`, body: 'notes',
  release: { version, assets: [{ platform: 'linux-x64', url: `https://dl.example.com/T-${version}.AppImage`, sha256: 'ab'.repeat(32), size: 5 }] },
});

test('case 57: bad schema, bad signature, another channel and an id already stored are set aside with a reason; the rest of the check is stored', async (t) => {
  const feed = await miniFeed();
  const first = await feed.add({ channel: 'news', title: 'Good one' });
  await feed.add(rel('1.1.0'));
  const srv = await startFaultServer(t, (q, r) => void (feed.handle(q, r) || r.writeHead(404).end()));
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url }, [feed.key.publicKey], { clock: new FakeClock(MINI_FEED_NOW_MS) });
  await x.c.checkAll();
  assert.deepEqual(x.inbox(), ['Tidings 1.1.0', 'Good one']);

  await feed.add({ channel: 'news', title: 'Good two' });
  // The feed serves, among good records: one that fails the schema, one whose signature no longer matches,
  // one signed for stable, and a second copy of an id already stored under a new seq.
  const noTitle = await feed.add({ channel: 'news', title: 'x' });
  delete noTitle.title;
  await feed.add({ channel: 'news', title: 'Tampered' }, { tamper: (r) => (r.title = 'Tampered in transit') });
  const stableRecord = await signRecord({ ...rel('9.9.9'), id: 'stable-on-news', issued: 1_700_000_000 } as UnsignedRecord, feed.key);
  const wrong = await feed.add({ channel: 'news', title: 'placeholder' });
  Object.assign(wrong, stableRecord, { seq: wrong.seq, created: wrong.created });
  wrong.channel = 'news';
  const copy = await feed.add({ channel: 'news', title: 'placeholder' });
  Object.assign(copy, first, { seq: copy.seq, created: copy.created });
  await feed.add({ channel: 'news', title: 'Good three' });
  await feed.add(rel('1.2.0'));
  // The record signed for stable is served on the news page with its own channel field.
  srv.handler = (q, r) => {
    if (q.url?.startsWith('/v1/channels/news/')) {
      const after = Number(new URL(q.url, 'http://x').searchParams.get('after'));
      const messages = feed.records.filter((m) => m.channel === 'news' && (m.seq as number) > after).map((m) => (m === wrong ? { ...m, channel: 'stable' } : m));
      const head = feed.heads().news!;
      return sendJson(r, 200, { channel: 'news', messages, next: head, head, more: false });
    }
    if (!feed.handle(q, r)) r.writeHead(404).end();
  };
  await x.c.checkAll();

  assert.deepEqual(x.inbox(), ['Tidings 1.2.0', 'Good three', 'Good two', 'Tidings 1.1.0', 'Good one']);
  const status = x.c.updateStatus();
  assert.equal(status.state === 'available' && status.offer.release.version, '1.2.0', 'the other channel of the same check still counts');
  const source = x.c.sources()[0]!;
  assert.equal(source.lastError, null, 'the check itself succeeded');
  const log = x.log().join('\n');
  assert.match(log, /dropped a record in news: does not match the schema/);
  assert.match(log, /signature rejected \(bad-signature\)/);
  assert.match(log, /stable-on-news: from channel "stable", served on news/);
  assert.match(log, new RegExp(`${first.id as string}: already stored \\(seq 1\\); the copy at seq ${copy.seq as number} was set aside`));
  // The cursor passed every record, set-aside ones included: the next check asks for nothing old again.
  const pagesBefore = srv.requests.filter((q) => q.url.startsWith('/v1/channels/news/')).length;
  await feed.add({ channel: 'news', title: 'Good four' });
  await x.c.checkAll();
  const asked = srv.requests.filter((q) => q.url.startsWith('/v1/channels/news/')).slice(pagesBefore).map((q) => new URL(q.url, 'http://x').searchParams.get('after'));
  assert.deepEqual(asked, ['8']);
  assert.equal(x.inbox()[0], 'Good four');
});

test('case 57: a news page that cannot be trusted fails only news; the stable release of the same check is stored and offered, and news is retried', async (t) => {
  const feed = await miniFeed();
  await feed.add({ channel: 'news', title: 'Old news' });
  await feed.add(rel('1.1.0'));
  const srv = await startFaultServer(t, (q, r) => void (feed.handle(q, r) || r.writeHead(404).end()));
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url }, [feed.key.publicKey], { clock: new FakeClock(MINI_FEED_NOW_MS) });
  await x.c.checkAll();
  await feed.add({ channel: 'news', title: 'Fresh news' });
  await feed.add(rel('1.2.0'));
  srv.handler = (q, r) => {
    if (q.url?.startsWith('/v1/channels/news/')) return void r.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Sign in to the hotel Wi-Fi</h1>');
    if (!feed.handle(q, r)) r.writeHead(404).end();
  };
  await x.c.checkAll();
  const status = x.c.updateStatus();
  assert.equal(status.state === 'available' && status.offer.release.version, '1.2.0');
  assert.deepEqual(x.inbox(), ['Tidings 1.2.0', 'Tidings 1.1.0', 'Old news']);
  const source = x.c.sources()[0]!;
  assert.match(source.lastError ?? '', /channel news: expected JSON, got "text\/html"/);
  assert.equal(x.c.checkLog(1)[0]!.added, 1, 'Status counts what was stored');
  // The heads answer was not taken as covering news: the next check reads the heads in full and fetches news.
  srv.handler = (q, r) => void (feed.handle(q, r) || r.writeHead(404).end());
  await x.c.checkAll();
  assert.equal(srv.requests.filter((q) => q.url === '/v1/heads').at(-1)!.headers['if-none-match'], undefined);
  assert.deepEqual(x.inbox().slice(0, 2), ['Tidings 1.2.0', 'Fresh news']);
  assert.equal(x.c.sources()[0]!.lastError, null);
});
