// IPC: every channel of the contract is registered, refuses foreign senders and invalid arguments with a
// field error, and never sends a stack to the renderer (reliability.md P14, cases 32 and 34).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invokeChannels, ipcChannel, type InvokeChannel } from '../../shared/ipc/contract.ts';
import { FOREIGN_SENDER, INTERNAL_ERROR } from '../../electron/main/ipc.ts';
import { FakeFrame } from './fake-electron.ts';
import { startTestShell } from './harness.ts';

/** One valid argument per channel (the contract's schemas decide validity). */
const valid: Record<InvokeChannel, unknown> = {
  getAppInfo: {}, listInbox: { offset: 0, limit: 50 }, getItem: { key: 'k1' }, setRead: { keys: ['k1'], read: true },
  markAllRead: {}, dismiss: { keys: ['k1'] }, restoreItems: { keys: ['k1'] }, listDismissed: {}, getCounts: {}, getUpdate: {}, checkNow: {}, download: { version: '2.1.0' },
  cancelDownload: {}, restartToUpdate: {}, openInstaller: {}, showInFolder: {}, skipVersion: { version: '2.1.0' }, unskipVersion: { version: '2.1.0' },
  remindLater: { preset: 'tomorrow' }, clearRemind: {}, setChannel: { channel: 'stable' }, getSettings: {}, updateSettings: { notifyNews: false },
  saveSource: { name: 'Acme', kind: 'tidings', url: 'https://feed.example.com', channels: ['stable'], token: 's3cret' },
  removeSource: { id: 'src-1' }, testSource: { name: 'Acme', kind: 'tidings', url: 'https://feed.example.com', channels: ['stable'] },
  getStatus: {}, clearHistory: {}, openLink: { url: 'https://example.com/notes' }, chooseKey: {}, hashFile: {},
  publish: { kind: 'news', channel: 'stable', title: 'Hello', body: 'World' }, listPublished: {}, retract: { id: 'm1', channel: 'stable' },
};

/** Arguments each channel must refuse: wrong types, unknown fields, or a non-object. */
const invalid = (name: InvokeChannel): unknown[] => [
  'a string', 42, [], { ...(valid[name] as object), unexpected: true },
];

test('exactly the contract channels are registered', async () => {
  const { fake } = await startTestShell();
  assert.deepEqual([...fake.handlers.keys()].sort(), invokeChannels.map(ipcChannel).sort());
});

test('valid calls from our window reach the core and come back wrapped', async () => {
  const { fake, core, openWindow } = await startTestShell();
  const frame = openWindow().webContents.mainFrame;
  for (const name of invokeChannels) {
    const reply = (await fake.invoke(ipcChannel(name), frame, valid[name])) as { ok: boolean };
    assert.equal(reply.ok, true, `${name}: ${JSON.stringify(reply)}`);
  }
  assert.deepEqual(core.called('listInbox'), [{ offset: 0, limit: 50 }]);
  assert.equal(core.called('openLink').length, 0, 'openLink is main\'s own, never the core\'s');
  assert.equal(core.called('openInstaller').length, 0, 'installs are main\'s own');
});

test('every channel refuses a foreign sender: another origin, a subframe, a destroyed frame, no window', async () => {
  const { fake, core, openWindow } = await startTestShell();
  for (const name of invokeChannels) {
    const r = await fake.invoke(ipcChannel(name), new FakeFrame('app://tidings/index.html'), valid[name]);
    assert.deepEqual(r, { ok: false, error: FOREIGN_SENDER }, `${name} before any window`);
  }
  const w = openWindow();
  const foreign = [new FakeFrame('https://evil.example/'), new FakeFrame('app://tidings/index.html'), null];
  for (const name of invokeChannels) {
    for (const frame of foreign) assert.deepEqual(await fake.invoke(ipcChannel(name), frame, valid[name]), { ok: false, error: FOREIGN_SENDER }, name);
  }
  // The same frame under a fresh wrapper object is still ours; a subframe in the same process is not.
  const main = w.webContents.mainFrame;
  assert.equal((await fake.invoke(ipcChannel('getCounts'), new FakeFrame(main.url, main.processId, main.routingId), {}) as { ok: boolean }).ok, true);
  assert.deepEqual(await fake.invoke(ipcChannel('getCounts'), new FakeFrame(main.url, main.processId, main.routingId + 1000), {}), { ok: false, error: FOREIGN_SENDER });
  core.calls.length = 0;
  // Our own main frame after it navigated elsewhere (navigation is blocked, but the check doesn't rely on it).
  w.webContents.mainFrame.url = 'https://evil.example/';
  assert.deepEqual(await fake.invoke(ipcChannel('getCounts'), w.webContents.mainFrame, {}), { ok: false, error: FOREIGN_SENDER });
  assert.equal(core.calls.length, 0);
});

