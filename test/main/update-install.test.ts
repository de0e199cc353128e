// The packaged app's install setup (electron/main/update-install.ts): how it is detected, how the app is
// started again after an update, and how the watchdog is started when the app can't run as Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installSetupFor, watchdogPlan, WATCHDOG_FLAG } from '../../electron/main/update-install.ts';
import { tempDir } from '../core/helpers/tmp.ts';

test('the watchdog flag is found with its plan; a normal start has none', () => {
  assert.equal(watchdogPlan(['/opt/Tidings/tidings', WATCHDOG_FLAG, '/data/update-handoff.json']), '/data/update-handoff.json');
  assert.equal(watchdogPlan(['/opt/Tidings/tidings', '--hidden']), null);
});

test('an AppImage install: the asset is the AppImage, the app restarts through its file in the folder the user started it from', async (t) => {
  const dir = tempDir(t);
  const appDir = join(dir, 'Apps');
  const mount = join(dir, 'mount');
  mkdirSync(appDir);
  mkdirSync(join(mount, 'resources'), { recursive: true });
  const target = join(appDir, 'Tidings-2.0.3.AppImage');
  writeFileSync(target, '#!/bin/sh\n');
  chmodSync(target, 0o755);
  const logs: string[] = [];
  const setup = installSetupFor({
    platform: 'linux', execPath: join(mount, 'tidings'), argv: [join(mount, 'tidings'), '--hidden'], cwd: '/',
    env: { APPIMAGE: target, APPDIR: mount, OWD: '/home/me/Documents' }, resourcesPath: join(mount, 'resources'), isPackaged: true,
    dataDir: join(dir, 'data'), windowVisible: () => true, log: (m) => logs.push(m),
  });
  assert.ok(setup, logs.join('\n'));
  assert.equal(setup.package, 'appimage');
  assert.equal(setup.installedFile, target);
  assert.equal(setup.atQuit, true);
  // The hand-off plan (written before the watchdog starts): the AppImage file, the user's arguments and folder,
  // the window as it was. The watchdog is the kept previous AppImage with the flag; here there is none, so
  // starting it fails with the plain sentence and the caller doesn't quit.
  await assert.rejects(setup.handoff('2.1.0', '2.0.3'), { message: 'The update is installed, but the app couldn’t restart into it. It will start the next time you open the app.' });
  const plan = JSON.parse(readFileSync(join(dir, 'data', 'update-handoff.json'), 'utf8')) as { launch: unknown; restore: unknown; resume: unknown; version: string; previousVersion: string };
  assert.deepEqual(plan.launch, { cmd: target, args: ['--hidden'], cwd: '/home/me/Documents', env: {} });
  assert.deepEqual(plan.restore, { kind: 'appimage', target });
  assert.deepEqual(plan.resume, { windowVisible: true });
  assert.deepEqual([plan.version, plan.previousVersion], ['2.1.0', '2.0.3']);
});

test('a development run never updates itself: no setup, and the reason is logged', (t) => {
  const logs: string[] = [];
  const setup = installSetupFor({
    platform: 'linux', execPath: '/usr/bin/electron', argv: ['/usr/bin/electron', '.'], cwd: '/', env: {}, resourcesPath: '/usr/lib/electron/resources',
    isPackaged: false, dataDir: tempDir(t), windowVisible: () => false, log: (m) => logs.push(m),
  });
  assert.equal(setup, undefined);
  assert.match(logs.join('\n'), /development run/);
});
