// `tidings/updater`: electron-updater's AppUpdater surface (methods, properties, events and payload shapes of
// 6.8.10) over a Tidings companion, so an app switches by changing one import. Where Tidings is deliberately
// safer it says so in docs/migrate-from-electron-updater.md: a channel change never downgrades by itself,
// every release is signature-checked against built-in keys (there is no switch to turn that off), and
// allowPrerelease means following the experimental channel.
//
// The updater holds no update state of its own: the companion's store decides what is offered, downloaded and
// installed, so the inbox window, the tray and this API can never disagree.
import { EventEmitter } from 'node:events';
import SemVer from 'semver/classes/semver.js';
import type { Companion, DownloadEvent, ReleaseInfo, UpdateChannel } from '../core/api.ts';
import { isUpdateChannel } from '../../shared/channels.ts';
import type {
  DownloadNotification, Logger, ProgressInfo, UpdateCheckResult, UpdateDownloadedEvent, UpdateInfo, UpdaterEvents,
} from './updater-types.ts';

export type * from './updater-types.ts';

/** The slice of Electron's `app` the updater needs (the test fake and any host app fit). */
export interface UpdaterApp {
  quit(): void;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
}

export interface UpdaterOptions {
  companion: Companion;
  /** The running app's version (Electron: app.getVersion()). */
  currentVersion: string;
  /** Quits for quitAndInstall and installs at quit (autoInstallOnAppQuit). */
  app: UpdaterApp;
  /**
   * Restart to Update through a shell that already owns the quit (tidings/electron passes its own: it asks the
   * host's beforeQuitForUpdate veto and quits). Default: apply through the companion, then app.quit().
   */
  restartToUpdate?: () => Promise<{ ok: true } | { ok: false; message: string }>;
  /** An install that can't apply updates itself: open the verified installer (tidings/electron passes its own). */
  openInstaller?: () => Promise<{ ok: true } | { ok: false; message: string }>;
  /** The shell already installs at quit (tidings/electron): the updater then adds no before-quit listener. */
  shellInstallsAtQuit?: boolean;
  /** checkForUpdatesAndNotify's OS notification (tidings/electron passes Electron's Notification). */
  notify?: (n: DownloadNotification) => void;
  /** The app's name in that notification. Default 'The app'. */
  appName?: string;
  logger?: Logger | null;
}

/** electron-updater's channel names, and what each means here. 'latest' is electron-updater's default channel. */
const CHANNEL_ALIASES: Readonly<Record<string, UpdateChannel>> = {
  latest: 'stable', stable: 'stable', beta: 'experimental', alpha: 'experimental', experimental: 'experimental',
};

/** How long quitAndInstall waits for install-at-quit before quitting anyway (as the shell's lifecycle does). */
const INSTALL_AT_QUIT_MS = 120_000;

