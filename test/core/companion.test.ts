// The facade end to end against the real feed service on loopback: events, offer, skip/remind/critical,
// retraction, verified download, config refusal, and recovery from a corrupt database with a full re-sync.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCompanion, ConfigError, type Companion, type CompanionEvents, type CompanionOptions } from '../../electron/core/index.ts';
import { startFeed, release, news, type Feed } from '../server/helpers.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';

const asset = randomBytes(50_000);
const sha = createHash('sha256').update(asset).digest('hex');

async function setup(t: TestContext, extra: Partial<CompanionOptions> = {}) {
  const feed: Feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const files = await startFaultServer(t, (_q, r) => void r.writeHead(200, { 'content-length': asset.length }).end(asset));
  const dataDir = extra.dataDir ?? tempDir(t);
  const open = async () => {
    const c = await createCompanion({
      dataDir, publisherKeys: [feed.key.publicKey], installedVersion: '2.0.0', platform: 'linux-x64', channel: 'stable',
      sources: [{ kind: 'feed-v1', id: 'main', url: feed.url, token: feed.readToken }], allowLoopbackHttp: true, ...extra,
    });
    t.after(() => c.close());
    const seen: { [K in keyof CompanionEvents]?: CompanionEvents[K][] } = {};
    for (const k of ['messages', 'unread', 'offer', 'check', 'download', 'notice'] as const) {
      c.on(k, (p) => ((seen[k] ??= [] as never[]) as unknown[]).push(p));
    }
    return { c, seen };
  };
  const rel = (version: string, more: object = {}) => release('stable', version, {
    release: { version, assets: [{ platform: 'linux-x64', url: `${files.url}/dl/Tidings-${version}.AppImage`, sha256: sha, size: asset.length }] }, ...more,
  });
  return { feed, files, dataDir, open, rel };
}

test('a release and news arrive as typed events; the offer notifies once; the download is verified', async (t) => {
  const { feed, open, rel } = await setup(t);
  const { c, seen } = await open();
  c.start();
  await c.checkAll(); // the first sync (of an empty feed): what is published after it is new
  assert.equal((await feed.publish(rel('2.1.0'))).status, 201);
  assert.equal((await feed.publish(news('news', 'Hello'))).status, 201);
  await c.checkAll();
  const status = c.updateStatus();
  assert.equal(status.state, 'available');
  assert.equal(status.state === 'available' && status.offer.release.version, '2.1.0');
  assert.deepEqual(seen.offer?.map((o) => [o.status.state, o.notify]), [['not-checked', false], ['up-to-date', false], ['available', true]]);
  assert.deepEqual(c.unreadCounts(), { total: 2, byChannel: { news: 1, stable: 1 } });
  assert.ok(seen.check?.some((s) => s.running) && seen.check.some((s) => !s.running && s.lastSuccess));
  await feed.publish(news('news', 'Second'));
  await c.checkAll();
  assert.deepEqual(seen.messages?.at(-1)?.toasts.map((i) => i.title), ['Second']);
  assert.deepEqual(seen.unread?.at(-1), { total: 3, byChannel: { news: 2, stable: 1 } });
  assert.equal(seen.offer?.length, 3, 'an unchanged offer is not re-announced');
  const done = await c.download();
  assert.equal(done.state, 'done');
  assert.deepEqual(readFileSync(done.state === 'done' ? done.path : ''), asset);
  assert.ok(seen.download?.some((d) => d.state === 'progress'));
  c.markRead('all');
  assert.equal(seen.unread?.at(-1)?.total, 0);
});

test('skip, remind later and critical; a retraction withdraws the offer', async (t) => {
  const { feed, open, rel } = await setup(t);
  const { c, seen } = await open();
  await feed.publish(rel('2.1.0'));
  await c.checkAll();
  c.skipVersion('2.1.0');
  assert.equal(c.updateStatus().state, 'up-to-date');
  await feed.publish(rel('2.2.0'));
  await c.checkAll();
  assert.equal(c.updateStatus().state, 'available');
  c.remindLater();
  const later = c.updateStatus();
  assert.ok(later.state === 'available' && !later.offer.notify);
  await feed.publish(rel('2.3.0', { release: { version: '2.3.0', critical: true, assets: (rel('2.3.0').release as { assets: unknown[] }).assets } }));
  await c.checkAll();
  const crit = c.updateStatus();
  assert.ok(crit.state === 'available' && crit.offer.critical && crit.offer.notify);
  c.skipVersion('2.3.0');
  assert.equal(c.updateStatus().state, 'available', 'a critical release cannot be skipped');
  const id = (c.listMessages().find((i) => i.version === '2.3.0')!).id;
  assert.equal((await feed.publish({ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: id })).status, 201);
  await c.checkAll();
  assert.notEqual(c.updateStatus().state, 'available');
  assert.ok(!c.listMessages().some((i) => i.version === '2.3.0'));
  assert.ok(seen.offer && seen.offer.length >= 3);
});

