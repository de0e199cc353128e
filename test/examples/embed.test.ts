// examples/embed: the example app's main-process code (src/main/updates.ts, as its entry calls it) runs against
// the Electron fake and a real feed service on loopback, and an electron-updater app's events arrive in
// electron-updater's order and shapes, through the download, the OS notification and the restart question.
// The example imports `tidings/*` by package name, as a publisher's app does; here those names resolve to the
// sources (package.json exports' "tidings-source" condition), never to a possibly stale dist/.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fakeElectron } from '../main/fake-electron.ts';
import { startUpdateWorld, until, type UpdateWorld } from '../lib/helpers.ts';
import { tempDir } from '../core/helpers/tmp.ts';
import type * as Example from '../../examples/embed/src/main/updates.ts';
import type { UpdateStatus } from '../../examples/embed/src/main/updates.ts';

registerHooks({
  resolve(specifier, context, next) {
    if (specifier !== 'tidings' && !specifier.startsWith('tidings/')) return next(specifier, context);
    return next(specifier, { ...context, conditions: ['tidings-source', ...context.conditions] });
  },
});
// Imported once the hook is in place (a type-only import is erased, so it loads nothing early).
const { startUpdates } = (await import('../../examples/embed/src/main/updates.ts')) as typeof Example;

const quiet = { info() {}, warn() {}, error() {} };

async function runExample(t: TestContext, w: UpdateWorld, dialogResponse: number) {
  const fake = fakeElectron({ packaged: false, dialogResponse });
  const statuses: UpdateStatus[] = [];
  const messages: { code: number | null; data: unknown }[] = [];
  const tidings = await startUpdates(fake.api, {
    // What the example's entry passes (src/main/feed.ts), pointed at the loopback feed.
    feed: { url: w.feed.url, token: w.feed.readToken }, publisherKeys: [w.feed.key.publicKey],
    dataDir: tempDir(t, 'tidings-embed-'), version: '1.0.0', platform: 'linux-x64', allowLoopbackHttp: true, install: false, logger: quiet,
    onStatus: (s) => statuses.push(s),
    onMessage: (m) => messages.push({ code: m.code, data: m.data }),
  });
  t.after(() => tidings.close());
  return { fake, tidings, statuses, messages };
}

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');

test('the example updates like an electron-updater app: checking → available → progress → downloaded, then a notification and the restart question', { timeout: 60_000 }, async (t) => {
  const w = await startUpdateWorld(t);
  const bytes = await w.publish('1.1.0', { size: 1024 * 1024, body: 'Faster sync.' });
  const { fake, statuses } = await runExample(t, w, 1 /* Later */);
  await until('update-downloaded', () => statuses.some((s) => s.event === 'update-downloaded'), 30_000);

  // The order, with repeated progress events folded into one step.
  const steps = statuses.map((s) => s.event).filter((e, i, all) => e !== all[i - 1]);
  assert.deepEqual(steps, ['checking-for-update', 'update-available', 'download-progress', 'update-downloaded']);

  // update-available: electron-updater's UpdateInfo.
  const available = statuses.find((s) => s.event === 'update-available');
  assert.ok(available?.event === 'update-available');
  const url = `${w.host}/dl/App-1.1.0.AppImage`;
  assert.equal(available.info.version, '1.1.0');
  assert.deepEqual(available.info.files.map((f) => [f.url, f.sha512, f.size]), [[url, sha512(bytes), bytes.length]]);
  assert.equal(available.info.path, url);
  assert.equal(available.info.sha512, sha512(bytes));
  assert.equal(available.info.releaseNotes, 'Faster sync.');
  assert.ok(!Number.isNaN(Date.parse(available.info.releaseDate)), available.info.releaseDate);

  // download-progress: ProgressInfo, growing to the whole file.
  const progress = statuses.flatMap((s) => (s.event === 'download-progress' ? [s.progress] : []));
  assert.ok(progress.length >= 1);
  for (const p of progress) {
    assert.deepEqual(Object.keys(p).sort(), ['bytesPerSecond', 'delta', 'percent', 'total', 'transferred']);
    assert.equal(p.total, bytes.length);
    assert.ok(p.transferred <= p.total && p.percent >= 0 && p.percent <= 100 && p.delta >= 0 && p.bytesPerSecond >= 0, JSON.stringify(p));
  }
  assert.deepEqual(progress.map((p) => p.transferred), [...progress.map((p) => p.transferred)].sort((a, b) => a - b), 'transferred only grows');
  assert.equal(progress.reduce((sum, p) => sum + p.delta, 0), progress.at(-1)!.transferred, 'the deltas add up');

  // update-downloaded: UpdateInfo plus the verified file, with the bytes that were signed.
  const downloaded = statuses.find((s) => s.event === 'update-downloaded');
  assert.ok(downloaded?.event === 'update-downloaded');
  assert.equal(downloaded.info.version, '1.1.0');
  assert.ok(readFileSync(downloaded.info.downloadedFile).equals(bytes));
  assert.equal(statuses.filter((s) => s.event === 'error').length, 0);

  // checkForUpdatesAndNotify's notification in electron-updater's words, and the example's own question.
  await until('the download notification', () => fake.notifications.some((n) => n.options.title === 'A new update is ready to install'));
  const n = fake.notifications.find((x) => x.options.title === 'A new update is ready to install')!;
  assert.equal(n.options.body, 'Embed Example version 1.1.0 has been downloaded and will be automatically installed on exit');
  assert.equal(n.shown, true);
  await until('the restart question', () => fake.calls.dialogs.length > 0);
  assert.equal(fake.calls.dialogs[0]!.message, 'Embed Example 1.1.0 is ready to install.');
  // "Later": the app keeps running.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(fake.calls.quit, 0);
});

