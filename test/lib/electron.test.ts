// tidings/electron against the Electron fake (test/main/fake-electron.ts) and a real feed service on loopback:
// a host app attaches Tidings, gets the updater and the publisher's messages, keeps its own lifecycle, and a
// missing key, an unknown channel or an unsupported platform stops it at start with one sentence.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { attachTidings, TidingsConfigError, type HostMessage, type TidingsElectronOptions } from '../../electron/lib/electron.ts';
import { fakeElectron } from '../main/fake-electron.ts';
import { startUpdateWorld, until, type UpdateWorld } from './helpers.ts';
import { tempDir } from '../core/helpers/tmp.ts';

const quiet = { info() {}, warn() {}, error() {} };

async function attach(t: TestContext, w: UpdateWorld, extra: Partial<TidingsElectronOptions> = {}, fakeOpts: Parameters<typeof fakeElectron>[0] = {}) {
  const fake = fakeElectron({ packaged: false, ...fakeOpts });
  const dataDir = tempDir(t);
  const tidings = await attachTidings(fake.api, {
    feed: { url: w.feed.url, token: w.feed.readToken }, publisherKeys: [w.feed.key.publicKey], productName: 'Notes',
    dataDir, version: '1.0.0', platform: 'linux-x64', allowLoopbackHttp: true, install: false, logger: quiet, ...extra,
  });
  t.after(() => tidings.close());
  return { fake, tidings, dataDir };
}

test('attached to a host app: no lock, no tray, no window, no IPC, host permissions untouched; settings in dataDir', async (t) => {
  const w = await startUpdateWorld(t);
  const { fake, tidings, dataDir } = await attach(t, w);
  assert.equal(fake.trays.length, 0, 'no tray unless asked');
  assert.equal(fake.windows.length, 0);
  assert.equal(fake.handlers.size, 0, 'no IPC handlers without a Tidings window');
  assert.equal(fake.session.requestHandler, null, 'the host session keeps its permission handler');
  assert.equal(fake.calls.sandboxAll, false, 'app.enableSandbox is the host’s decision');
  await tidings.companion.checkAll();
  assert.ok(existsSync(join(dataDir, 'tidings.db')), 'the core keeps its data in dataDir');
  // The host's own window-all-closed policy stands: Tidings added no listener for it.
  assert.equal(fake.appListeners('window-all-closed'), 0);
  assert.equal(fake.appListeners('second-instance'), 0);
});

test('host events: a stored post and a live-only push reach on("message") with code and data; updater events run through download', { timeout: 30_000 }, async (t) => {
  const w = await startUpdateWorld(t);
  const { tidings } = await attach(t, w);
  const got: HostMessage[] = [];
  tidings.on('message', (m) => got.push(m));
  await tidings.companion.checkAll();
  await w.post({ title: 'Maintenance', code: 4101, data: { minutes: 60 } });
  await w.post({ title: 'Flash', code: 9, data: { sku: 'x' }, persistent: false });
  await until('both messages', () => got.length >= 2);
  assert.deepEqual(got.map((m) => [m.title, m.code, m.data, m.persistent]).sort(), [['Flash', 9, { sku: 'x' }, false], ['Maintenance', 4101, { minutes: 60 }, true]]);

  await w.publish('1.1.0');
  const names: string[] = [];
  for (const e of ['checking-for-update', 'update-available', 'download-progress', 'update-downloaded'] as const) tidings.updater.on(e, () => { if (names.at(-1) !== e) names.push(e); });
  const r = await tidings.updater.checkForUpdates();
  await r!.downloadPromise;
  assert.deepEqual(names, ['checking-for-update', 'update-available', 'download-progress', 'update-downloaded']);
});

test('OS notifications: a new release shows one notification in the product’s words; notifications: false shows none', async (t) => {
  for (const notifications of [true, false]) {
    const w = await startUpdateWorld(t);
    await w.publish('1.1.0');
    const { fake, tidings } = await attach(t, w, { notifications });
    await tidings.companion.checkAll();
    if (notifications) {
      await until('a notification', () => fake.notifications.length > 0);
      assert.match(fake.notifications[0]!.options.title ?? '', /Notes/);
    } else {
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(fake.notifications.length, 0);
    }
  }
});

