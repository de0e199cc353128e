// The real electron-updater (the pinned devDependency) in plain Node, as its own tests run it: its
// AppImageUpdater with a small app adapter standing in for Electron's `app` and an executor over node:https
// standing in for Electron's `net`. One check = `checkForUpdates()` of an install already on the newest
// version: its generic provider fetches latest-linux.yml (cache-busted, the whole file every time).
// Each check opens a fresh connection with a full TLS handshake (`agent: false`): the anchor of row 3b is
// electron-updater's check at the cadence of a routine check, which as shipped pays a full handshake.
import { request as httpsRequest } from 'node:https';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppImageUpdater as AppImageUpdaterType } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import type * as BuilderUtilRuntime from 'builder-util-runtime';

const require = createRequire(import.meta.url);

export interface ElectronUpdaterClient {
  /** One routine check; resolves with whether electron-updater saw an update. */
  check(): Promise<boolean>;
  done(): void;
}

/** An installed AppImage of `version` whose app-update.yml points at `feedUrl`/electron-updater. */
export function electronUpdater(feedUrl: string, version: string, token: string): ElectronUpdaterClient {
  const { AppImageUpdater } = require('electron-updater') as { AppImageUpdater: typeof AppImageUpdaterType };
  const runtime = createRequire(require.resolve('electron-updater'))('builder-util-runtime') as typeof BuilderUtilRuntime;
  class HttpsExecutor extends runtime.HttpExecutor<ClientRequest> {
    createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
      return httpsRequest({ ...options, agent: false }, callback);
    }
    download(): Promise<string> {
      return Promise.reject(new Error('the benchmark only checks'));
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'tidings-bench-eu-'));
  writeFileSync(join(root, 'app-update.yml'), `provider: generic\nurl: ${feedUrl}/electron-updater\nupdaterCacheDirName: tidings-bench-updater\n`);
  const appImage = join(root, `Tidings-${version}.AppImage`);
  writeFileSync(appImage, `installed ${version}`);
  process.env.APPIMAGE = appImage;
  const adapter: AppAdapter = {
    version, name: 'Tidings Bench', isPackaged: true, appUpdateConfigPath: join(root, 'app-update.yml'),
    userDataPath: join(root, 'userData'), baseCachePath: join(root, 'cache'),
    whenReady: () => Promise.resolve(), relaunch: () => {}, quit: () => {}, onQuit: () => {},
  };
  const updater = new AppImageUpdater(null, adapter);
  (updater as unknown as { httpExecutor: HttpsExecutor }).httpExecutor = new HttpsExecutor();
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  if (token) updater.addAuthHeader(`Bearer ${token}`);
  updater.logger = null;
  return {
    async check() {
      const r = await updater.checkForUpdates();
      if (!r) throw new Error('electron-updater did not check');
      return r.isUpdateAvailable;
    },
    done: () => rmSync(root, { recursive: true, force: true }),
  };
}
