// What the user chose is stored and survives a restart of the core on the same data directory (issue 12):
// skips (undoable, re-offered by Check Now), reminders (cancellable, and firing by themselves when due),
// dismissals (undoable), the sources followed (added, edited, removed, tested), retention and the network.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createCompanion, type Companion, type CompanionEvents, type CompanionOptions } from '../../electron/core/index.ts';
import { startFeed, release, news, type Feed } from '../server/helpers.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { FakeClock, flush } from './helpers/fake-clock.ts';
import { tempDir } from './helpers/tmp.ts';

const asset = randomBytes(10_000);
const sha = createHash('sha256').update(asset).digest('hex');

async function world(t: TestContext, extra: Partial<CompanionOptions> = {}) {
  const feed: Feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const files = await startFaultServer(t, (_q, r) => void r.writeHead(200, { 'content-length': asset.length }).end(asset));
  const dataDir = tempDir(t);
  let current: Companion | null = null;
  const open = async (more: Partial<CompanionOptions> = {}) => {
    await current?.close();
    const c = await createCompanion({
      dataDir, publisherKeys: [feed.key.publicKey], installedVersion: '2.0.0', platform: 'linux-x64', channel: 'stable',
      sources: [{ kind: 'feed-v1', id: 'main', name: 'Acme', url: feed.url, token: feed.readToken }], allowLoopbackHttp: true, ...extra, ...more,
    });
    current = c;
    t.after(() => c.close());
    const seen: { [K in keyof CompanionEvents]?: CompanionEvents[K][] } = {};
    for (const k of ['offer', 'network', 'unread'] as const) c.on(k, (p) => ((seen[k] ??= [] as never[]) as unknown[]).push(p));
    c.start();
    await c.checkAll();
    return { c, seen };
  };
  const rel = (version: string, more: object = {}) => release('stable', version, {
    release: { version, assets: [{ platform: 'linux-x64', url: `${files.url}/dl/Tidings-${version}.AppImage`, sha256: sha, size: asset.length }] }, ...more,
  });
  return { feed, open, rel };
}

const offered = (c: Companion) => { const s = c.updateStatus(); return s.state === 'available' ? s.offer.release.version : s.state; };

test('a skip is stored: it survives a restart, Undo brings the offer back, and a manual Check Now shows it again', async (t) => {
  const { feed, open, rel } = await world(t);
  await feed.publish(rel('2.1.0'));
  let { c } = await open();
  assert.equal(offered(c), '2.1.0');
  c.skipVersion('2.1.0');
  assert.equal(offered(c), 'up-to-date');
  assert.equal(c.skippedNewest(), '2.1.0', 'the UI can say "you skipped 2.1.0", never "up to date"');
  ({ c } = await open());
  assert.deepEqual(c.skippedVersions(), ['2.1.0']);
  assert.equal(offered(c), 'up-to-date');
  assert.equal(c.unskipVersion('2.1.0'), true);
  assert.equal(offered(c), '2.1.0');
  assert.equal(c.unskipVersion('2.1.0'), false, 'nothing to undo twice');

  c.skipVersion('2.1.0');
  assert.ok(c.checkNow().some((r) => r.accepted));
  assert.equal(offered(c), '2.1.0', 'a manual check re-offers the skipped version, as Sparkle does');
  c.skipVersion('2.1.0');
  assert.equal(offered(c), 'up-to-date', 'skipping it again holds');
});

