// The update policy and store rules through the facade, against a scripted feed whose records a test can
// replay, restore or substitute: rollback (case 22), a feed that answers 304 forever past the record's expiry
// (case 23), a failed verification reported as a typed event (case 26), retention after a check (never an
// unread critical release), a data file from a newer Tidings refused by createCompanion, and the interval bounds.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCompanion, StoreTooNewError, type CompanionEvents, type CompanionOptions } from '../../electron/core/index.ts';
import { latestVersion } from '../../electron/core/store/migrations/index.ts';
import { Store } from '../../electron/core/store/store.ts';
import { bucketOf } from '../../electron/core/policy/update.ts';
import type { Target } from '../../shared/protocol/schemas.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { tempDir } from './helpers/tmp.ts';

const asset = randomBytes(20_000);
const sha = createHash('sha256').update(asset).digest('hex');

/** An install id whose rollout bucket satisfies `ok` (buckets come from a hash of the id). */
function installIdWith(ok: (bucket: number) => boolean): string {
  for (let i = 0; ; i++) if (ok(bucketOf(`install-${i}`))) return `install-${i}`;
}

async function rig(t: TestContext, extra: Partial<CompanionOptions> = {}, seed: { installId?: string } = {}) {
  const feed = await miniFeed();
  const srv = await startFaultServer(t, (q, r) => {
    if (q.url?.startsWith('/dl/')) return void r.writeHead(200, { 'content-length': asset.length }).end(asset);
    if (!feed.handle(q, r)) r.writeHead(404).end();
  });
  const dataDir = tempDir(t);
  if (seed.installId !== undefined) {
    // The install id (and so the rollout bucket) is made on first open; set it before the companion opens the file.
    const pre = new Store({ file: join(dataDir, 'tidings.db') });
    pre.setMeta('install_id', seed.installId);
    pre.close();
  }
  const c = await createCompanion({
    dataDir, publisherKeys: [feed.key.publicKey], installedVersion: '2.2.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'm', url: srv.url }], allowLoopbackHttp: true, intervalMs: null, ...extra,
  });
  t.after(() => c.close());
  const seen = { download: [] as CompanionEvents['download'][], offer: [] as CompanionEvents['offer'][] };
  c.on('download', (e) => seen.download.push(e));
  c.on('offer', (e) => seen.offer.push(e));
  const rel = (version: string, more: { sha256?: string; expires?: number; critical?: boolean; target?: Target } = {}) => feed.add({
    channel: 'stable', kind: 'release', title: `Tidings ${version}`, body: '', ...(more.expires ? { expires: more.expires } : {}),
    ...(more.target ? { target: more.target } : {}),
    release: { version, critical: more.critical ?? false, assets: [{ platform: 'linux-x64', url: `${srv.url}/dl/T-${version}.AppImage`, sha256: more.sha256 ?? sha, size: asset.length }] },
  });
  const offered = () => {
    const s = c.updateStatus();
    return s.state === 'available' ? `${s.offer.release.version} ${s.offer.asset.sha256.slice(0, 4)}` : s.state;
  };
  const log = () => c.checkLog(100).map((e) => e.detail).join('\n');
  return { feed, srv, c, dataDir, seen, rel, offered, log };
}

test('case 22 through the facade: a restored feed, a substituted 2.4.0 and lower releases never lower or swap the offer', async (t) => {
  const x = await rig(t);
  await x.rel('2.3.0');
  const good = await x.rel('2.4.0');
  await x.c.checkAll();
  assert.equal(x.offered(), `2.4.0 ${sha.slice(0, 4)}`);
  // The same version with another hash (a substituted file, validly signed): dropped, not stored, logged.
  await x.rel('2.4.0', { sha256: 'cd'.repeat(32) });
  await x.c.checkAll();
  assert.equal(x.offered(), `2.4.0 ${sha.slice(0, 4)}`);
  assert.equal(x.c.listMessages().filter((i) => i.version === '2.4.0').length, 1);
  assert.match(x.log(), /stable 2\.4\.0 already known with different assets/);
  // The server now says latest is 2.3.0 (restored from an old backup): the known latest stays 2.4.0.
  x.feed.records.splice(1);
  x.feed.epoch = 'restored';
  assert.equal((await x.c.checkAll(), x.offered()), `2.4.0 ${sha.slice(0, 4)}`);
  // 2.4.0 is withdrawn and a lower 2.3.5 appears: the offer goes, 2.3.5 is never offered, a rollback is logged.
  await x.feed.add({ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: good.id as string }, { unsigned: true });
  await x.rel('2.3.5');
  await x.c.checkAll();
  assert.equal(x.offered(), 'up-to-date');
  assert.match(x.log(), /rollback ignored: stable 2\.3\.5 is below the known 2\.4\.0/);
  // Users move on with the next release above the floor.
  await x.rel('2.4.1');
  await x.c.checkAll();
  assert.equal(x.offered(), `2.4.1 ${sha.slice(0, 4)}`);
  assert.ok(!x.seen.offer.some((o) => o.status.state === 'available' && /^2\.3/.test(o.status.offer.release.version)), 'no 2.3.x offer was ever announced');
});

