// Holds and recalls on the companion (issue 15 items 3 and 5-6 of the design), through createCompanion against a
// feed on loopback (helpers/rollout-feed.ts): a version whose rollout the publisher halted is not offered, not
// downloaded and not installed (now or at quit; a finished download is kept), and comes back when the hold lifts;
// the SSE `holds` event starts a check within a second; a recall (signed retraction) seen during a download
// cancels it, and one seen after a download means it is never installed.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCompanion, type CompanionEvents, type InstallSetup } from '../../electron/core/index.ts';
import { rolloutFeed, type RolloutFeed } from './helpers/rollout-feed.ts';
import { tempDir } from './helpers/tmp.ts';
import { settleLive, sleep, waitFor } from './helpers/wait.ts';

async function world(t: TestContext, x?: RolloutFeed) {
  const feed = x ?? await rolloutFeed(t);
  const dataDir = tempDir(t);
  const applied: { file: string; version: string; mode: string | undefined }[] = [];
  const install: InstallSetup = {
    async apply(file, version, _sha, mode) {
      applied.push({ file, version, mode });
    },
    async handoff() {},
  };
  const c = await createCompanion({
    dataDir, publisherKeys: [feed.feed.key.publicKey], installedVersion: '1.1.0', platform: 'linux-x64', channel: 'stable', install,
    sources: [{ kind: 'feed-v1', id: 'main', url: feed.srv.url }], allowLoopbackHttp: true, intervalMs: null,
  });
  t.after(() => c.close());
  const offers: CompanionEvents['offer'][] = [];
  const downloads: CompanionEvents['download'][] = [];
  c.on('offer', (o) => offers.push(o));
  c.on('download', (d) => downloads.push(d));
  const offered = () => {
    const s = c.updateStatus();
    return s.state === 'available' ? s.offer.release.version : null;
  };
  const files = () => (existsSync(join(dataDir, 'downloads')) ? readdirSync(join(dataDir, 'downloads')) : []);
  return { x: feed, c, applied, installs: () => applied, offers, downloads, offered, files };
}

test('a held version is not offered or downloaded; a 304 keeps the hold; when it lifts the offer comes back', async (t) => {
  const w = await world(t);
  await w.x.release('stable', '1.2.0');
  w.x.hold('stable', ['1.2.0']);
  w.c.start();
  await w.c.checkAll();
  assert.equal(w.offered(), null, 'held: not offered');
  assert.equal(w.c.updateStatus().state, 'up-to-date');
  assert.ok(w.offers.every((o) => o.status.state !== 'available' && !o.notify), 'no prompt, no notification');
  const refused = await w.c.download();
  assert.equal(refused.state, 'failed');
  assert.equal(w.x.fileRequests(), 0, 'no download started');
  // Nothing changed: a 304, and the hold still stands.
  const heads = w.x.heads();
  await w.c.checkAll();
  assert.equal(w.c.checkLog(1)[0]!.detail, 'not modified');
  assert.equal(w.x.heads(), heads + 1);
  assert.equal(w.offered(), null, 'a 304 keeps the hold');
  // The publisher resumes: the next heads 200 has no holds.
  w.x.hold('stable', []);
  await w.c.checkAll();
  assert.equal(w.offered(), '1.2.0', 'the offer is back');
  assert.ok(w.offers.at(-1)!.notify, 'and prompts as a new offer would');
  const done = await w.c.download();
  assert.equal(done.state, 'done');
});

test('a hold on another version or another channel holds nothing else', async (t) => {
  const w = await world(t);
  await w.x.release('stable', '1.2.0');
  w.x.hold('stable', ['1.3.0']);
  w.x.hold('experimental', ['1.2.0']);
  w.c.start();
  await w.c.checkAll();
  assert.equal(w.offered(), '1.2.0');
});

