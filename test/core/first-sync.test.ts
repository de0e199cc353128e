// The first sync starts at the head (ux.md, protocol.md), through the facade against real feeds: a fresh install
// keeps what was published before as history (read, no toast, no unread badge) and only what comes afterwards
// is new. Releases from history still make the update offer, which has its own once-only notification. A
// restart or a later sync changes none of it. Feed v1, its static export and the Cryptolens dialect.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createCompanion, type Companion, type CompanionEvents, type CompanionOptions, type SourceConfig } from '../../electron/core/index.ts';
import { startFeed, news, release, type Feed } from '../server/helpers.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { serveMiniFeed } from './helpers/static-host.ts';
import { tempDir } from './helpers/tmp.ts';

interface Opened {
  c: Companion;
  toasts: string[];
  offers: CompanionEvents['offer'][];
}

/** Opens the real core on `dataDir` (again, for a restart), recording toasts and offers. */
function opener(t: TestContext, base: Omit<CompanionOptions, 'dataDir'>) {
  const dataDir = tempDir(t);
  return async (): Promise<Opened> => {
    const c = await createCompanion({ ...base, dataDir });
    t.after(() => c.close());
    const opened: Opened = { c, toasts: [], offers: [] };
    c.on('messages', (m) => opened.toasts.push(...m.toasts.map((i) => i.title)));
    c.on('offer', (o) => opened.offers.push(o));
    return opened;
  };
}

const coreOptions = (key: string, sources: SourceConfig[], extra: Partial<CompanionOptions> = {}) => ({
  publisherKeys: [key], installedVersion: '2.0.3', platform: 'linux-x64', channel: 'stable' as const, sources,
  allowLoopbackHttp: true, intervalMs: null, ...extra,
});

/** What every dialect must show: the history read and quiet, the offer made once, then one new post is new. */
async function firstSyncScenario(open: () => Promise<Opened>, publishNew: (title: string) => Promise<void>) {
  const first = await open();
  first.c.start();
  await first.c.checkAll();
  const listed = first.c.listMessages({ kind: 'news' });
  assert.deepEqual(listed.map((i) => [i.title, i.read]).sort(), [['Old 1', true], ['Old 2', true], ['Old 3', true]], '3 items listed as read');
  assert.deepEqual(first.c.unreadCounts(), { total: 0, byChannel: {} }, 'no unread badge for history');
  assert.deepEqual(first.toasts, [], 'no toast for history');
  const status = first.c.updateStatus();
  assert.equal(status.state === 'available' && status.offer.release.version, '2.1.0', 'a release from history is still offered');
  assert.deepEqual(first.offers.filter((o) => o.notify).map((o) => o.status.state), ['available'], 'the offer notifies once');

  await publishNew('Fresh');
  await first.c.checkAll();
  assert.deepEqual(first.toasts, ['Fresh'], 'what comes after the first sync toasts');
  assert.deepEqual(first.c.unreadCounts(), { total: 1, byChannel: { news: 1 } });
  await first.c.close();

  // A restart and another sync change none of it: no toast again, history still read, the offer not re-notified.
  const again = await open();
  again.c.start();
  await again.c.checkAll();
  assert.deepEqual(again.toasts, []);
  assert.deepEqual(again.c.unreadCounts(), { total: 1, byChannel: { news: 1 } });
  assert.deepEqual(again.c.listMessages({ kind: 'news' }).filter((i) => i.read).map((i) => i.title).sort(), ['Old 1', 'Old 2', 'Old 3']);
  assert.equal(again.c.updateStatus().state, 'available');
  assert.ok(!again.offers.some((o) => o.notify), 'the offer was notified before the restart');
}

async function realFeed(t: TestContext): Promise<Feed> {
  const feed = await startFeed();
  t.after(() => feed.close());
  return feed;
}

