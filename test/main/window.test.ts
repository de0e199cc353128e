// Window, lifecycle and hardening: reliability.md cases 33 and 35; issue 5 "second-instance focus".
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { startTestShell, PAGE, tick } from './harness.ts';
import { stubCore } from './stub-core.ts';
import { QUIT_GRACE_MS } from '../../electron/main/lifecycle.ts';
import { CSP, appProtocolHandler } from '../../electron/main/hardening.ts';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

test('the window is sandboxed, isolated, without Node, 880×600, loaded from app://', async () => {
  const { fake, openWindow } = await startTestShell();
  const w = openWindow();
  const wp = w.options.webPreferences!;
  assert.equal(wp.sandbox, true);
  assert.equal(wp.contextIsolation, true);
  assert.equal(wp.nodeIntegration, false);
  assert.equal(wp.webviewTag, false);
  assert.equal(w.options.width, 880);
  assert.equal(w.options.height, 600);
  assert.equal(w.loadedUrl, PAGE);
  assert.equal(fake.windows.length, 1);
  assert.deepEqual(fake.calls.schemes, ['app']);
  assert.equal(fake.calls.sandboxAll, true, 'app.enableSandbox() before ready');
});

test('a remote page URL is refused at start; the dev server only when not packaged', async () => {
  await assert.rejects(startTestShell({ shell: { pageUrl: 'https://evil.example/index.html' } }), /refusing to load/);
  await assert.rejects(startTestShell({ shell: { pageUrl: 'http://localhost:5173/' } }), /refusing to load/);
  const dev = await startTestShell({ fake: { packaged: false }, shell: { pageUrl: 'http://localhost:5173/' } });
  assert.equal(dev.openWindow().loadedUrl, 'http://localhost:5173/');
});

test('navigation, redirects and window.open are denied (case 33)', async () => {
  const { openWindow, logs } = await startTestShell();
  const w = openWindow();
  for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'app://tidings/other.html']) {
    assert.equal(w.webContents.tryNavigate('will-navigate', url), true, url);
    assert.equal(w.webContents.tryNavigate('will-redirect', url), true, url);
    assert.equal(w.webContents.tryNavigate('will-frame-navigate', url), true, url);
    assert.deepEqual(w.webContents.openHandler!({ url }), { action: 'deny' });
  }
  assert.equal(w.loadedUrl, PAGE);
  assert.ok(logs.some((l) => l.startsWith('navigation blocked')));
  let prevented = false;
  w.webContents.emit('will-attach-webview', { preventDefault: () => { prevented = true; } });
  assert.equal(prevented, true, 'no <webview>');
});

test('every permission request and check is denied (case 35)', async () => {
  const { fake } = await startTestShell();
  for (const p of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal', 'unknown']) {
    let granted: boolean | undefined;
    fake.session.requestHandler!(null, p, (g) => { granted = g; });
    assert.equal(granted, false, p);
    assert.equal(fake.session.checkHandler!(null, p), false, p);
  }
});

test('the CSP header is strict and added to responses', async () => {
  const { fake } = await startTestShell();
  assert.match(CSP, /default-src 'none'/);
  assert.match(CSP, /script-src app:\/\/tidings;/);
  assert.doesNotMatch(CSP, /unsafe-inline|unsafe-eval|img-src[^;]*https/);
  let headers: Record<string, string[] | string> | undefined;
  fake.session.headersListener!({ url: PAGE, responseHeaders: { 'X-A': ['1'] } }, (r) => { headers = r.responseHeaders; });
  assert.deepEqual(headers!['Content-Security-Policy'], [CSP]);
});

test('app:// serves only files under the renderer folder, with the CSP', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tidings-renderer-'));
  mkdirSync(path.join(root, 'assets'));
  writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(root, 'assets', 'a.js'), 'export {}');
  writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'no');
  const h = appProtocolHandler(root);
  const index = await h(new Request('app://tidings/'));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-security-policy'), CSP);
  assert.equal((await h(new Request('app://tidings/assets/a.js'))).headers.get('content-type'), 'text/javascript');
  assert.equal((await h(new Request('app://tidings/%2e%2e/secret.txt'))).status, 404);
  assert.equal((await h(new Request('app://tidings/..%2fsecret.txt'))).status, 404);
  assert.equal((await h(new Request('app://other/index.html'))).status, 404);
  assert.equal((await h(new Request('app://tidings/missing.js'))).status, 404);
  assert.equal((await h(new Request('app://tidings/%E0%A4%A.js'))).status, 404);
  assert.equal((await h(new Request('app://tidings/assets'))).status, 404);
});

test('events to the page are checked against the contract: a malformed one is logged and not sent', async () => {
  const { shell, openWindow, logs } = await startTestShell();
  const w = openWindow();
  w.webContents.sent.length = 0;
  shell.windows.send('changed', { topics: ['inbox', 'evil'] } as never);
  shell.windows.send('notice', { level: 'info', message: 'hi', html: '<b>x</b>' } as never);
  assert.deepEqual(w.webContents.sent, []);
  assert.ok(logs.some((l) => l.startsWith('event changed not sent: topics.1')), logs.join('\n'));
  shell.windows.send('notice', { level: 'info', message: 'hi' });
  assert.deepEqual(w.webContents.sent, [{ channel: 'tidings:notice', payload: { level: 'info', message: 'hi' } }]);
});