test('a reminder is stored, can be cancelled, and fires by itself when due: one more notification, once', async (t) => {
  const clock = new FakeClock(Date.now());
  const { feed, open, rel } = await world(t, { clock });
  await feed.publish(rel('2.1.0'));
  let { c, seen } = await open();
  assert.equal(seen.offer?.filter((o) => o.notify).length, 1);
  c.remindLater(86_400_000);
  const until = c.remindUntil();
  assert.ok(until !== null && until * 1000 > clock.now());
  ({ c, seen } = await open());
  assert.equal(c.remindUntil(), until, 'the reminder survives a restart');
  c.clearRemind();
  assert.equal(c.remindUntil(), null);
  c.remindLater(3_600_000);
  await clock.advance(3_500_000);
  assert.equal(seen.offer?.filter((o) => o.notify).length ?? 0, 0, 'quiet while snoozed');
  await clock.advance(200_000);
  const fired = seen.offer?.filter((o) => o.notify) ?? [];
  assert.equal(fired.length, 1, 'the reminder came due and notified');
  assert.match(fired[0]!.notifyKey ?? '', /^2\.1\.0@remind-\d+$/);
  assert.equal(c.remindUntil(), null);
  await clock.advance(86_400_000);
  ({ c, seen } = await open());
  assert.equal(seen.offer?.filter((o) => o.notify).length ?? 0, 0, 'told once: not again after a restart');
});

test('dismissals are undoable and listed, across a restart', async (t) => {
  const { feed, open } = await world(t);
  let { c } = await open();
  await feed.publish(news('news', 'First'));
  await feed.publish(news('news', 'Second'));
  await c.checkAll();
  const [second, first] = c.listMessages();
  assert.equal(c.unreadCounts().total, 2);
  c.dismiss([second!.key]);
  assert.deepEqual(c.listMessages().map((i) => i.title), ['First']);
  assert.equal(c.unreadCounts().total, 1);
  ({ c } = await open());
  assert.deepEqual(c.dismissed().map((d) => d.title), ['Second']);
  c.restore([second!.key]);
  assert.deepEqual(c.listMessages().map((i) => i.title), ['Second', 'First']);
  assert.equal(c.unreadCounts().total, 2, 'a restored unread post counts again');
  assert.deepEqual(c.dismissed(), []);
  void first;
});

test('sources: one added at runtime is followed at once and kept; edited keeps its data; removed forgets its posts', async (t) => {
  const { feed, open } = await world(t);
  // Another feed service of the same publisher (same signing key).
  const other = await startFeed({ allowLoopbackHttp: true, publisherKeys: [feed.key.publicKey] });
  t.after(() => other.close());
  await other.publish(news('news', 'From the other feed'), { key: feed.key });
  let { c } = await open();
  await c.saveSource({ kind: 'feed-v1', id: 'other', name: 'Other', url: `${other.url}/v1`, token: other.readToken });
  await c.checkAll();
  assert.deepEqual(c.sourceConfigs().map((s) => [s.id, s.name]), [['main', 'Acme'], ['other', 'Other']]);
  assert.ok(c.listMessages().some((i) => i.sourceId === 'other'), 'the new feed was checked (its history kept as read)');
  ({ c } = await open());
  assert.deepEqual(c.sourceConfigs().map((s) => s.id), ['main', 'other'], 'kept across a restart');
  assert.equal(c.sourceConfigs().find((s) => s.id === 'other')?.token, other.readToken, 'its token too');
  await c.saveSource({ kind: 'feed-v1', id: 'other', name: 'Renamed', url: `${other.url}/v1`, token: other.readToken });
  assert.ok(c.listMessages().some((i) => i.sourceId === 'other'), 'a rename keeps what came from it');
  await c.removeSource('other');
  assert.ok(!c.listMessages().some((i) => i.sourceId === 'other'));
  ({ c } = await open());
  assert.deepEqual(c.sourceConfigs().map((s) => s.id), ['main'], 'a removed source stays removed');
  await c.removeSource('main');
  ({ c } = await open());
  assert.deepEqual(c.sourceConfigs(), [], 'even a built-in one');
});

