// tidings/updater against a real companion and a real feed service on loopback: electron-updater's events in
// its order and payload shapes, and the places Tidings is deliberately stricter (channels, downgrades).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createCompanion, type Companion, type InstallSetup } from '../../electron/core/index.ts';
import { TidingsUpdater, CancellationToken, type UpdateInfo } from '../../electron/lib/updater.ts';
import { startUpdateWorld, fakeApp, until, type UpdateWorld } from './helpers.ts';
import { tempDir } from '../core/helpers/tmp.ts';

async function companionFor(t: TestContext, w: UpdateWorld, o: { version?: string; channel?: 'stable' | 'experimental'; install?: InstallSetup; url?: string } = {}): Promise<Companion> {
  const c = await createCompanion({
    dataDir: tempDir(t), publisherKeys: [w.feed.key.publicKey], installedVersion: o.version ?? '1.0.0', platform: 'linux-x64',
    channel: o.channel ?? 'stable', allowLoopbackHttp: true, intervalMs: null,
    sources: [{ kind: 'feed-v1', id: 'app', url: o.url ?? w.feed.url, token: w.feed.readToken }],
    ...(o.install ? { install: o.install } : {}),
  });
  t.after(() => c.close());
  return c;
}

/** Records every updater event by name, with its first argument. */
function record(u: TidingsUpdater) {
  const seen: { name: string; arg: unknown }[] = [];
  for (const name of ['checking-for-update', 'update-available', 'update-not-available', 'download-progress', 'update-downloaded', 'update-cancelled', 'error'] as const) {
    u.on(name, ((arg: unknown) => { seen.push({ name, arg }); }) as never);
  }
  const names = () => seen.map((s) => s.name).filter((n, i, all) => n !== 'download-progress' || all[i - 1] !== 'download-progress');
  return { seen, names };
}

const quiet = { info() {}, warn() {}, error() {} };

test('an update: checking → available (electron-updater UpdateInfo) → progress → downloaded, with the verified file', async (t) => {
  const w = await startUpdateWorld(t);
  const bytes = await w.publish('1.1.0', { body: '## Faster sync', size: 600 * 1024 });
  const companion = await companionFor(t, w);
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: fakeApp(), logger: quiet });
  const ev = record(u);

  const result = await u.checkForUpdates();
  assert.ok(result?.isUpdateAvailable);
  const paths = await result.downloadPromise!;
  assert.deepEqual(ev.names(), ['checking-for-update', 'update-available', 'download-progress', 'update-downloaded']);

  const info = ev.seen.find((s) => s.name === 'update-available')!.arg as UpdateInfo;
  assert.equal(info.version, '1.1.0');
  assert.equal(info.files.length, 1);
  assert.equal(info.files[0]!.url, `${w.host}/dl/App-1.1.0.AppImage`);
  assert.equal(info.files[0]!.size, bytes.length);
  assert.equal(info.files[0]!.sha512, createHash('sha512').update(bytes).digest('base64'));
  assert.equal(info.path, info.files[0]!.url);
  assert.equal(info.sha512, info.files[0]!.sha512);
  assert.equal(info.releaseName, 'Tidings 1.1.0');
  assert.equal(info.releaseNotes, '## Faster sync');
  assert.ok(Math.abs(Date.parse(info.releaseDate) - Date.now()) < 60_000, info.releaseDate);
  assert.deepEqual(result.updateInfo, info);

  const progress = ev.seen.filter((s) => s.name === 'download-progress').map((s) => s.arg as { total: number; delta: number; transferred: number; percent: number; bytesPerSecond: number });
  assert.ok(progress.length >= 2, `progress events: ${progress.length}`);
  assert.equal(progress.at(-1)!.transferred, bytes.length);
  assert.equal(progress.at(-1)!.total, bytes.length);
  assert.equal(progress.at(-1)!.percent, 100);
  assert.equal(progress.reduce((s, p) => s + p.delta, 0), bytes.length, 'the deltas add up to the file');
  assert.ok(progress.every((p) => p.bytesPerSecond >= 0));

  const downloaded = ev.seen.find((s) => s.name === 'update-downloaded')!.arg as UpdateInfo & { downloadedFile: string };
  assert.equal(downloaded.version, '1.1.0');
  assert.deepEqual(paths, [downloaded.downloadedFile]);
  assert.deepEqual(readFileSync(downloaded.downloadedFile), bytes);
});