test('feed v1: a fresh install keeps 3 old posts as read history with no toast; the offer still appears; a new post is new', async (t) => {
  const feed = await realFeed(t);
  assert.equal((await feed.publish(release('stable', '2.1.0'))).status, 201);
  for (const i of [1, 2, 3]) assert.equal((await feed.publish(news('news', `Old ${i}`))).status, 201);
  const open = opener(t, coreOptions(feed.key.publicKey, [{ kind: 'feed-v1', id: 'main', url: feed.url, token: feed.readToken }]));
  await firstSyncScenario(open, async (title) => void assert.equal((await feed.publish(news('news', title))).status, 201));
});

test('static feed: a fresh install keeps 3 old posts as read history with no toast; the offer still appears; a new post is new', async (t) => {
  const feed = await miniFeed();
  const served = await serveMiniFeed(t, feed, 'static');
  await feed.add({
    channel: 'stable', kind: 'release', title: 'Tidings 2.1.0', body: '',
    release: { version: '2.1.0', assets: [{ platform: 'linux-x64', url: 'https://dl.example.com/T-2.1.0.AppImage', sha256: 'ab'.repeat(32), size: 5 }] },
  });
  // Dated now: the scripted feed's default dates (2023) are past the default retention.
  const now = () => Math.floor(Date.now() / 1000);
  for (const i of [1, 2, 3]) (await feed.add({ channel: 'news', title: `Old ${i}` })).created = now();
  const open = opener(t, coreOptions(feed.key.publicKey, [{ kind: 'feed-v1', id: 'static', url: served.url }]));
  await firstSyncScenario(open, async (title) => void ((await feed.add({ channel: 'news', title })).created = now()));
});

test('Cryptolens: a fresh install keeps 3 old posts as read history with no toast; the offer still appears; a new post is new', async (t) => {
  const feed = await realFeed(t);
  const installedReleaseTime = Math.floor(Date.now() / 1000) - 3600;
  // The release is a signed v1 record read through the Cryptolens dialect; the news is plain Cryptolens text.
  assert.equal((await feed.publish(release('stable', '2.1.0'))).status, 201);
  const create = async (content: string) => {
    const res = await feed.form('/api/message/CreateMessage', { token: feed.publishToken, Content: content, Channel: 'news' });
    assert.equal(((await res.json()) as { result: number }).result, 0);
  };
  for (const i of [1, 2, 3]) await create(`Old ${i}`);
  const open = opener(t, coreOptions(feed.key.publicKey, [
    { kind: 'cryptolens', id: 'cl', url: feed.url, token: feed.readToken, updateChannel: 'stable', newsChannel: 'news' },
  ], { installedReleaseTime }));
  await firstSyncScenario(open, create);
});

test('Cryptolens: an update note published before the first sync is history too; one published after it toasts', async (t) => {
  const feed = await realFeed(t);
  const T = Math.floor(Date.now() / 1000) - 1000;
  const create = async (content: string, time?: number) => {
    const res = await feed.form('/api/message/CreateMessage', { token: feed.publishToken, Content: content, Channel: 'stable', ...(time ? { Time: time } : {}) });
    assert.equal(((await res.json()) as { result: number }).result, 0);
  };
  await create('Version 2.0 (installed)', T);
  await create('Version 2.1 https://example.com/2.1', T + 10);
  const open = opener(t, coreOptions(feed.key.publicKey, [{ kind: 'cryptolens', id: 'cl', url: feed.url, token: feed.readToken, updateChannel: 'stable' }], { installedReleaseTime: T }));
  const o = await open();
  await o.c.checkAll();
  assert.deepEqual(o.c.listMessages().map((i) => [i.title, i.read]), [['Version 2.1 https://example.com/2.1', true]]);
  assert.deepEqual(o.toasts, []);
  await create('Version 2.2 https://example.com/2.2');
  await o.c.checkAll();
  assert.deepEqual(o.toasts, ['Version 2.2 https://example.com/2.2']);
  assert.deepEqual(o.c.unreadCounts(), { total: 1, byChannel: { stable: 1 } });
});