test('Test Connection reaches a source for real and says which part is wrong, storing nothing', async (t) => {
  const { feed, open, rel } = await world(t);
  await feed.publish(rel('2.1.0'));
  await feed.publish(news('news', 'Hello'));
  const { c } = await open();
  const before = c.listMessages().length;
  const good = await c.probeSource({ kind: 'feed-v1', id: 'x', url: feed.url, token: feed.readToken });
  assert.deepEqual(good, { ok: true, channels: 2, latestStable: '2.1.0', latestExperimental: null, posts: 2 });
  const token = await c.probeSource({ kind: 'feed-v1', id: 'x', url: feed.url, token: 'wrong' });
  assert.equal(token.ok === false && token.field, 'token');
  const dead = await c.probeSource({ kind: 'feed-v1', id: 'x', url: 'http://127.0.0.1:9', token: feed.readToken });
  assert.equal(dead.ok === false && dead.field, 'url');
  const stranger = await startFeed({ allowLoopbackHttp: true }); // signs with a key of its own
  t.after(() => stranger.close());
  await stranger.publish(release('stable', '9.0.0', { release: { version: '9.0.0', assets: [{ platform: 'linux-x64', url: 'https://example.com/a', sha256: sha, size: 1 }] } }));
  const key = await c.probeSource({ kind: 'feed-v1', id: 'x', url: stranger.url, token: stranger.readToken });
  assert.equal(key.ok === false && key.field, 'key', JSON.stringify(key));
  assert.equal(c.listMessages().length, before, 'probing stored nothing');
});

test('retention is applied at once and kept; news older than it goes, releases stay', async (t) => {
  const clock = new FakeClock(Date.now());
  const { feed, open, rel } = await world(t, { clock });
  await feed.publish(rel('2.1.0'));
  await feed.publish(news('news', 'Old news'));
  let { c } = await open();
  assert.equal(c.countMessages({ kind: 'news' }), 1);
  clock.t += 40 * 86_400_000;
  c.setRetention(90);
  assert.equal(c.countMessages({ kind: 'news' }), 1, '40 days < 90');
  c.setRetention(30);
  assert.equal(c.countMessages({ kind: 'news' }), 0, '40 days > 30: pruned now, not at the next change');
  assert.equal(c.countMessages({ kind: 'release' }), 1);
  ({ c } = await open());
  // The server dates posts by the real clock, 40 days behind this test's: kept 30-day retention prunes it at once.
  await feed.publish(news('news', 'Published 40 days ago by this clock'));
  await c.checkAll();
  assert.equal(c.countMessages({ kind: 'news' }), 0, 'the 30-day setting was kept across the restart');
  c.setRetention(null);
  await feed.publish(news('news', 'Kept forever'));
  await c.checkAll();
  assert.equal(c.countMessages({ kind: 'news' }), 1);
});

test('offline: the shell\'s signal and a DNS failure both report it; back online re-checks by itself', async (t) => {
  const clock = new FakeClock(Date.now());
  const { open } = await world(t, { clock, random: () => 0 });
  const { c, seen } = await open();
  assert.equal(c.online(), true);
  c.setOnline(false);
  assert.equal(c.online(), false);
  assert.deepEqual(seen.network, [{ online: false }]);
  const checksBefore = c.checkLog(50).length;
  c.setOnline(true);
  assert.deepEqual(seen.network, [{ online: false }, { online: true }]);
  await clock.advance(61_000);
  await c.checkAll();
  await flush();
  assert.ok(c.checkLog(50).length > checksBefore, 'a check ran after the network came back');

  const dns = await world(t, { clock });
  const d = await dns.open({ sources: [{ kind: 'feed-v1', id: 'nowhere', url: 'https://tidings-no-such-host.invalid' }] });
  assert.equal(d.c.online(), false, 'no source could even be resolved');
});

test('every change to the skips or the reminder is told once, even when the offer stays the same (other windows list them)', async (t) => {
  const { feed, open, rel } = await world(t);
  await feed.publish(rel('2.1.0'));
  const { c, seen } = await open();
  c.skipVersion('1.9.0'); // not the offer: the offer is unchanged, the Settings list is not
  const before = seen.offer?.length ?? 0;
  assert.equal(c.unskipVersion('1.9.0'), true);
  assert.equal(seen.offer?.length, before + 1);
  c.remindLater(60_000);
  c.clearRemind();
  assert.equal(seen.offer?.length, before + 3);
  assert.equal(c.unskipVersion('1.9.0'), false);
  assert.equal(seen.offer?.length, before + 3, 'nothing changed: nothing told');
});