/** Stands in for builder-util-runtime's CancellationToken: downloadUpdate(token) stops when token.cancel() is called. */
export class CancellationToken {
  #cancelled = false;
  #listeners = new Set<() => void>();
  get cancelled(): boolean { return this.#cancelled; }
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#listeners.forEach((l) => l());
  }
  /** Internal: called once on cancel; returns an unsubscribe. */
  onCancel(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export class TidingsUpdater extends EventEmitter {
  /** Download an offered update as soon as it is found. Default true (as electron-updater). */
  autoDownload = true;
  /** Install a downloaded update when the app quits, if quitAndInstall was not called. Default true. */
  autoInstallOnAppQuit = true;
  /** Kept for compatibility; the relaunch after an install is always done by the Tidings watchdog. */
  autoRunAppAfterInstall = true;
  /**
   * Offer the explicit downgrade target (the newest release of a channel below the running version, e.g. after
   * experimental → stable) as an update. Default false. Unlike electron-updater, setting `channel` never turns this on.
   */
  allowDowngrade = false;
  /** Kept for compatibility; Tidings has no web installers. */
  disableWebInstaller = false;
  /** Kept for compatibility; Tidings always picks its cheapest verified download (docs/delta.md). */
  disableDifferentialDownload = false;
  /** Kept for compatibility; Tidings' release notes are always the offered release's own. */
  fullChangelog = false;
  /** Kept for compatibility; Tidings has no app-update.yml. */
  forceDevUpdateConfig = false;
  readonly currentVersion: SemVer;

  readonly #o: UpdaterOptions;
  #logger: Logger | null;
  /** The channel set through `channel` (electron-updater returns null until it is set). */
  #channelSet: string | null = null;
  #checking: Promise<UpdateCheckResult | null> | null = null;
  #downloading: Promise<string[]> | null = null;
  #quitting = false;
  #offQuit: (() => void) | null = null;

  constructor(options: UpdaterOptions) {
    super();
    this.#o = options;
    this.currentVersion = new SemVer(options.currentVersion);
    this.#logger = options.logger === undefined ? console : options.logger;
    // An 'error' event with no listener would throw out of EventEmitter; electron-updater logs it instead.
    this.on('error', (e) => this.#logger?.error(`Error: ${e.message}`));
    if (!options.shellInstallsAtQuit) this.#listenForQuit();
  }

  // ---------------------------------------------------------------- typed events (electron-updater's names)
  override on<K extends keyof UpdaterEvents>(event: K, listener: UpdaterEvents[K]): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }
  override once<K extends keyof UpdaterEvents>(event: K, listener: UpdaterEvents[K]): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }
  override off<K extends keyof UpdaterEvents>(event: K, listener: UpdaterEvents[K]): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }
  override addListener<K extends keyof UpdaterEvents>(event: K, listener: UpdaterEvents[K]): this {
    return super.addListener(event, listener as (...args: unknown[]) => void);
  }
  override removeListener<K extends keyof UpdaterEvents>(event: K, listener: UpdaterEvents[K]): this {
    return super.removeListener(event, listener as (...args: unknown[]) => void);
  }
  override emit<K extends keyof UpdaterEvents>(event: K, ...args: Parameters<UpdaterEvents[K]>): boolean {
    return super.emit(event, ...args);
  }