test('up to date → update-not-available with the running version; autoDownload false waits for downloadUpdate()', async (t) => {
  const w = await startUpdateWorld(t);
  const companion = await companionFor(t, w);
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: fakeApp(), logger: quiet });
  const ev = record(u);
  const none = await u.checkForUpdates();
  assert.equal(none?.isUpdateAvailable, false);
  assert.equal(none?.updateInfo.version, '1.0.0');
  assert.deepEqual(ev.names(), ['checking-for-update', 'update-not-available']);
  await assert.rejects(u.downloadUpdate(), /Please check update first/);

  await w.publish('1.2.0');
  u.autoDownload = false;
  const found = await u.checkForUpdates();
  assert.equal(found?.isUpdateAvailable, true);
  assert.equal(found?.downloadPromise, null);
  assert.equal(ev.seen.filter((s) => s.name === 'update-downloaded').length, 0);
  const [path] = await u.downloadUpdate();
  assert.ok(path!.endsWith('App-1.2.0.AppImage'), path);
});

test('a file served with other bytes than were signed: error event and a rejected download, nothing downloaded', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0');
  w.files.set('/dl/App-1.1.0.AppImage', Buffer.alloc(512 * 1024, 7));
  const companion = await companionFor(t, w);
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: fakeApp(), logger: quiet });
  const ev = record(u);
  const result = await u.checkForUpdates();
  await assert.rejects(result!.downloadPromise!, (e: Error) => e.message.length > 0);
  const err = ev.seen.find((s) => s.name === 'error');
  assert.ok(err, 'an error event');
  assert.ok(err.arg instanceof Error);
  assert.equal(ev.seen.filter((s) => s.name === 'update-downloaded').length, 0);
  assert.equal(companion.verifiedDownload(), null);
});

test('a feed that cannot be reached: checkForUpdates rejects and emits error', async (t) => {
  const w = await startUpdateWorld(t);
  const companion = await companionFor(t, w, { url: 'http://127.0.0.1:9' });
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: fakeApp(), logger: quiet });
  const ev = record(u);
  await assert.rejects(u.checkForUpdates(), /Update check failed/);
  assert.deepEqual(ev.names(), ['checking-for-update', 'error']);
});

test('channels: electron-updater names map to stable/experimental, an unknown one throws, allowPrerelease follows experimental', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0-beta.1', { channel: 'experimental' });
  const companion = await companionFor(t, w);
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: fakeApp(), logger: quiet });
  assert.equal(u.channel, null);
  assert.equal(u.allowPrerelease, false);
  assert.throws(() => { u.channel = 'nightly'; }, /Unknown update channel "nightly"/);
  assert.equal(companion.channel(), 'stable');
  u.autoDownload = false;
  assert.equal((await u.checkForUpdates())?.isUpdateAvailable, false, 'stable is not offered a beta');
  u.channel = 'beta';
  assert.equal(companion.channel(), 'experimental');
  assert.equal(u.allowPrerelease, true);
  assert.equal(u.allowDowngrade, false, 'setting channel does not turn on downgrades (electron-updater does)');
  const r = await u.checkForUpdates();
  assert.equal(r?.updateInfo.version, '1.1.0-beta.1');
  u.allowPrerelease = false;
  assert.equal(companion.channel(), 'stable');
});