test('the SSE holds event starts a check within a second: the offer goes, and comes back on the resume', async (t) => {
  const w = await world(t);
  await w.x.release('stable', '1.2.0');
  w.c.start();
  await settleLive(w.c, () => w.x.streams.size, 2);
  assert.equal(w.offered(), '1.2.0');
  w.x.hold('stable', ['1.2.0']);
  let at = Date.now();
  w.x.holdsEvent('stable');
  await waitFor('the offer withdrawn', () => w.offered() === null, 1000);
  t.diagnostic(`hold seen ${Date.now() - at} ms after the event`);
  w.x.hold('stable', []);
  at = Date.now();
  w.x.holdsEvent('stable');
  await waitFor('the offer back', () => w.offered() === '1.2.0', 1000);
  t.diagnostic(`resume seen ${Date.now() - at} ms after the event`);
});

test('a finished download of a version that is then held is not installed, now or at quit, and is kept; after the resume it installs without a new download', async (t) => {
  const w = await world(t);
  await w.x.release('stable', '1.2.0');
  w.c.start();
  await w.c.checkAll();
  const done = await w.c.download();
  assert.equal(done.state, 'done');
  w.x.hold('stable', ['1.2.0']);
  await w.c.checkAll();
  assert.equal(w.offered(), null);
  const now = await w.c.restartToUpdate();
  assert.deepEqual(now, { ok: false, message: 'The publisher paused the rollout of 1.2.0; it will be offered again when they resume it.' });
  assert.equal(await w.c.installAtQuit(true), false, 'not installed at quit');
  assert.deepEqual(w.applied, []);
  assert.ok(w.c.checkLog(5).some((e) => !e.ok && /^not installing 1\.2\.0 at quit: The publisher paused/.test(e.detail)));
  assert.ok(done.state === 'done' && existsSync(done.path), 'the download is kept');
  w.x.hold('stable', []);
  await w.c.checkAll();
  assert.equal(w.offered(), '1.2.0');
  assert.equal(await w.c.installAtQuit(true), true);
  assert.deepEqual(w.installs().map((a) => [a.version, a.mode]), [['1.2.0', 'quit']]);
  assert.equal(w.x.fileRequests(), 1, 'no second download');
});

test('a recall seen during a download cancels it: no file is kept, the offer is withdrawn, nothing is installed', async (t) => {
  const w = await world(t);
  const rec = await w.x.release('stable', '1.2.0', 256 * 1024);
  w.c.start();
  await w.c.checkAll();
  const stall = w.x.stallFiles(64 * 1024);
  const downloading = w.c.download();
  await stall.reached;
  await waitFor('progress', () => w.downloads.some((d) => d.state === 'progress'));
  await w.x.retract('stable', rec.id as string);
  await w.c.checkAll();
  const result = await downloading;
  stall.release();
  assert.equal(result.state, 'cancelled');
  assert.equal(w.offered(), null, 'the offer is withdrawn');
  assert.deepEqual(w.files(), [], 'no file, no part');
  assert.equal((await w.c.restartToUpdate()).ok, false);
  assert.equal(await w.c.installAtQuit(true), false);
  assert.deepEqual(w.applied, []);
  assert.ok(w.c.checkLog(10).some((e) => !e.ok && e.detail === "download of 1.2.0 cancelled: The publisher withdrew 1.2.0, so it won't be installed."));
  assert.equal((await w.c.download()).state, 'failed', 'and it cannot be downloaded again');
});

test('a recall seen after a download: the file is never installed, neither now nor at quit', async (t) => {
  const w = await world(t);
  const rec = await w.x.release('stable', '1.2.0');
  w.c.start();
  await w.c.checkAll();
  assert.equal((await w.c.download()).state, 'done');
  await w.x.retract('stable', rec.id as string);
  await w.c.checkAll();
  assert.equal(w.offered(), null);
  assert.deepEqual(await w.c.restartToUpdate(), { ok: false, message: "The publisher withdrew 1.2.0, so it won't be installed." });
  assert.equal(await w.c.installAtQuit(true), false);
  assert.deepEqual(w.applied, []);
});