  // ---------------------------------------------------------------- properties
  get logger(): Logger | null { return this.#logger; }
  set logger(value: Logger | null) { this.#logger = value; }

  /**
   * electron-updater's channel: 'latest' (its default) and 'stable' follow stable; 'beta', 'alpha' and
   * 'experimental' follow experimental. Any other name throws: Tidings has no such channel. Reading it returns
   * null until it was set, as electron-updater does. Switching never downgrades by itself (see allowDowngrade).
   */
  get channel(): string | null { return this.#channelSet; }
  set channel(value: string | null) {
    const target = value === null ? 'stable' : CHANNEL_ALIASES[value];
    if (!target) throw new Error(`Unknown update channel "${value}": use "latest" or "stable", or "beta" or "experimental".`);
    this.#channelSet = value;
    this.#o.companion.setChannel(target);
  }

  /** true while the app follows the experimental channel; setting it switches between experimental and stable. */
  get allowPrerelease(): boolean { return this.#o.companion.channel() === 'experimental'; }
  set allowPrerelease(value: boolean) {
    this.#o.companion.setChannel(value ? 'experimental' : 'stable');
  }

  /** Always true: the companion is always there to ask (electron-updater: false when no update config exists). */
  isUpdaterActive(): boolean { return true; }

  /** The feeds the companion follows (electron-updater: the provider's URL). */
  getFeedURL(): string | null {
    const s = this.#o.companion.sourceConfigs()[0];
    return s ? s.url : null;
  }

  // ---------------------------------------------------------------- methods
  /** Asks every feed now. Resolves with the offer (or the running version when there is none); rejects on failure. */
  checkForUpdates(): Promise<UpdateCheckResult | null> {
    this.#checking ??= this.#check().finally(() => { this.#checking = null; });
    return this.#checking;
  }

  /** checkForUpdates, then an OS notification once the update is downloaded (as electron-updater's). */
  async checkForUpdatesAndNotify(downloadNotification?: DownloadNotification): Promise<UpdateCheckResult | null> {
    const result = await this.checkForUpdates();
    const promise = result?.downloadPromise;
    if (!promise) return result;
    void promise.then(() => {
      const version = result.updateInfo.version;
      const name = this.#o.appName ?? 'The app';
      const n = downloadNotification ?? { title: 'A new update is ready to install', body: `{appName} version {version} has been downloaded and will be automatically installed on exit` };
      const fill = (s: string) => s.replace(/\{appName\}/g, name).replace(/\{version\}/g, version);
      if (this.#o.notify) this.#o.notify({ title: fill(n.title), body: fill(n.body) });
      else this.#logger?.info(`${fill(n.title)}: ${fill(n.body)}`);
    }, () => {});
    return result;
  }

  /** Downloads and verifies the offered update. Resolves with the verified file's path; rejects (and emits 'error') on failure. */
  downloadUpdate(cancellationToken?: CancellationToken): Promise<string[]> {
    const release = this.#target();
    if (!release) return Promise.reject(this.#fail(new Error('Please check update first')));
    this.#downloading ??= this.#download(release, cancellationToken).finally(() => { this.#downloading = null; });
    return this.#downloading;
  }

  /**
   * Installs the downloaded update and restarts into it (the Tidings watchdog relaunches the app and puts the
   * previous version back if the new one fails to start). Call it after 'update-downloaded'. `isSilent` and
   * `isForceRunAfter` are accepted for compatibility: installs are always silent and always relaunch.
   */
  quitAndInstall(_isSilent = false, _isForceRunAfter = false): void {
    void this.#quitAndInstall().catch((e: unknown) => this.#fail(e instanceof Error ? e : new Error(String(e))));
  }

  /** Stops listening to the app. The companion is the caller's to close. */
  dispose(): void {
    this.#offQuit?.();
    this.#offQuit = null;
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------- internals
  async #check(): Promise<UpdateCheckResult | null> {
    const c = this.#o.companion;
    this.emit('checking-for-update');
    this.#logger?.info('Checking for update');
    await c.checkAll();
    const release = this.#target();
    if (!release) {
      const failing = c.sources().filter((s) => s.lastError !== null);
      if (failing.length > 0 && failing.length === c.sources().length) {
        throw this.#fail(new Error(`Update check failed: ${failing[0]!.lastError}`));
      }
      const info = this.#notAvailableInfo();
      this.#logger?.info(`Update for version ${this.currentVersion.version} is not available (latest version: ${info.version}).`);
      this.emit('update-not-available', info);
      return { isUpdateAvailable: false, updateInfo: info, versionInfo: info };
    }
    const info = this.#info(release);
    this.#logger?.info(`Found version ${info.version} (url: ${info.path})`);
    this.emit('update-available', info);
    let downloadPromise: Promise<string[]> | null = null;
    if (this.autoDownload) {
      downloadPromise = this.downloadUpdate();
      // The result's downloadPromise is the caller's to await; unawaited, its failure is already an 'error' event.
      downloadPromise.catch(() => {});
    }
    return { isUpdateAvailable: true, updateInfo: info, versionInfo: info, downloadPromise };
  }

  /** The release an update would install now: the offer, or (only with allowDowngrade) the downgrade target. */
  #target(): ReleaseInfo | null {
    const c = this.#o.companion;
    const status = c.updateStatus();
    if (status.state === 'available') return status.offer.release;
    if (this.allowDowngrade) return c.downgradeTarget();
    return null;
  }

  async #download(release: ReleaseInfo, token?: CancellationToken): Promise<string[]> {
    const c = this.#o.companion;
    const info = this.#info(release);
    const started = Date.now();
    let last = 0;
    const off = c.on('download', (e) => {
      if (e.state !== 'progress' || e.version !== release.version) return;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      const p: ProgressInfo = {
        total: e.total, delta: Math.max(0, e.received - last), transferred: e.received,
        percent: e.total > 0 ? (e.received / e.total) * 100 : 0, bytesPerSecond: Math.round(e.received / seconds),
      };
      last = e.received;
      this.emit('download-progress', p);
    });
    const offCancel = token?.onCancel(() => c.cancelDownload());
    let result: DownloadEvent;
    try {
      if (token?.cancelled) throw new Error('cancelled');
      const downgrade = c.updateStatus().state !== 'available';
      result = downgrade ? await c.confirmDowngrade(release.version) : await c.download();
    } catch (e) {
      result = token?.cancelled ? { state: 'cancelled', version: release.version } : { state: 'failed', version: release.version, kind: 'error', message: String(e) };
    } finally {
      off();
      offCancel?.();
    }
    if (result.state === 'done') {
      const event: UpdateDownloadedEvent = { ...info, downloadedFile: result.path };
      this.#logger?.info(`New version ${info.version} has been downloaded to ${result.path}`);
      this.emit('update-downloaded', event);
      return [result.path];
    }
    if (result.state === 'cancelled') {
      this.emit('update-cancelled', info);
      throw new Error('cancelled');
    }
    throw this.#fail(new Error(result.state === 'failed' ? result.message : 'The download did not finish.'));
  }

  async #quitAndInstall(): Promise<void> {
    const c = this.#o.companion;
    if (!c.verifiedDownload()) throw new Error('No update has been downloaded: call downloadUpdate() and wait for update-downloaded first.');
    if (c.installMode() === 'manual') {
      // This install can't replace itself (a development run, an unrecognised install): the user runs the installer.
      const r = this.#o.openInstaller ? await this.#o.openInstaller() : { ok: false as const, message: 'This install can’t update itself: open the downloaded installer instead.' };
      if (!r.ok) throw new Error(r.message);
      this.#quitting = true;
      this.#o.app.quit();
      return;
    }
    if (this.#o.restartToUpdate) {
      const r = await this.#o.restartToUpdate();
      if (!r.ok) throw new Error(r.message);
      this.#quitting = true;
      return; // the shell quits
    }
    const r = await c.restartToUpdate();
    if (!r.ok) throw new Error(r.message);
    this.#quitting = true;
    this.#o.app.quit();
  }

  /** Without a shell: hold the first quit until a verified update is installed (if autoInstallOnAppQuit), then quit. */
  #listenForQuit(): void {
    let state: 'running' | 'installing' | 'done' = 'running';
    const onQuit = (event: { preventDefault(): void }) => {
      if (state === 'done' || this.#quitting || !this.autoInstallOnAppQuit) return;
      const c = this.#o.companion;
      if (!c.verifiedDownload() || !c.installAtQuitPossible()) return;
      event.preventDefault();
      if (state === 'installing') return;
      state = 'installing';
      const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), INSTALL_AT_QUIT_MS).unref());
      void Promise.race([c.installAtQuit(true), timeout]).catch(() => false).then((installed) => {
        if (installed) this.#logger?.info('The downloaded update was installed at quit');
        state = 'done';
        this.#o.app.quit();
      });
    };
    this.#o.app.on('before-quit', onQuit);
    this.#offQuit = () => { state = 'done'; };
  }