test('an http:// feed is refused when the configuration loads, and so is loopback http outside dev', async (t) => {
  const dataDir = tempDir(t);
  const base = { dataDir, publisherKeys: [], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable' as const };
  await assert.rejects(createCompanion({ ...base, sources: [{ kind: 'feed-v1', id: 'a', url: 'http://feed.example.com' }], allowLoopbackHttp: true }), ConfigError);
  await assert.rejects(createCompanion({ ...base, sources: [{ kind: 'feed-v1', id: 'a', url: 'http://127.0.0.1:9' }] }), ConfigError);
});

test('case 43 end to end: a corrupt database gives a notice and a full re-sync; the second start is clean', async (t) => {
  const { feed, open, dataDir } = await setup(t);
  for (let i = 0; i < 3; i++) await feed.publish(news('news', `n${i}`));
  const first = await open();
  await first.c.checkAll();
  assert.equal(first.c.listMessages().length, 3);
  await first.c.close();
  writeFileSync(join(dataDir, 'tidings.db'), 'garbage'.repeat(1000));
  const second = await open();
  second.c.start();
  assert.match(second.seen.notice?.[0]?.message ?? '', /moved aside/);
  assert.match(second.c.notice() ?? '', /moved aside/);
  await second.c.checkAll();
  assert.equal(second.c.listMessages().length, 3, 'everything downloaded again');
  second.c.dismissNotice();
  await second.c.close();
  const third = await open();
  third.c.start();
  assert.equal(third.seen.notice, undefined);
  assert.equal(third.c.notice(), null);
});

test('failures never throw out of the engine: a dead feed is a recorded failure with backoff', async (t) => {
  const dataDir = tempDir(t);
  const c: Companion = await createCompanion({
    dataDir, publisherKeys: [], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable', allowLoopbackHttp: true,
    sources: [{ kind: 'feed-v1', id: 'dead', url: 'http://127.0.0.1:9' }, { kind: 'cryptolens', id: 'cl', url: 'http://127.0.0.1:9', token: 't', newsChannel: 'news' }],
  });
  t.after(() => c.close());
  c.start();
  await c.checkAll();
  for (const s of c.sources()) {
    assert.match(s.lastError ?? '', /ECONNREFUSED|network/);
    assert.ok(s.nextAt !== null && s.nextAt - Date.now() <= 60_000, 'retried with backoff (base 30 s, first failure ≤ 60 s)');
  }
  assert.equal(c.updateStatus().state, 'not-checked');
});

test('case 27 through the facade: experimental → stable on a newer pre-release: no offer, then an explicit confirmed downgrade', async (t) => {
  const { feed, open, rel } = await setup(t, { installedVersion: '3.0.0-beta.2', channel: 'experimental' });
  await feed.publish(rel('2.9.0'));
  const beta = rel('3.0.0-beta.2');
  await feed.publish({ ...beta, channel: 'experimental' });
  const { c } = await open();
  await c.checkAll();
  assert.equal(c.updateStatus().state, 'up-to-date');
  c.setChannel('stable');
  const s = c.updateStatus();
  assert.equal(s.state, 'ahead-of-channel');
  assert.equal(c.channel(), 'stable');
  assert.equal(c.downgradeTarget()?.version, '2.9.0');
  const wrong = await c.confirmDowngrade('2.8.0');
  assert.equal(wrong.state, 'failed');
  const done = await c.confirmDowngrade('2.9.0');
  assert.equal(done.state, 'done');
});

test('case 23 through the facade: an expired newest release says "can\'t confirm since", not "up to date"', async (t) => {
  const { feed, open, rel } = await setup(t, { installedVersion: '2.1.0' });
  const past = Math.floor(Date.now() / 1000) - 3600;
  assert.equal((await feed.publish(rel('2.1.0', { expires: past }))).status, 201);
  const { c } = await open();
  await c.checkAll();
  assert.deepEqual(c.updateStatus(), { state: 'cant-confirm', since: past, reason: 'expired' });
  // A renewal (same version and assets, issued later, later expiry) restores "up to date".
  assert.equal((await feed.publish(rel('2.1.0', { expires: past + 7200, issued: Math.floor(Date.now() / 1000) + 1 }))).status, 201);
  await c.checkAll();
  assert.equal(c.updateStatus().state, 'up-to-date');
});