test('quitAndInstall asks the host first: a veto keeps the app running and reaches error listeners in its own words', async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0');
  const applied: string[] = [];
  const { fake, tidings } = await attach(t, w, {
    beforeQuitForUpdate: () => 'Save your document first.',
    install: { async apply(_f, v) { applied.push(v); }, async handoff() {} },
  });
  const errors: string[] = [];
  tidings.updater.on('error', (e) => errors.push(e.message));
  await (await tidings.updater.checkForUpdates())!.downloadPromise;
  tidings.updater.quitAndInstall();
  await until('the veto', () => errors.length > 0);
  assert.deepEqual(errors, ['Save your document first.']);
  assert.deepEqual(applied, []);
  assert.equal(fake.calls.quit, 0);
});

test('with tray and window (what the standalone app asks for): tray menu, IPC, the window opens', async (t) => {
  const w = await startUpdateWorld(t);
  const { fake, tidings } = await attach(t, w, { tray: true, window: { preloadPath: '/x/preload.cjs' }, ownsApp: true });
  assert.equal(fake.trays.length, 1);
  assert.ok(fake.handlers.size > 10, 'the contract’s handlers are registered');
  assert.equal(fake.calls.sandboxAll, true);
  tidings.open({ screen: 'updates' });
  assert.equal(fake.windows.length, 1);
});

test('bad configuration stops it at start with one sentence, and starts nothing', async (t) => {
  const w = await startUpdateWorld(t);
  const cases: [Partial<TidingsElectronOptions>, string, RegExp][] = [
    [{ publisherKeys: [] }, 'publisherKeys', /needs at least one publisher key/],
    [{ publisherKeys: ['not-a-key'] }, 'publisherKeys', /is not a publisher key/],
    [{ channel: 'nightly' as never }, 'channel', /Unknown channel "nightly": use "stable" or "experimental"/],
    [{ platform: 'freebsd-x64' }, 'platform', /can't update apps on freebsd-x64/],
    [{ feed: undefined }, 'feed', /needs a feed/],
  ];
  for (const [bad, option, words] of cases) {
    const fake = fakeElectron({ packaged: false });
    await assert.rejects(attachTidings(fake.api, {
      feed: { url: w.feed.url }, publisherKeys: [w.feed.key.publicKey], dataDir: tempDir(t), version: '1.0.0', platform: 'linux-x64',
      allowLoopbackHttp: true, install: false, logger: quiet, ...bad,
    }), (e: unknown) => e instanceof TidingsConfigError && e.option === option && words.test(e.message));
    assert.equal(fake.calls.ready, false, `${option}: nothing started`);
  }
  const packaged = fakeElectron({ packaged: true });
  await assert.rejects(attachTidings(packaged.api, { feed: { url: w.feed.url }, publisherKeys: [w.feed.key.publicKey], platform: 'linux-x64', allowLoopbackHttp: true, logger: quiet }), /allowLoopbackHttp is for development/);
});

test('the channel option sets a first start’s channel; the user’s later choice is kept across starts', async (t) => {
  const w = await startUpdateWorld(t);
  const fake = fakeElectron({ packaged: false });
  const dataDir = tempDir(t);
  const opts: TidingsElectronOptions = { feed: { url: w.feed.url }, publisherKeys: [w.feed.key.publicKey], dataDir, version: '1.0.0', platform: 'linux-x64', allowLoopbackHttp: true, install: false, logger: quiet, channel: 'experimental' };
  const first = await attachTidings(fake.api, opts);
  assert.equal(first.companion.channel(), 'experimental');
  assert.equal(first.updater.allowPrerelease, true);
  first.updater.channel = 'stable';
  await first.shell.handlers.setChannel({ channel: 'stable' });
  await first.close();
  const again = await attachTidings(fakeElectron({ packaged: false }).api, opts);
  t.after(() => again.close());
  assert.equal(again.companion.channel(), 'stable');
});
