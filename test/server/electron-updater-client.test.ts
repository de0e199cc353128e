// The acceptance test of issue 14's legacy feeds: the real electron-updater (the pinned devDependency), run in
// plain Node as its own tests run it — its AppImageUpdater with a small app adapter standing in for Electron's
// `app` and a Node HTTP executor standing in for Electron's `net` — checks a Tidings feed's latest-linux.yml,
// downloads the release and verifies its sha512, against a real feed service and a real asset server on
// loopback, with releases published by the real CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppImageUpdater as AppImageUpdaterType, UpdateInfo } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import type * as BuilderUtilRuntime from 'builder-util-runtime';
import type { DownloadOptions } from 'builder-util-runtime';
import { startFeed, type Feed } from './helpers.ts';
import { cli, httpServer } from './cli-helpers.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import type { SigningKey } from '../../shared/protocol/signing.ts';

// CommonJS packages: loaded with require, typed from their declarations. builder-util-runtime is
// electron-updater's own dependency (its HttpExecutor is what the Electron executor extends).
const require = createRequire(import.meta.url);
const { AppImageUpdater } = require('electron-updater') as { AppImageUpdater: typeof AppImageUpdaterType };
const runtime = createRequire(require.resolve('electron-updater'))('builder-util-runtime') as typeof BuilderUtilRuntime;

/** electron-updater's HTTP, over node:http instead of Electron's net module (as its own Node tests do). */
class NodeExecutor extends runtime.HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return httpRequest(options, callback);
  }

  /** The same shape as ElectronHttpExecutor.download: the base class streams, verifies sha512 and writes. */
  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions = { headers: options.headers ?? undefined };
      runtime.configureRequestUrl(url, requestOptions);
      runtime.configureRequestOptions(requestOptions);
      this.doDownload(requestOptions, {
        destination, options, onCancel, responseHandler: null,
        callback: (error) => (error == null ? resolve(destination) : reject(error)),
      }, 0);
    });
  }
}

