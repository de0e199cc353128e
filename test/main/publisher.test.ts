// The publisher page in the desktop app: the key and the files are chosen in the shell's native Open
// dialogs (the fake's dialog.showOpenDialog), and the shell's IPC reaches the real core's publisher, which
// publishes to the demo feed service on loopback. Only Electron is faked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoFeed } from '../../preview/demo-feed.ts';
import { createCoreBridge } from '../../electron/main/core-bridge.ts';
import { desktopPublisher, filePickers } from '../../electron/main/publisher.ts';
import { loadAppConfig } from '../../electron/main/config.ts';
import type { OpenDialogOptions } from '../../electron/main/electron-api.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import { ipcChannel, type InvokeChannel } from '../../shared/ipc/contract.ts';
import tidings from '../../build/tidings.config.json' with { type: 'json' };
import { fakeElectron, type FakeElectron } from './fake-electron.ts';
import { startTestShell, tick } from './harness.ts';

test('the key and file choosers are the shell\'s Open dialogs: one file each, its path, or null on Cancel', async () => {
  const fake = fakeElectron();
  const pickers = filePickers(fake.api.dialog);
  fake.state.openDialogAnswers.push('/home/me/publisher.key', null, '/tmp/Tidings-2.2.0.AppImage');
  assert.equal(await pickers.pickKeyFile(), '/home/me/publisher.key');
  assert.equal(await pickers.pickKeyFile(), null);
  assert.equal(await pickers.pickAssetFile(), '/tmp/Tidings-2.2.0.AppImage');
  assert.deepEqual(fake.calls.openDialogs.map((o) => o.title), ['Choose Your Signing Key', 'Choose Your Signing Key', 'Choose a File to Publish']);
  for (const o of fake.calls.openDialogs) {
    assert.ok(o.properties?.includes('openFile'));
    assert.ok(!o.properties?.includes('multiSelections') && !o.properties?.includes('openDirectory'));
  }
  assert.deepEqual(fake.calls.openDialogs[0]!.filters?.[0]?.extensions, ['key', 'pem']);
});

test('only a publisher source with a token gives the desktop app a publisher', () => {
  const pickers = { pickKeyFile: async () => null, pickAssetFile: async () => null };
  assert.equal(desktopPublisher({ sources: [{ kind: 'feed-v1', id: 'default', url: 'https://feed.example.com' }], allowLoopbackHttp: false }, pickers), null);
  assert.equal(desktopPublisher({ sources: [{ kind: 'feed-v1', id: 'p', url: 'https://feed.example.com', publisher: true }], allowLoopbackHttp: false }, pickers), null);
  assert.ok(desktopPublisher({ sources: [{ kind: 'feed-v1', id: 'p', url: 'https://feed.example.com', publisher: true, token: 't' }], allowLoopbackHttp: false }, pickers));
});

test('desktop app: key and file chosen in native dialogs, hashed with progress sent to the window, published once on the feed', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-main-pub-'));
  const platform = `${process.platform}-${process.arch}`;
  const feed = await startDemoFeed({ dir, platform });
  const keyFile = path.join(dir, 'publisher.key');
  writeFileSync(keyFile, signingKeyPem(feed.pkcs8), { mode: 0o600 });
  const bytes = randomBytes(2 * 1024 * 1024 + 5);
  const asset = path.join(dir, 'Tidings-2.2.0.AppImage');
  writeFileSync(asset, bytes);
  // The shell is built inside startTestShell; its dialog is the fake's, reached once the fake exists.
  let fake: FakeElectron | null = null;
  const dialog = { showOpenDialog: (o: OpenDialogOptions) => fake!.api.dialog.showOpenDialog(o) };
  const logs: string[] = [];
  const started = await startTestShell({
    dir: mkdtempSync(path.join(tmpdir(), 'tidings-main-pub-settings-')),
    now: Date.now,
    shell: {
      bridge: (settings) => createCoreBridge({
        config: loadAppConfig(tidings), settings, dataDir: path.join(dir, 'companion'), installedVersion: '2.0.3', platform,
        devFeed: { url: feed.url, publicKey: feed.publicKey, token: feed.publishToken }, log: (m) => logs.push(m), pickers: filePickers(dialog),
      }),
    },
  });
  fake = started.fake;
  try {
    const window = started.openWindow();
    const replies: unknown[] = [];
    const call = async (name: InvokeChannel, args: unknown) => {
      const reply = (await fake!.invoke(ipcChannel(name), window.webContents.mainFrame, args)) as { ok: boolean; value: { ok: boolean; error?: { field: string; message: string } } & Record<string, unknown> };
      replies.push(reply);
      assert.equal(reply.ok, true, JSON.stringify(reply));
      return reply.value;
    };
    const release = (handle: string) => ({
      kind: 'release', channel: 'stable', version: '2.2.0', title: 'Tidings 2.2.0', notes: 'Faster.', critical: false, rollout: 100, platforms: [],
      assets: [{ platform, handle, url: 'https://downloads.example.com/2.2.0/Tidings-2.2.0.AppImage' }],
    });

    fake.state.openDialogAnswers.push(asset);
    const hashed = await call('hashFile', {}) as unknown as { ok: true; file: { fileName: string; sha256: string; size: number; handle: string } };
    assert.equal(hashed.file.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(hashed.file.size, bytes.length);
    const progress = window.webContents.sent.filter((s) => s.channel === ipcChannel('hashProgress')).map((s) => s.payload as { fileName: string; done: number; total: number });
    assert.deepEqual(progress.at(-1), { fileName: 'Tidings-2.2.0.AppImage', done: bytes.length, total: bytes.length });

    const noKey = await call('publish', release(hashed.file.handle));
    assert.equal(noKey.ok, false);
    assert.equal(noKey.error?.field, 'key');

    fake.state.openDialogAnswers.push(keyFile);
    assert.deepEqual(await call('chooseKey', {}), { ok: true, key: { keyId: feed.keyId, fileName: 'publisher.key' } });
    const [a, b] = await Promise.all([call('publish', release(hashed.file.handle)), call('publish', release(hashed.file.handle))]);
    assert.equal(a.ok && b.ok, true, JSON.stringify([a, b]));
    assert.equal((a.item as { id: string }).id, (b.item as { id: string }).id);
    assert.ok(window.webContents.sent.some((s) => s.channel === ipcChannel('changed') && (s.payload as { topics: string[] }).topics.includes('publisher')));

    const page = await (await fetch(`${feed.url}/v1/channels/stable/messages?after=0`)).json() as { messages: { release?: { version: string; assets: unknown[] } }[] };
    const published = page.messages.filter((m) => m.release?.version === '2.2.0');
    assert.equal(published.length, 1);
    assert.deepEqual(published[0]!.release!.assets, [{ platform, url: 'https://downloads.example.com/2.2.0/Tidings-2.2.0.AppImage', sha256: hashed.file.sha256, size: bytes.length }]);
    const listed = await call('listPublished', {}) as unknown as { items: { version?: string }[] };
    assert.ok(listed.items.some((i) => i.version === '2.2.0'));
    assert.ok(!JSON.stringify(replies).includes(dir), 'no path reaches the renderer');

    started.fake.trays[0]!.click('Quit');
    await tick();
  } finally {
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(logs.filter((l) => /failed/.test(l)), []);
});
