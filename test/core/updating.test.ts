// The core's install flow (electron/core/updating.ts) against the real feed service, with a recording install
// setup standing in for the platform (the real AppImage apply and watchdog are tested in apply-*.test.ts,
// watchdog*.test.ts and update-flow.test.ts): what Restart to Update refuses, what it hands over, what a failed
// apply tells the user, and what a rollback outcome does at the next start (docs/rollback.md).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createCompanion, type CompanionEvents, type InstallSetup, type UpdateOutcome } from '../../electron/core/index.ts';
import { startFeed, release, type Feed } from '../server/helpers.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';

const asset = randomBytes(20_000);
const sha = createHash('sha256').update(asset).digest('hex');

interface Recorder extends InstallSetup {
  calls: string[];
  outcome: UpdateOutcome | null;
  failApply: Error | null;
}

function recorder(): Recorder {
  const r: Recorder = {
    calls: [], outcome: null, failApply: null,
    async apply(file, version, sha256) {
      r.calls.push(`apply ${version} ${sha256.slice(0, 8)} ${file.endsWith(`Tidings-${version}.AppImage`)}`);
      if (r.failApply) throw r.failApply;
    },
    async handoff(version, from) { r.calls.push(`handoff ${from}->${version}`); },
    reportHealthy(version) { r.calls.push(`healthy ${version}`); },
    takeOutcome() {
      const o = r.outcome;
      r.outcome = null;
      return o;
    },
  };
  return r;
}

async function setup(t: TestContext) {
  const feed: Feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const files = await startFaultServer(t, (_q, r) => void r.writeHead(200, { 'content-length': asset.length }).end(asset));
  const dataDir = tempDir(t);
  const install = recorder();
  const open = async (installedVersion: string) => {
    const c = await createCompanion({
      dataDir, publisherKeys: [feed.key.publicKey], installedVersion, platform: 'linux-x64', channel: 'stable', install,
      sources: [{ kind: 'feed-v1', id: 'main', url: feed.url, token: feed.readToken }], allowLoopbackHttp: true,
    });
    const notices: string[] = [];
    const installs: CompanionEvents['install'][] = [];
    c.on('notice', (n) => notices.push(n.message));
    c.on('install', (e) => installs.push(e));
    return { c, notices, installs };
  };
  const rel = (version: string, issued?: number) => release('stable', version, {
    ...(issued ? { issued } : {}),
    release: { version, assets: [{ platform: 'linux-x64', url: `${files.url}/dl/Tidings-${version}.AppImage`, sha256: sha, size: asset.length }] },
  });
  return { feed, open, rel, install };
}

test('Restart to Update: refused before a verified download; then applies that file and hands over to the watchdog', async (t) => {
  const { feed, open, rel, install } = await setup(t);
  const { c, installs } = await open('1.0.0');
  t.after(() => c.close());
  await feed.publish(rel('1.1.0'));
  c.start();
  await c.checkAll();
  assert.equal(c.installMode(), 'restart');
  const early = await c.restartToUpdate();
  assert.deepEqual(early, { ok: false, message: 'There is no verified update to install. Download it again.' });
  assert.deepEqual(install.calls, [], 'nothing applied without a verified file');
  assert.equal((await c.download()).state, 'done');
  assert.deepEqual(await c.restartToUpdate(), { ok: true });
  assert.deepEqual(install.calls, [`apply 1.1.0 ${sha.slice(0, 8)} true`, 'handoff 1.0.0->1.1.0']);
  assert.deepEqual(installs.map((e) => e.state), ['installing', 'installed']);
  assert.match(c.checkLog(1)[0]!.detail, /installed 1\.1\.0, restarting/);
  // The file was used: a second Restart has nothing left to install.
  assert.equal((await c.restartToUpdate()).ok, false);
});

