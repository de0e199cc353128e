// The shell on the real companion core (electron/core via createCoreBridge) against the embedded demo feed
// (preview/demo-feed.ts, the real feed service on loopback), with only Electron faked: what `npm start`
// runs, minus the Electron binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoFeed } from '../../preview/demo-feed.ts';
import { createCoreBridge } from '../../electron/main/core-bridge.ts';
import { loadAppConfig } from '../../electron/main/config.ts';
import { ipcChannel } from '../../shared/ipc/contract.ts';
import tidings from '../../build/tidings.config.json' with { type: 'json' };
import { startTestShell, tick } from './harness.ts';

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('real core + demo feed: tray offer, one release toast, verified download opened, clean quit, no repeat after restart', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-real-'));
  const settingsDir = mkdtempSync(path.join(tmpdir(), 'tidings-real-settings-'));
  const platform = `${process.platform}-${process.arch}`;
  const feed = await startDemoFeed({ dir, platform });
  const logs: string[] = [];
  const start = () => startTestShell({
    dir: settingsDir,
    now: Date.now,
    shell: {
      bridge: (settings) => createCoreBridge({
        config: loadAppConfig(tidings), settings, dataDir: path.join(dir, 'companion'), installedVersion: '2.0.3', platform,
        devFeed: { url: feed.url, publicKey: feed.publicKey, token: feed.publishToken }, log: (m) => logs.push(m),
      }),
    },
  });
  try {
    const { fake, openWindow } = await start();
    const tray = fake.trays[0]!;
    tray.click('Check for updates now');
    await until('the tray to show the offer', () => tray.tooltip.includes('Update 2.1.0 available'));
    assert.equal(tray.menu[0]!.label, 'Install 2.1.0…');
    await until('the release toast', () => fake.notifications.find((n) => n.options.title === 'Tidings 2.1.0 is available'));
    assert.equal(fake.notifications.filter((n) => n.options.title?.includes('2.1.0')).length, 1);

    const frame = openWindow().webContents.mainFrame;
    const call = (name: Parameters<typeof ipcChannel>[0], args: unknown) => fake.invoke(ipcChannel(name), frame, args) as Promise<{ ok: boolean; value: unknown }>;
    const dl = await call('download', { version: '2.1.0' });
    assert.equal(dl.ok, true, JSON.stringify(dl));
    await until('the verified download', async () => ((await call('getUpdate', {})).value as { view: { state: string } }).view.state === 'verified');
    const opened = await call('openInstaller', {});
    assert.deepEqual(opened, { ok: true, value: { ok: true } });
    assert.equal(fake.calls.openPath.length, 1);
    assert.match(fake.calls.openPath[0]!, /2\.1\.0/);

    tray.click('Quit');
    await until('the app to exit after the core closed', () => fake.calls.exited);

    // While the app is off the publisher posts news. After a restart on the same data the new post is told
    // once, and the release (and the old posts) are not told again.
    await feed.publish({ id: 'fresh-news', channel: 'news', kind: 'news', title: 'Fresh from the publisher', body: 'Hello **there**.' });
    const again = await start();
    again.fake.trays[0]!.click('Check for updates now');
    await until('the news toast after restart', () => again.fake.notifications.find((n) => n.options.title === 'Fresh from the publisher'));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(again.fake.notifications.map((n) => n.options.title), ['Fresh from the publisher']);
    // The first sync started at the head (old posts are read history): only the post published since is unread.
    assert.equal(again.fake.trays[0]!.tooltip, "Tidings — Update 2.1.0 available · 1 unread");
    again.fake.trays[0]!.click('Quit');
    await until('the second app to exit', () => again.fake.calls.exited);
  } finally {
    await feed.close();
    await tick();
  }
  assert.deepEqual(logs.filter((l) => /failed/.test(l)), []);
});