test('every channel refuses invalid arguments with a field error', async () => {
  const { fake, core, openWindow } = await startTestShell();
  const frame = openWindow().webContents.mainFrame;
  for (const name of invokeChannels) {
    for (const arg of invalid(name)) {
      const r = (await fake.invoke(ipcChannel(name), frame, arg)) as { ok: boolean; error: { field: string; message: string } };
      assert.equal(r.ok, false, `${name} accepted ${JSON.stringify(arg)}`);
      assert.equal(typeof r.error.message, 'string');
    }
  }
  assert.equal(core.calls.length, 0);
  const r = (await fake.invoke(ipcChannel('download'), frame, { version: 'not-semver' })) as { error: { field: string } };
  assert.equal(r.error.field, 'version');
  const p = (await fake.invoke(ipcChannel('publish'), frame, { kind: 'news', channel: 'stable', title: ' ', body: '' })) as { error: { field: string; message: string } };
  assert.deepEqual(p.error, { field: 'title', message: 'must not be empty' });
});

test('a handler that throws gives plain words, never a stack; the stack goes to the log', async () => {
  const { fake, core, logs, openWindow } = await startTestShell();
  const frame = openWindow().webContents.mainFrame;
  core.state.fail = 'getCounts';
  const r = await fake.invoke(ipcChannel('getCounts'), frame, {});
  assert.deepEqual(r, { ok: false, error: INTERNAL_ERROR });
  assert.doesNotMatch(JSON.stringify(r), /secretFunction|core\.ts|at /);
  assert.ok(logs.some((l) => l.includes('secretFunction')));
});

test('saveSource reaches the core, which keeps sources; the token seal main gives it uses the OS keychain', async () => {
  const { fake, core, openWindow, shell } = await startTestShell();
  const settings = shell.settings;
  const frame = openWindow().webContents.mainFrame;
  await fake.invoke(ipcChannel('saveSource'), frame, valid.saveSource);
  assert.equal((core.called('saveSource')[0] as { token: string }).token, 's3cret');
  const seal = settings.tokenSeal();
  const sealed = seal.seal('s3cret');
  assert.doesNotMatch(sealed, /s3cret/);
  assert.match(sealed, /safeStorage/);
  assert.equal(seal.open(sealed), 's3cret');
  assert.equal(seal.open('not a sealed token'), null);
});

test('install flow: only a verified file, re-hashed before opening', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { createHash } = await import('node:crypto');
  const path = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { fake, core, openWindow } = await startTestShell();
  const frame = openWindow().webContents.mainFrame;
  const none = (await fake.invoke(ipcChannel('openInstaller'), frame, {})) as { value: { ok: boolean } };
  assert.equal(none.value.ok, false);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-dl-')), 'Tidings-2.1.0.AppImage');
  writeFileSync(file, 'installer bytes');
  core.state.verified = { path: file, version: '2.1.0', sha256: createHash('sha256').update('installer bytes').digest('hex') };
  assert.deepEqual(await fake.invoke(ipcChannel('openInstaller'), frame, {}), { ok: true, value: { ok: true } });
  assert.deepEqual(fake.calls.openPath, [file]);
  await fake.invoke(ipcChannel('showInFolder'), frame, {});
  assert.deepEqual(fake.calls.showItemInFolder, [file]);
  writeFileSync(file, 'swapped after verification');
  const swapped = (await fake.invoke(ipcChannel('openInstaller'), frame, {})) as { value: { ok: boolean } };
  assert.equal(swapped.value.ok, false);
  assert.equal(fake.calls.openPath.length, 1);
  // A path from the renderer is not even part of the contract.
  const withPath = (await fake.invoke(ipcChannel('openInstaller'), frame, { path: '/bin/sh' })) as { ok: boolean };
  assert.equal(withPath.ok, false);
});

test('raw IPC lives only in the two typed wrappers (and events leave main only through window.ts)', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const files = ['electron/main', 'electron/preload'].flatMap((d) => readdirSync(d, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts')).map((f) => path.join(d, f).replaceAll('\\', '/')));
  const uses = (pattern: RegExp) => files.filter((f) => readFileSync(f, 'utf8').split('\n').some((l) => !l.trim().startsWith('//') && pattern.test(l))).sort();
  assert.deepEqual(uses(/\bipcMain\s*\.\s*(handle|handleOnce|on|once|off|addListener|removeHandler|removeListener|removeAllListeners|emit)\b/), ['electron/main/ipc.ts']);
  // index.ts only hands ipcRenderer to buildApi (api.ts), which makes every invoke and subscription.
  assert.deepEqual(uses(/\bipcRenderer\b/), ['electron/preload/index.ts']);
  assert.deepEqual(uses(/\.invoke\s*\(/), ['electron/preload/api.ts']);
  assert.deepEqual(uses(/\b(sendSync|sendToHost|postMessage|ipcRenderer\.send)\b/), []);
  assert.deepEqual(uses(/webContents\s*\.\s*send\s*\(/), ['electron/main/window.ts']);
});