test('no silent downgrade: back on stable from a beta, nothing is offered unless allowDowngrade is set', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.0.0');
  await w.publish('2.0.0-beta.1', { channel: 'experimental' });
  const companion = await companionFor(t, w, { version: '2.0.0-beta.1', channel: 'experimental' });
  const u = new TidingsUpdater({ companion, currentVersion: '2.0.0-beta.1', app: fakeApp(), logger: quiet });
  u.autoDownload = false;
  await u.checkForUpdates();
  u.channel = 'latest';
  const r = await u.checkForUpdates();
  assert.equal(r?.isUpdateAvailable, false);
  assert.equal(r?.updateInfo.version, '2.0.0-beta.1');
  u.allowDowngrade = true;
  u.autoDownload = true;
  const d = await u.checkForUpdates();
  assert.equal(d?.updateInfo.version, '1.0.0');
  const [path] = await d!.downloadPromise!;
  assert.ok(path!.includes('1.0.0'), path);
});

test('quitAndInstall applies the verified file through the companion and quits; a cancelled download says update-cancelled', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0', { size: 2 * 1024 * 1024 });
  const applied: { file: string; version: string; mode?: string }[] = [];
  const handoffs: string[] = [];
  const install: InstallSetup = {
    async apply(file, version, _sha, mode) { applied.push({ file, version, ...(mode ? { mode } : {}) }); },
    async handoff(version, from) { handoffs.push(`${from}→${version}`); },
  };
  const companion = await companionFor(t, w, { install });
  const app = fakeApp();
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app, logger: quiet });
  const ev = record(u);
  u.autoDownload = false;
  await u.checkForUpdates();
  const token = new CancellationToken();
  const first = u.downloadUpdate(token);
  await until('progress', () => ev.seen.some((s) => s.name === 'download-progress'));
  token.cancel();
  await assert.rejects(first, /cancelled/);
  assert.ok(ev.names().includes('update-cancelled'));

  u.quitAndInstall();
  await until('an error', () => ev.seen.some((s) => s.name === 'error'));
  assert.match(String((ev.seen.find((s) => s.name === 'error')!.arg as Error).message), /No update has been downloaded/);
  assert.equal(app.calls.quit, 0);

  const [file] = await u.downloadUpdate();
  u.quitAndInstall(true, true);
  await until('the quit', () => app.calls.quit === 1);
  assert.deepEqual(applied.map((a) => a.version), ['1.1.0']);
  assert.equal(applied[0]!.file, file);
  assert.deepEqual(handoffs, ['1.0.0→1.1.0']);
  assert.equal(app.calls.exited, true, 'quitAndInstall is not held by install-at-quit');
});

test('autoInstallOnAppQuit: the first quit waits for the install, then the app quits; off, a quit installs nothing', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0');
  for (const auto of [true, false]) {
    const applied: string[] = [];
    const install: InstallSetup = { atQuit: true, async apply(_f, version, _s, mode) { applied.push(`${version}:${mode}`); }, async handoff() {} };
    const companion = await companionFor(t, w, { install });
    const app = fakeApp();
    const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app, logger: quiet });
    u.autoInstallOnAppQuit = auto;
    await (await u.checkForUpdates())!.downloadPromise;
    app.quit();
    await until('the app exits', () => app.calls.exited);
    assert.deepEqual(applied, auto ? ['1.1.0:quit'] : [], `autoInstallOnAppQuit=${auto}`);
    assert.equal(app.calls.quit, auto ? 2 : 1);
    u.dispose();
  }
});

test('checkForUpdatesAndNotify: a notification once downloaded, in electron-updater words', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0');
  const companion = await companionFor(t, w);
  const shown: { title: string; body: string }[] = [];
  const u = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: fakeApp(), logger: quiet, appName: 'Notes', notify: (n) => shown.push(n) });
  const r = await u.checkForUpdatesAndNotify();
  await r!.downloadPromise;
  await until('the notification', () => shown.length === 1);
  assert.deepEqual(shown, [{ title: 'A new update is ready to install', body: 'Notes version 1.1.0 has been downloaded and will be automatically installed on exit' }]);
});