test('a failed apply says one plain sentence, keeps the file for a retry, and logs the cause', async (t) => {
  const { feed, open, rel, install } = await setup(t);
  const { c, installs } = await open('1.0.0');
  t.after(() => c.close());
  await feed.publish(rel('1.1.0'));
  c.start();
  await c.checkAll();
  await c.download();
  install.failApply = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const r = await c.restartToUpdate();
  assert.deepEqual(r, { ok: false, message: "The update couldn't be installed. Your current version is unchanged." }, 'no errno jargon reaches the user');
  assert.deepEqual(c.installState(), { state: 'failed', version: '1.1.0', message: r.ok ? '' : r.message });
  assert.match(c.checkLog(1)[0]!.detail, /ENOSPC/, 'the cause is in Status for support');
  install.failApply = new Error('The disk is full. Free some space and try again.');
  assert.deepEqual(await c.restartToUpdate(), { ok: false, message: 'The disk is full. Free some space and try again.' }, "an applier's own sentence is kept");
  install.failApply = null;
  assert.deepEqual(await c.restartToUpdate(), { ok: true }, 'Try Again works with the same verified file');
  assert.deepEqual(installs.map((e) => e.state), ['installing', 'failed', 'installing', 'failed', 'installing', 'installed']);
});

test('Install When I Quit: only with the setting on and a verified file; the app needs no relaunch', async (t) => {
  const { feed, open, rel, install } = await setup(t);
  const { c } = await open('1.0.0');
  t.after(() => c.close());
  await feed.publish(rel('1.1.0'));
  c.start();
  await c.checkAll();
  assert.equal(await c.installAtQuit(true), false, 'nothing downloaded yet');
  await c.download();
  assert.equal(await c.installAtQuit(false), false, 'the user turned it off');
  assert.deepEqual(install.calls, []);
  assert.equal(await c.installAtQuit(true), true);
  assert.deepEqual(install.calls, [`apply 1.1.0 ${sha.slice(0, 8)} true`], 'applied, no watchdog handoff at quit');
});

test('after a rollback: the user is told, the bad version is never offered again (not at a rollout advance either), a recalled and republished one is', async (t) => {
  const { feed, open, rel, install } = await setup(t);
  const issued = Math.floor(Date.now() / 1000) - 60;
  const first = await feed.publish(rel('1.2.0', issued));
  const firstId = ((await first.json()) as { id: string }).id;
  {
    // 1.1.0 ran, saw 1.2.0, installed it (the store knows the record that failed).
    const { c } = await open('1.1.0');
    c.start();
    await c.checkAll();
    assert.equal(c.updateStatus().state, 'available');
    await c.close();
  }
  // The watchdog restored 1.1.0 after 1.2.0 exited on start; 1.1.0 starts and reads the outcome.
  install.outcome = { rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'exited' } };
  {
    const { c, notices } = await open('1.1.0');
    c.start();
    await c.checkAll();
    assert.deepEqual(notices, ["1.2.0 didn't start, so 1.1.0 was restored."]);
    assert.notEqual(c.updateStatus().state, 'available', '1.2.0 is not offered again');
    assert.deepEqual(c.restoredAfterFailure(), { bad: '1.2.0', restored: '1.1.0' });
    assert.ok(c.checkLog(5).some((e) => /1\.2\.0 failed to start \(exited\); 1\.1\.0 was restored/.test(e.detail)));
    await c.close();
  }
  {
    // A restart does not tell the user again, and still does not offer it.
    const { c, notices } = await open('1.1.0');
    c.start();
    await c.checkAll();
    assert.deepEqual(notices, []);
    assert.notEqual(c.updateStatus().state, 'available');
    // The rollout advances (another copy of the same bytes, issued later): still not offered to this install,
    // which would only fail again (the simulation saw one install try a failing release at every advance).
    const advance = await feed.publish(rel('1.2.0', issued + 30));
    assert.equal(advance.status, 201);
    const advanceId = ((await advance.json()) as { id: string }).id;
    await c.checkAll();
    assert.notEqual(c.updateStatus().state, 'available', 'an advance is not a republish');
    // The publisher recalls 1.2.0 (every copy retracted), fixes it and publishes it again: offered again.
    for (const id of [firstId, advanceId]) assert.equal((await feed.publish({ channel: 'stable', kind: 'retraction', retracts: id, title: 'Recalled', body: '' })).status, 201);
    await c.checkAll();
    assert.equal((await feed.publish(rel('1.2.0', issued + 50))).status, 201);
    await c.checkAll();
    const s = c.updateStatus();
    assert.equal(s.state === 'available' && s.offer.release.version, '1.2.0');
    await c.close();
  }
});

test('reportHealthy reaches the install setup with the running version', async (t) => {
  const { open, install } = await setup(t);
  const { c } = await open('1.1.0');
  t.after(() => c.close());
  c.reportHealthy();
  assert.deepEqual(install.calls, ['healthy 1.1.0']);
});
