// The shell's part of installing an update (docs/updates.md): Restart to Update asks the host app first (a veto
// keeps unsaved work), then installs through the core and quits; Quit installs a verified update when the user
// lets it; the health report waits for the first window after an update restart (docs/rollback.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestShell, tick } from './harness.ts';
import { stubCore } from './stub-core.ts';

const verified = { path: '/tmp/Tidings-2.1.0.AppImage', version: '2.1.0', sha256: 'ab'.repeat(32) };
const settle = async () => { for (let i = 0; i < 5; i++) await tick(); };

test('Restart to Update: a host veto is shown as its own words, nothing is installed and the app keeps running', async () => {
  const core = stubCore();
  core.state.verified = verified;
  const asked: string[] = [];
  const { shell, fake } = await startTestShell({ core, shell: { beforeQuitForUpdate: (v) => { asked.push(v); return 'Save “Report.docx” first, then restart.'; } } });
  const r = await shell.handlers.restartToUpdate({});
  assert.deepEqual(r, { ok: false, error: { field: '', message: 'Save “Report.docx” first, then restart.' } });
  assert.deepEqual(asked, ['2.1.0']);
  assert.deepEqual(core.called('restartToUpdate'), [], 'the core was not asked to install');
  await settle();
  assert.equal(fake.calls.quit, 0);
});

test('Restart to Update allowed: the core installs, then the app quits without installing a second time at quit', async () => {
  const core = stubCore();
  core.state.verified = verified;
  const { shell, fake } = await startTestShell({ core, shell: { beforeQuitForUpdate: () => true } });
  assert.deepEqual(await shell.handlers.restartToUpdate({}), { ok: true });
  assert.equal(core.called('restartToUpdate').length, 1);
  await settle();
  assert.equal(fake.calls.quit >= 1, true, 'the app quits so the watchdog can start the new version');
  assert.equal(core.state.lifecycle.includes('close'), true);
  assert.equal(core.state.lifecycle.some((l) => l.startsWith('installAtQuit')), false);
});

test('Restart to Update refused by the core: the app does not quit', async () => {
  const core = stubCore();
  core.state.verified = verified;
  const { shell, fake } = await startTestShell({ core });
  core.bridge.handlers.restartToUpdate = async () => ({ ok: false, error: { field: '', message: 'The app’s folder is read-only.' } });
  const r = await shell.handlers.restartToUpdate({});
  assert.equal(r.ok, false);
  await settle();
  assert.equal(fake.calls.quit, 0);
});

for (const installOnQuit of [true, false]) {
  test(`Quit with a verified update and "Install updates when I quit" ${installOnQuit ? 'on' : 'off'}: the core is asked with that setting before it closes`, async () => {
    const core = stubCore();
    core.state.verified = verified;
    const { shell, fake } = await startTestShell({ core });
    shell.settings.patch({ installOnQuit });
    fake.api.app.quit();
    await settle();
    assert.deepEqual(core.state.lifecycle.filter((l) => l !== 'healthy'), [`installAtQuit ${installOnQuit}`, 'close']);
  });
}

test('health: a normal start reports healthy once the tray is up; after an update restart with the window open, only once the window shows', async () => {
  const plain = stubCore();
  await startTestShell({ core: plain });
  assert.deepEqual(plain.state.lifecycle, ['healthy']);

  const resumed = stubCore();
  const { fake } = await startTestShell({ core: resumed, shell: { resume: { windowVisible: true } } });
  assert.equal(fake.windows.length, 1, 'the window opens as the user had it');
  assert.deepEqual(resumed.state.lifecycle, [], 'not healthy before the window shows');
  fake.windows[0]!.finishLoad();
  assert.deepEqual(resumed.state.lifecycle, ['healthy']);
  fake.windows[0]!.finishLoad();
  assert.deepEqual(resumed.state.lifecycle, ['healthy'], 'reported once');

  const tray = stubCore();
  const t = await startTestShell({ core: tray, shell: { resume: { windowVisible: false } } });
  assert.equal(t.fake.windows.length, 0, 'the user had it in the tray: no window');
  assert.deepEqual(tray.state.lifecycle, ['healthy']);
});