test('closing the window destroys it, the app stays in the tray; reopening makes a new one at the saved bounds', async () => {
  const { fake, shell, openWindow, store } = await startTestShell();
  const w = openWindow();
  w.bounds = { x: 50, y: 60, width: 900, height: 640 };
  w.close();
  assert.equal(shell.windows.current(), null);
  assert.ok(fake.appListeners('window-all-closed') > 0, 'a window-all-closed listener keeps the app alive');
  fake.appEmit('window-all-closed');
  assert.equal(fake.calls.quit, 0);
  assert.deepEqual(store.get('windowBounds'), { x: 50, y: 60, width: 900, height: 640 });
  const w2 = openWindow();
  assert.notEqual(w2, w);
  assert.equal(w2.options.width, 900);
  assert.equal(w2.options.x, 50);
});

test('saved bounds on a display that is gone: keep the size, let the OS place the window', async () => {
  const { fake, openWindow, store } = await startTestShell();
  store.set('windowBounds', { x: 3000, y: 200, width: 700, height: 500 });
  fake.state.displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }];
  const w = openWindow();
  assert.equal(w.options.width, 700);
  assert.equal(w.options.x, undefined);
});

test('a window opened for an item starts on its screen (?screen=) and then gets the item', async () => {
  const { fake, shell } = await startTestShell();
  shell.windows.show({ screen: 'updates', itemKey: 'r-2.1.0' });
  const w = fake.windows[0]!;
  assert.equal(w.loadedUrl, 'app://tidings/index.html?screen=updates&item=r-2.1.0');
  assert.deepEqual(w.webContents.sent, [], 'nothing is sent before the page has loaded');
  w.finishLoad();
  assert.deepEqual(w.webContents.sent, [{ channel: 'tidings:navigate', payload: { screen: 'updates', itemKey: 'r-2.1.0' } }]);
  assert.equal(w.shown, 1, 'shown once ready, not blank');
});

test('a second launch focuses the existing window (and opens one if none)', async () => {
  const { fake, openWindow } = await startTestShell();
  fake.appEmit('second-instance', {}, ['tidings']);
  assert.equal(fake.windows.length, 1, 'opens the window when there was none');
  const w = openWindow();
  w.minimized = true;
  fake.appEmit('second-instance', {}, ['tidings']);
  assert.equal(fake.windows.length, 1);
  assert.equal(w.minimized, false);
  assert.ok(w.focused >= 1);
});

test('without the single-instance lock the second process quits and opens nothing', async () => {
  const { fake, shell } = await startTestShell({ fake: { lock: false } });
  assert.equal(shell, null);
  assert.equal(fake.calls.quit, 1);
  assert.equal(fake.windows.length, 0);
  assert.equal(fake.trays.length, 0);
});

test('Quit really quits: tray, IPC and core are released first, then the app exits', async () => {
  const { fake, core } = await startTestShell();
  fake.trays[0]!.click('Quit');
  assert.equal(fake.calls.exited, false, 'held until the core has closed');
  await tick(); await tick();
  assert.equal(fake.trays[0]!.destroyed, true);
  assert.equal(fake.handlers.size, 0);
  assert.equal(core.state.closed, true);
  assert.equal(fake.calls.exited, true);
  assert.equal(fake.calls.quit, 2);
});

test('Quit does not hang on a core that never closes', async () => {
  const core = stubCore();
  core.bridge.close = () => new Promise(() => {});
  const { fake } = await startTestShell({ core });
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    fake.trays[0]!.click('Quit');
    await tick();
    assert.equal(fake.calls.exited, false);
    mock.timers.tick(QUIT_GRACE_MS);
    await tick(); await tick();
    assert.equal(fake.calls.exited, true);
  } finally {
    mock.timers.reset();
  }
});

test('launch at login follows the setting; power events reach the core', async () => {
  const { fake, core, shell, openWindow } = await startTestShell();
  assert.deepEqual(fake.calls.loginItem, [false]);
  const w = openWindow();
  await fake.invoke('tidings:updateSettings', w.webContents.mainFrame, { launchAtLogin: true });
  assert.deepEqual(fake.calls.loginItem, [false, true]);
  assert.equal(shell.settings.get('launchAtLogin'), true);
  fake.powerEmit('resume');
  assert.deepEqual(core.state.power, ['resume']);
});

test('the OS network going and coming back reaches the core (main polls net.isOnline, as it has no event)', async () => {
  const { fake, core } = await startTestShell({ shell: { netPollMs: 20 } });
  const wait = () => new Promise((r) => setTimeout(r, 80));
  fake.state.online = false;
  await wait();
  assert.deepEqual(core.state.power, ['offline']);
  await wait();
  assert.deepEqual(core.state.power, ['offline'], 'told once per change');
  fake.state.online = true;
  await wait();
  assert.deepEqual(core.state.power, ['offline', 'online']);
});