  #fail(e: Error): Error {
    this.emit('error', e, (e.stack ?? e.message).toString());
    return e;
  }

  #info(r: ReleaseInfo): UpdateInfo {
    const c = this.#o.companion;
    const item = c.listMessages({ channel: r.channel, kind: 'release', limit: 500 }).find((i) => i.version === r.version);
    const body = typeof (item?.record as { body?: unknown } | undefined)?.body === 'string' ? (item!.record as { body: string }).body : null;
    const asset = c.assetOf(r);
    const files = asset ? [{ url: asset.url, sha512: asset.sha512 ?? '', size: asset.size, sha256: asset.sha256 }] : [];
    const issued = r.issued ?? item?.created ?? 0;
    return {
      version: r.version, files, path: files[0]?.url ?? '', sha512: files[0]?.sha512 ?? '',
      releaseName: item?.title ?? r.version, releaseNotes: body, releaseDate: new Date(issued * 1000).toISOString(),
      ...(r.target?.rollout !== undefined ? { stagingPercentage: r.target.rollout } : {}),
      critical: r.critical, channel: isUpdateChannel(r.channel) ? r.channel : 'stable',
    };
  }

  /** electron-updater reports the server's latest version when there is nothing to install; here, the running one. */
  #notAvailableInfo(): UpdateInfo {
    const version = this.currentVersion.version;
    return { version, files: [], path: '', sha512: '', releaseDate: new Date(0).toISOString(), releaseName: null, releaseNotes: null };
  }
}

/** Creates the updater for a companion (what tidings/electron does for you). */
export function createUpdater(options: UpdaterOptions): TidingsUpdater {
  return new TidingsUpdater(options);
}