test('a recall pushed on the live stream reaches a download in flight within a second', async (t) => {
  const w = await world(t);
  const rec = await w.x.release('stable', '1.2.0', 256 * 1024);
  w.c.start();
  await settleLive(w.c, () => w.x.streams.size, 2);
  const stall = w.x.stallFiles(64 * 1024);
  const downloading = w.c.download();
  await stall.reached;
  const retraction = await w.x.feed.add({ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: rec.id as string } as never);
  const at = Date.now();
  w.x.streams.get('stable')!.write(`id: ${retraction.seq as number}\nevent: message\ndata: ${JSON.stringify(retraction)}\n\n`);
  const result = await Promise.race([downloading, new Promise<null>((r) => setTimeout(() => r(null), 1000))]);
  stall.release();
  assert.equal(result?.state, 'cancelled', 'cancelled within a second of the event');
  t.diagnostic(`download cancelled ${Date.now() - at} ms after the recall event`);
  assert.deepEqual(w.applied, []);
});

test('with the feed\'s max-age at 60 s, a halt and a recall still reach the client within seconds (urgent), a news event waits', async (t) => {
  const x = await rolloutFeed(t, { maxAge: 60 });
  const w = await world(t, x);
  const rec = await w.x.release('stable', '1.2.0');
  w.c.start();
  await settleLive(w.c, () => w.x.streams.size, 2);
  assert.equal(w.offered(), '1.2.0');
  // Past the urgent floor (5 s after the last check), well inside max-age.
  await sleep(5_200);
  w.x.hold('stable', ['1.2.0']);
  let at = Date.now();
  w.x.holdsEvent('stable');
  await waitFor('the offer withdrawn', () => w.offered() === null, 4_000);
  t.diagnostic(`hold seen ${Date.now() - at} ms after the event (max-age 60 s)`);
  await sleep(5_200);
  w.x.hold('stable', []);
  w.x.holdsEvent('stable');
  await waitFor('the offer back', () => w.offered() === '1.2.0', 4_000);
  await sleep(5_200);
  // A recall as the stream carries it: a signed retraction in a message event.
  const retraction = await w.x.feed.add({ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: rec.id as string } as never);
  at = Date.now();
  w.x.streams.get('stable')!.write(`id: ${retraction.seq as number}\nevent: message\ndata: ${JSON.stringify(retraction)}\n\n`);
  await waitFor('the recalled offer withdrawn', () => w.offered() === null, 4_000);
  t.diagnostic(`recall seen ${Date.now() - at} ms after the event (max-age 60 s)`);
  // An ordinary message is not urgent: no check inside max-age.
  await sleep(5_200);
  const heads = w.x.heads();
  const again = await w.x.release('stable', '1.3.0');
  w.x.streams.get('stable')!.write(`id: ${again.seq as number}\nevent: message\ndata: ${JSON.stringify(again)}\n\n`);
  await sleep(3_000);
  assert.equal(w.x.heads(), heads, 'no check for an ordinary release inside max-age');
  assert.equal(w.offered(), null);
});

test('a holds event stops a download in flight at once, before any check (max-age 60 s, a check just ran)', async (t) => {
  const x = await rolloutFeed(t, { maxAge: 60 });
  const w = await world(t, x);
  await w.x.release('stable', '1.2.0', 256 * 1024);
  w.c.start();
  await settleLive(w.c, () => w.x.streams.size, 2);
  const stall = w.x.stallFiles(64 * 1024);
  const downloading = w.c.download();
  await stall.reached;
  const heads = w.x.heads();
  w.x.hold('stable', ['1.2.0']);
  const at = Date.now();
  w.x.holdsEvent('stable');
  const result = await Promise.race([downloading, new Promise<null>((r) => setTimeout(() => r(null), 300))]);
  stall.release();
  assert.equal(result?.state, 'cancelled', 'cancelled within 300 ms of the event');
  assert.equal(w.x.heads(), heads, 'by the event itself: no check had run yet');
  assert.equal(w.offered(), null);
  t.diagnostic(`download stopped ${Date.now() - at} ms after the holds event`);
  assert.deepEqual(w.applied, []);
});
