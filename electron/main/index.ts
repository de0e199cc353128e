// The real entry: Electron's modules and electron-store in, everything else in shell.ts (tested against a
// fake). Paths use import.meta.dirname (never a declared __dirname: it breaks electron-vite's ESM shim).
// Started with --tidings-watchdog <plan>, this process is the update watchdog instead (docs/rollback.md): no
// window, no single-instance lock, only the hand-off, then exit.
import { join } from 'node:path';
import { app, BrowserWindow, Tray, Menu, Notification, ipcMain, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol, screen, net } from 'electron';
import Store from 'electron-store';
import rawConfig from '../../build/tidings.config.json' with { type: 'json' };
import type { ElectronApi } from './electron-api.ts';
import { startShell, type Shell } from './shell.ts';
import { settingsStoreOptions, type StoredSettings } from './settings.ts';
import { loadAppConfig } from './config.ts';
import { APP_ORIGIN } from './hardening.ts';
import { createCoreBridge, type DevFeed } from './core-bridge.ts';
import { filePickers } from './publisher.ts';
import { installSetupFor, watchdogPlan } from './update-install.ts';
import { takeResumeState } from '../core/apply/health.ts';

const plan = watchdogPlan(process.argv);
if (plan !== null) {
  app.dock?.hide();
  void import('../core/apply/watchdog.ts')
    .then(({ runWatchdog }) => runWatchdog(plan))
    .catch((e: unknown) => console.error('[tidings] watchdog failed:', e))
    .finally(() => app.exit(0));
} else {
  startApp();
}

function startApp(): void {
  const api: ElectronApi = { app, BrowserWindow, Tray, Menu, Notification, ipcMain, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol, screen, net };
  const config = loadAppConfig(rawConfig);
  // electron-vite dev serves the renderer from localhost, and `npm start` hands over its demo feed; both are
  // honoured only when not packaged (startShell refuses a non-app:// page in a packaged app anyway).
  const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
  const devFeed = !app.isPackaged && process.env['TIDINGS_DEV_FEED'] ? (JSON.parse(process.env['TIDINGS_DEV_FEED']) as DevFeed) : null;
  const log = (msg: string) => console.log(`[tidings] ${msg}`);
  const dataDir = join(app.getPath('userData'), 'companion');
  let started: Shell | null = null;

  startShell(api, {
    bridge: (settings) => createCoreBridge({
      config, settings, dataDir, installedVersion: app.getVersion(),
      platform: `${process.platform}-${process.arch}`, devFeed, log, pickers: filePickers(api.dialog),
      install: installSetupFor({
        platform: process.platform, execPath: process.execPath, argv: process.argv, env: process.env, cwd: process.cwd(),
        resourcesPath: process.resourcesPath, isPackaged: app.isPackaged, dataDir, log,
        windowVisible: () => started?.windows.current() != null,
      }),
    }),
    settingsStore: new Store<StoredSettings>(settingsStoreOptions()),
    preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
    pageUrl: devUrl ?? `${APP_ORIGIN}/index.html`,
    rendererDir: devUrl ? null : join(import.meta.dirname, '../renderer'),
    allowedHosts: config.allowedHosts,
    product: config.product,
    appId: config.appId,
    // After an update restart: open the way the user had it (read once, then gone from the environment).
    resume: takeResumeState(),
    log,
  }).then((shell) => {
    started = shell;
    // Real-binary smoke test (test/main/fuses.test.ts, skipped where no Electron binary exists): report
    // what the real tray shows, then quit. Honoured only when not packaged.
    if (shell && !app.isPackaged && process.env['TIDINGS_SMOKE'] === '1') {
      const view = shell.tray.last();
      console.log(`SMOKE_REPORT ${JSON.stringify({ tooltip: view?.tooltip ?? null, labels: view?.menu.map((m) => m.label ?? '---') ?? [] })}`);
      app.quit();
    }
  }).catch((e: unknown) => {
    console.error('[tidings] failed to start:', e);
    app.quit();
  });
}