test('case 22 with a staged rollout through the facade: 2.2.0 at 10 % does not hide 2.1.0 from the other 90 %', async (t) => {
  const outside = await rig(t, { installedVersion: '2.0.0' }, { installId: installIdWith((b) => b >= 10 && b < 50) });
  const inside = await rig(t, { installedVersion: '2.0.0' }, { installId: installIdWith((b) => b < 10) });
  for (const x of [outside, inside]) {
    await x.rel('2.1.0');
    await x.rel('2.2.0', { target: { rollout: 10 } });
    await x.rel('2.3.0', { target: { maxVersion: '1.9.0' } }); // for older installs only: no floor here
    await x.c.checkAll();
  }
  assert.equal(outside.offered(), `2.1.0 ${sha.slice(0, 4)}`);
  assert.equal(inside.offered(), `2.2.0 ${sha.slice(0, 4)}`);
  // The feed is restored from an old backup that only had 2.0.5: nothing lower appears for either, nothing is lost.
  for (const x of [outside, inside]) {
    x.feed.records.splice(0);
    x.feed.epoch = 'restored';
    await x.rel('2.0.5');
    await x.c.checkAll();
  }
  assert.equal(outside.offered(), `2.1.0 ${sha.slice(0, 4)}`);
  assert.equal(inside.offered(), `2.2.0 ${sha.slice(0, 4)}`);
  assert.match(outside.log(), /rollback ignored: stable 2\.0\.5 is below the known 2\.1\.0/);
  assert.match(inside.log(), /rollback ignored: stable 2\.0\.5 is below the known 2\.2\.0/);
  assert.doesNotMatch(outside.log(), /below the known 2\.[23]\.0/, 'releases this install cannot take are not its floor');
  // The rollout is raised to 50 %: the outside install's bucket is in now, and 2.2.0 becomes its floor for good.
  const raised = await outside.rel('2.2.0', { target: { rollout: 50 } });
  await outside.c.checkAll();
  assert.equal(outside.offered(), `2.2.0 ${sha.slice(0, 4)}`);
  await outside.feed.add({ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: raised.id as string }, { unsigned: true });
  await outside.rel('2.1.0');
  await outside.c.checkAll();
  assert.equal(outside.offered(), 'up-to-date', 'the retracted 50 % copy still guards: 2.1.0 does not come back');
});

test('case 23: a feed answering 304 forever past the record\'s expiry says "can\'t confirm since <expiry>"; the expired record still guards rollback', async (t) => {
  const clock = new FakeClock(Date.now());
  const x = await rig(t, { clock, installedVersion: '2.2.0' });
  const expires = Math.floor(clock.now() / 1000) + 3600;
  await x.rel('2.4.0', { expires });
  await x.c.checkAll();
  assert.equal(x.offered(), `2.4.0 ${sha.slice(0, 4)}`);
  clock.t += 2 * 3_600_000; // two hours later; the feed has nothing new
  await x.c.checkAll();
  assert.equal(x.c.checkLog(1)[0]?.detail, 'not modified', 'the check was a 304');
  assert.deepEqual(x.c.updateStatus(), { state: 'cant-confirm', since: expires, reason: 'expired' });
  assert.equal(x.seen.offer.at(-1)?.status.state, 'cant-confirm', 'the change reached the shell as an event');
  // A replayed lower release that has not expired is still not offered: the expired 2.4.0 is the floor.
  await x.rel('2.3.0');
  await x.c.checkAll();
  assert.equal(x.c.updateStatus().state, 'cant-confirm');
});

test('case 23 with a staged rollout through the facade: only the expiry of a release meant for this install freezes it', async (t) => {
  const clock = new FakeClock(Date.now());
  const outside = await rig(t, { clock, installedVersion: '2.1.0' }, { installId: installIdWith((b) => b >= 10) });
  const inside = await rig(t, { clock, installedVersion: '2.1.0' }, { installId: installIdWith((b) => b < 10) });
  const expires = Math.floor(clock.now() / 1000) + 3600;
  for (const x of [outside, inside]) {
    await x.rel('2.1.0');
    await x.rel('2.2.0', { target: { rollout: 10 }, expires });
    await x.c.checkAll();
  }
  assert.equal(outside.offered(), 'up-to-date');
  assert.equal(inside.offered(), `2.2.0 ${sha.slice(0, 4)}`);
  clock.t += 2 * 3_600_000; // 2.2.0's record expired; the feed has nothing new
  for (const x of [outside, inside]) await x.c.checkAll();
  assert.equal(outside.c.updateStatus().state, 'up-to-date', '2.2.0 was never for this install');
  assert.deepEqual(inside.c.updateStatus(), { state: 'cant-confirm', since: expires, reason: 'expired' });
});

