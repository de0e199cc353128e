// Starts the real shell (electron/main/shell.ts) against the fake Electron API, a stub core and a real
// settings file (conf: electron-store's engine, without Electron) in a temp directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { startShell, type ShellOptions } from '../../electron/main/shell.ts';
import { settingsStoreOptions, type StoredSettings } from '../../electron/main/settings.ts';
import { fakeElectron } from './fake-electron.ts';
import { stubCore } from './stub-core.ts';

export const PAGE = 'app://tidings/index.html';

export function openStore(dir: string, projectVersion = '0.1.0') {
  return new Conf<StoredSettings>({ ...settingsStoreOptions(), cwd: dir, configName: 'settings', projectVersion });
}

export async function startTestShell(o: { dir?: string; fake?: Parameters<typeof fakeElectron>[0]; core?: ReturnType<typeof stubCore>; now?: () => number; shell?: Partial<ShellOptions> } = {}) {
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), 'tidings-main-'));
  const fake = fakeElectron(o.fake);
  const core = o.core ?? stubCore();
  const logs: string[] = [];
  const store = openStore(dir);
  const shell = await startShell(fake.api, {
    bridge: core.bridge, settingsStore: store, preloadPath: '/app/out/preload/index.cjs', pageUrl: PAGE, rendererDir: null,
    allowedHosts: ['example.com'], product: 'Tidings', now: o.now ?? (() => Date.UTC(2026, 10, 24, 12)), log: (m) => logs.push(m), ...o.shell,
  });
  /** Opens the window and lets its page "load", so IPC from its main frame counts as ours. */
  const openWindow = () => {
    shell!.windows.show();
    const w = fake.windows.at(-1)!;
    w.finishLoad();
    return w;
  };
  return { dir, fake, core, logs, store, shell: shell!, openWindow };
}

export const tick = () => new Promise((r) => setImmediate(r));