test('"Restart now" calls quitAndInstall: an install that can\'t apply updates itself opens the verified installer and quits', { timeout: 60_000 }, async (t) => {
  const w = await startUpdateWorld(t);
  await w.publish('1.1.0');
  const { fake, statuses } = await runExample(t, w, 0 /* Restart now */);
  await until('the app quits', () => fake.calls.quit > 0, 30_000);
  const downloaded = statuses.find((s) => s.event === 'update-downloaded');
  assert.ok(downloaded?.event === 'update-downloaded');
  assert.deepEqual(fake.calls.openPath, [downloaded.info.downloadedFile]);
});

test('up to date: checking → update-not-available with the running version; a publisher\'s post reaches the app with its code and data', { timeout: 60_000 }, async (t) => {
  const w = await startUpdateWorld(t);
  await w.post({ title: 'Maintenance tonight', code: 4101, data: { minutes: 30 } });
  const { statuses, messages } = await runExample(t, w, 1);
  await until('update-not-available', () => statuses.some((s) => s.event === 'update-not-available'), 30_000);
  assert.deepEqual(statuses.map((s) => s.event), ['checking-for-update', 'update-not-available']);
  const s = statuses[1]!;
  assert.ok(s.event === 'update-not-available');
  assert.equal(s.info.version, '1.0.0');
  await until('the post', () => messages.length > 0);
  assert.deepEqual(messages, [{ code: 4101, data: { minutes: 30 } }]);
});

test('a feed that can\'t be reached: checking → error, in one sentence; the app goes on', { timeout: 60_000 }, async (t) => {
  const w = await startUpdateWorld(t);
  await w.feed.close();
  const { fake, statuses } = await runExample(t, w, 1);
  await until('an error', () => statuses.some((s) => s.event === 'error'), 30_000);
  assert.equal(statuses[0]!.event, 'checking-for-update');
  const e = statuses.find((s) => s.event === 'error');
  assert.ok(e?.event === 'error');
  assert.match(e.message, /^Update check failed: /);
  assert.equal(fake.calls.quit, 0);
});

test('the example builds with electron-vite (its own config), with tidings bundled from the package\'s entry points', { timeout: 90_000 }, () => {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  execFileSync(npx, ['electron-vite', 'build', '--config', 'examples/embed/electron.vite.config.ts'], { stdio: 'pipe', timeout: 90_000 });
  const main = 'examples/embed/out/main/index.js';
  execFileSync(process.execPath, ['--check', main], { stdio: 'pipe' });
  const code = readFileSync(main, 'utf8');
  assert.match(code, /^import \* as electron from "electron";$/m);
  assert.doesNotMatch(code, /from "tidings/, 'tidings is bundled, not left as an import of a package the app might not ship');
  assert.match(code, /\bTidingsUpdater = class extends EventEmitter\b|\bclass TidingsUpdater\b/);
  assert.ok(existsSync('examples/embed/out/renderer/index.html'));
});