test('case 27 with a staged rollout through the facade: "latest stable" and the downgrade target are releases this install could take', async (t) => {
  const outside = await rig(t, { installedVersion: '3.0.0-beta.2' }, { installId: installIdWith((b) => b >= 10) });
  const inside = await rig(t, { installedVersion: '3.0.0-beta.2' }, { installId: installIdWith((b) => b < 10) });
  for (const x of [outside, inside]) {
    await x.rel('2.9.0');
    await x.rel('2.9.5', { target: { rollout: 10 } });
    await x.rel('3.1.0', { target: { rollout: 10 } });
    await x.rel('3.2.0', { target: { platforms: ['win32-x64'] } });
    await x.c.checkAll();
  }
  // Outside the 10 %: neither 3.1.0 nor the win32 3.2.0 makes it "up to date", and 2.9.5 is not the downgrade.
  assert.equal(outside.c.updateStatus().state, 'ahead-of-channel');
  assert.equal(outside.c.downgradeTarget()?.version, '2.9.0');
  assert.equal((await outside.c.confirmDowngrade('2.9.5')).state, 'failed');
  assert.equal(inside.offered(), `3.1.0 ${sha.slice(0, 4)}`);
  assert.equal(inside.c.downgradeTarget()?.version, '2.9.5');
});

test('case 26 through the facade: a hash mismatch is a failed download event; no file is left and nothing is offered to install', async (t) => {
  const x = await rig(t);
  await x.rel('2.5.0', { sha256: 'ef'.repeat(32) });
  await x.c.checkAll();
  const r = await x.c.download();
  assert.equal(r.state, 'failed');
  assert.equal(r.state === 'failed' && r.kind, 'hash-mismatch');
  assert.deepEqual(x.seen.download.at(-1), r, 'the user is told through the download event');
  assert.ok(x.seen.download.some((e) => e.state === 'progress'));
  assert.ok(!x.seen.download.some((e) => e.state === 'done'));
  assert.deepEqual(readdirSync(join(x.dataDir, 'downloads')), []);
  assert.match(x.log(), /download of 2\.5\.0 failed/);
});

test('retention after a check prunes old and surplus news, never an unread critical release', async (t) => {
  const x = await rig(t, { retention: { maxAgeDays: 30, maxCount: 2 } });
  const now = Math.floor(Date.now() / 1000);
  await x.c.checkAll(); // the first sync (of an empty feed): what follows is new, not history
  await x.rel('3.0.0', { critical: true }); // created in 2023 by the scripted feed: far older than 30 days
  (await x.feed.add({ channel: 'news', title: 'ancient' })).created = now - 90 * 86400;
  for (const i of [1, 2, 3]) (await x.feed.add({ channel: 'news', title: `recent ${i}` })).created = now - 100 + i;
  await x.c.checkAll();
  assert.deepEqual(x.c.listMessages().map((i) => i.title), ['recent 3', 'recent 2', 'Tidings 3.0.0']);
  assert.equal(x.c.unreadCounts().byChannel.stable, 1);
  const s = x.c.updateStatus();
  assert.ok(s.state === 'available' && s.offer.critical);
});

test('createCompanion refuses a data file from a newer Tidings and leaves it byte for byte', async (t) => {
  const dataDir = tempDir(t);
  const file = join(dataDir, 'tidings.db');
  const raw = new Database(file);
  raw.pragma(`user_version = ${latestVersion + 1}`);
  raw.exec('CREATE TABLE future (x)');
  raw.close();
  const before = readFileSync(file);
  await assert.rejects(createCompanion({
    dataDir, publisherKeys: [], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable', sources: [],
  }), (e: unknown) => e instanceof StoreTooNewError && /newer version of Tidings/.test(e.message));
  assert.deepEqual(readFileSync(file), before);
  assert.ok(!readdirSync(dataDir).some((n) => n.includes('corrupt')), 'not mistaken for corruption');
  assert.ok(!existsSync(`${file}-wal`));
});

test('the background interval is clamped to 15 minutes … a week; null stays manual only', async (t) => {
  const clock = new FakeClock(Date.now());
  const x = await rig(t, { clock, intervalMs: 1000 });
  x.c.start();
  await x.c.checkAll();
  const gap = () => (x.c.sources()[0]!.nextAt ?? Infinity) - clock.now();
  assert.ok(gap() >= 0.9 * 15 * 60_000 && gap() <= 1.1 * 15 * 60_000, `next check in ${gap()} ms`);
  x.c.setInterval(7 * 86_400_000);
  assert.ok(gap() >= 0.9 * 7 * 86_400_000, `Settings' "every week" is honoured: next check in ${gap()} ms`);
  x.c.setInterval(30 * 86_400_000);
  assert.ok(gap() <= 1.1 * 7 * 86_400_000, `next check in ${gap()} ms`);
  x.c.setInterval(null);
  assert.equal(x.c.sources()[0]!.nextAt, null);
});