/** Electron's `app` as electron-updater sees it (its AppAdapter): a packaged app of a given version. */
function appAdapter(version: string, root: string): AppAdapter {
  return {
    version,
    name: 'Tidings Example',
    isPackaged: true,
    appUpdateConfigPath: join(root, 'app-update.yml'),
    userDataPath: join(root, 'userData'),
    baseCachePath: join(root, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => {},
    quit: () => {},
    onQuit: () => {},
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tidings-eu-'));
const v2 = Buffer.alloc(1_500_000 + 11, 0x42);
const published21 = Buffer.alloc(40_000, 0x21);
const tampered21 = Buffer.alloc(40_000, 0x66);
let feed: Feed;
let assets: Awaited<ReturnType<typeof httpServer>>;
const assetRequests: string[] = [];

before(async () => {
  assets = await httpServer((req, res) => {
    assetRequests.push(req.url ?? '');
    // 2.1.0 is served with bytes other than those published: what a compromised mirror would do.
    const body = req.url === '/Tidings-2.0.0.AppImage' ? v2 : req.url === '/Tidings-2.1.0.AppImage' ? tampered21 : null;
    if (!body) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  feed = await startFeed({ allowLoopbackHttp: true });
  writeFileSync(join(dir, 'publisher.key'), signingKeyPem((feed.key as SigningKey & { pkcs8: Uint8Array }).pkcs8), { mode: 0o600 });
});
after(async () => {
  await feed.close();
  await assets.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `tidings publish release` as a release pipeline runs it: hashes the local file, publishes the asset URL. */
async function publish(version: string, bytes: Buffer, extra: string[] = []): Promise<void> {
  const local = join(dir, `Tidings-${version}.AppImage`);
  writeFileSync(local, bytes);
  const r = await cli(['publish', 'release', '--channel', 'stable', '--version', version,
    '--asset', `linux-x64=${local}@${assets.url}/Tidings-${version}.AppImage`, '--allow-insecure-loopback', ...extra],
  { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: feed.publishToken, TIDINGS_KEY_FILE: join(dir, 'publisher.key') });
  assert.equal(r.code, 0, r.stderr);
}

interface Run {
  updater: AppImageUpdaterType;
  events: string[];
  logs: string[];
  root: string;
}

/** An installed AppImage of `version` whose app-update.yml points at the feed, as electron-builder writes it. */
function installed(version: string): Run {
  const root = mkdtempSync(join(dir, `app-${version}-`));
  writeFileSync(join(root, 'app-update.yml'), `provider: generic\nurl: ${feed.url}/electron-updater\nupdaterCacheDirName: tidings-example-updater\n`);
  const appImage = join(root, `Tidings-${version}.AppImage`);
  writeFileSync(appImage, `old ${version}`);
  process.env.APPIMAGE = appImage;
  const updater = new AppImageUpdater(null, appAdapter(version, root));
  (updater as unknown as { httpExecutor: NodeExecutor }).httpExecutor = new NodeExecutor();
  // Tidings publishes no blockmaps: a full download (electron-updater would fall back to one anyway).
  updater.disableDifferentialDownload = true;
  updater.autoInstallOnAppQuit = false;
  updater.addAuthHeader(`Bearer ${feed.readToken}`);
  const logs: string[] = [];
  const log = (level: string) => (...args: unknown[]) => logs.push(`${level}: ${args.map(String).join(' ')}`);
  updater.logger = { info: log('info'), warn: log('warn'), error: log('error'), debug: log('debug') };
  const events: string[] = [];
  for (const e of ['checking-for-update', 'update-available', 'update-not-available', 'download-progress', 'update-downloaded', 'error'] as const) {
    updater.on(e as 'error', () => events.push(e));
  }
  return { updater, events, logs, root };
}

/** The event sequence with repeated progress events folded into one. */
const folded = (events: string[]) => events.filter((e, i) => !(e === 'download-progress' && events[i - 1] === 'download-progress'));

test('electron-updater checks latest-linux.yml, downloads the AppImage and verifies its sha512', async () => {
  await publish('2.0.0', v2, ['--title', 'Tidings 2.0.0']);
  const run = installed('1.0.0');
  const result = await run.updater.checkForUpdates();
  assert.ok(result, run.logs.join('\n'));
  assert.equal(result.isUpdateAvailable, true, run.logs.join('\n'));
  assert.equal(result.updateInfo.version, '2.0.0');
  assert.equal(result.updateInfo.releaseName, 'Tidings 2.0.0');
  const [downloaded] = (await result.downloadPromise) ?? [];
  assert.ok(downloaded, run.logs.join('\n'));
  assert.ok(readFileSync(downloaded).equals(v2), 'the file on disk is the published release');
  assert.deepEqual(folded(run.events), ['checking-for-update', 'update-available', 'download-progress', 'update-downloaded'], run.logs.join('\n'));
  assert.ok(assetRequests.includes('/Tidings-2.0.0.AppImage'));
});

test('an install already on the newest version is told there is nothing new', async () => {
  const run = installed('2.0.0');
  const result = await run.updater.checkForUpdates();
  assert.equal(result?.isUpdateAvailable, false, run.logs.join('\n'));
  assert.deepEqual(run.events, ['checking-for-update', 'update-not-available']);
});

test('a file that does not match the published sha512 is refused and not kept', async () => {
  await publish('2.1.0', published21);
  const run = installed('2.0.0');
  const result = await run.updater.checkForUpdates();
  assert.equal(result?.updateInfo.version, '2.1.0', run.logs.join('\n'));
  await assert.rejects(result?.downloadPromise ?? Promise.resolve(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_CHECKSUM_MISMATCH', String(err));
    return true;
  });
  assert.ok(!run.events.includes('update-downloaded'));
  assert.ok(run.events.includes('error'));
  const pending = join(run.root, 'cache', 'tidings-example-updater', 'pending');
  const left = existsSync(pending) ? readdirSync(pending).filter((f) => f.endsWith('.AppImage')) : [];
  assert.deepEqual(left, [], 'nothing that failed verification is left to install');
});

test('a release at rollout 0 reaches no one through stagingPercentage', async () => {
  await publish('2.2.0', Buffer.alloc(1000, 0x22), ['--rollout', '0']);
  const run = installed('2.0.0');
  const result = await run.updater.checkForUpdates();
  const info = result?.updateInfo as UpdateInfo;
  assert.equal(info.version, '2.2.0');
  assert.equal(info.stagingPercentage, 0);
  assert.equal(result?.isUpdateAvailable, false, run.logs.join('\n'));
  assert.deepEqual(run.events, ['checking-for-update', 'update-not-available']);
});
