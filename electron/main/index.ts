// The standalone Tidings app: the library's reference user. It starts through `tidings/electron` like any host
// app would, with ownsApp, the tray and Tidings' own window on, and imports nothing else of Tidings (a lint
// rule in eslint.config.mjs holds this: only electron/lib's public entry points). If the app needs something,
// the library offers it. Paths use import.meta.dirname (never a declared __dirname: it breaks electron-vite's
// ESM shim).
import { join } from 'node:path';
import { app, BrowserWindow, Tray, Menu, Notification, ipcMain, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol, screen, net } from 'electron';
import Store from 'electron-store';
import rawConfig from '../../build/tidings.config.json' with { type: 'json' };
import {
  attachTidings, runWatchdogIfAsked, settingsStoreOptions, TidingsConfigError, APP_ORIGIN,
  type ElectronApi, type SourceConfig, type StoredSettings,
} from '../lib/electron.ts';

/** build/tidings.config.json (checked against its schema by test/main/packaging.test.ts at build time). */
interface BakedConfig {
  appId: string;
  product: string;
  defaultFeedUrl: string;
  publisherKeys: readonly { keyId: string; publicKey: string }[];
  allowedHosts: readonly string[];
}

/** A development feed handed over by `npm start` (scripts/start.ts) through TIDINGS_DEV_FEED. */
interface DevFeed { url: string; publicKey: string; token: string }

const api: ElectronApi = { app, BrowserWindow, Tray, Menu, Notification, ipcMain, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol, screen, net };

// Started with --tidings-watchdog <plan>, this process is the update watchdog instead (docs/rollback.md).
if (!runWatchdogIfAsked(api)) startApp();

function startApp(): void {
  const config: BakedConfig = rawConfig;
  // electron-vite dev serves the renderer from localhost, `npm start` hands over its demo feed, and a
  // development build may add a publisher key (TIDINGS_DEV_PUBLISHER_KEYS, comma-separated; the boot test
  // uses it): all honoured only when not packaged, so a packaged app trusts exactly the keys it was built with
  // and, without any, refuses to start (electron-builder's beforePack already refuses to package it).
  const dev = !app.isPackaged;
  const devUrl = dev ? process.env['ELECTRON_RENDERER_URL'] : undefined;
  const devFeed = dev && process.env['TIDINGS_DEV_FEED'] ? (JSON.parse(process.env['TIDINGS_DEV_FEED']) as DevFeed) : null;
  const devKeys = dev ? (process.env['TIDINGS_DEV_PUBLISHER_KEYS'] ?? '').split(',').map((k) => k.trim()).filter(Boolean) : [];
  const demo: SourceConfig[] | null = devFeed ? [{ kind: 'feed-v1', id: 'demo', name: 'Demo feed', url: devFeed.url, token: devFeed.token, live: true, publisher: true }] : null;

  attachTidings(api, {
    ...(demo ? { sources: demo } : { feed: { url: config.defaultFeedUrl, name: config.product } }),
    publisherKeys: [...config.publisherKeys.map((k) => k.publicKey), ...devKeys, ...(devFeed ? [devFeed.publicKey] : [])],
    productName: config.product,
    appId: config.appId,
    allowedHosts: config.allowedHosts,
    // Where the standalone app has always kept its data and settings (an update must find them).
    dataDir: join(app.getPath('userData'), 'companion'),
    settingsStore: new Store<StoredSettings>(settingsStoreOptions()),
    ownsApp: true,
    tray: true,
    window: {
      preloadPath: join(import.meta.dirname, '../preload/index.cjs'),
      pageUrl: devUrl ?? `${APP_ORIGIN}/index.html`,
      rendererDir: devUrl ? null : join(import.meta.dirname, '../renderer'),
    },
    publisher: true,
    allowLoopbackHttp: devFeed !== null,
  }).then((tidings) => {
    // Real-binary smoke test (test/main/fuses.test.ts, skipped where no Electron binary exists): report
    // what the real tray shows, then quit. Honoured only when not packaged.
    if (dev && process.env['TIDINGS_SMOKE'] === '1') {
      const view = tidings.shell.tray.last();
      console.log(`SMOKE_REPORT ${JSON.stringify({ tooltip: view?.tooltip ?? null, labels: view?.menu.map((m) => m.label ?? '---') ?? [] })}`);
      app.quit();
    }
  }).catch((e: unknown) => {
    // Another instance already runs: it got focus, and this one quits quietly.
    if (e instanceof TidingsConfigError && e.option === 'ownsApp') return;
    if (e instanceof TidingsConfigError) console.error(`[tidings] failed to start: ${e.message}`);
    else console.error('[tidings] failed to start:', e);
    app.quit();
  });
}
