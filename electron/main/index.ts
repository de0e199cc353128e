// The real entry: Electron's modules and electron-store in, everything else in shell.ts (tested against a
// fake). Paths use import.meta.dirname (never a declared __dirname: it breaks electron-vite's ESM shim).
import { join } from 'node:path';
import { app, BrowserWindow, Tray, Menu, Notification, ipcMain, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol } from 'electron';
import Store from 'electron-store';
import rawConfig from '../../build/tidings.config.json' with { type: 'json' };
import type { ElectronApi } from './electron-api.ts';
import { startShell } from './shell.ts';
import { settingsStoreOptions, type StoredSettings } from './settings.ts';
import { loadAppConfig } from './config.ts';
import { APP_ORIGIN } from './hardening.ts';
import { createCoreBridge } from './core-bridge.ts';

const api: ElectronApi = { app, BrowserWindow, Tray, Menu, Notification, ipcMain, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol };
const config = loadAppConfig(rawConfig);
// electron-vite dev serves the renderer from localhost; startShell accepts that only when not packaged.
const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;

startShell(api, {
  bridge: (settings) => createCoreBridge({ config, settings, dataDir: app.getPath('userData'), downloadsDir: app.getPath('downloads'), demo: !app.isPackaged }),
  settingsStore: new Store<StoredSettings>(settingsStoreOptions()),
  preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
  pageUrl: devUrl ?? `${APP_ORIGIN}/index.html`,
  rendererDir: devUrl ? null : join(import.meta.dirname, '../renderer'),
  allowedHosts: config.allowedHosts,
  product: config.product,
}).catch((e: unknown) => {
  console.error('[tidings] failed to start:', e);
  app.quit();
});
