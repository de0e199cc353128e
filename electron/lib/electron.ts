// `tidings/electron`: Tidings inside a host Electron app. attachTidings(electron, options) starts the companion
// on the host's lifecycle — scheduled checks, OS notifications, an optional tray and an optional Tidings window
// (inbox, updates, settings), the verified install and relaunch — and hands back the companion, an
// electron-updater-compatible updater and the publisher's messages as events. The standalone Tidings app is
// this function with ownsApp, tray and window on (electron/main/index.ts): it has no other way in.
//
// `electron` is the host's Electron modules (import * as electron from 'electron'), typed as the slice the shell
// uses (electron/main/electron-api.ts), so the tests run the very same code against a fake.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ElectronApi } from '../main/electron-api.ts';
import { startShell, type Shell } from '../main/shell.ts';
import { settingsStoreOptions, type KeyValueStore, type StoredSettings } from '../main/settings.ts';
import { bridgeFromBinding, legacySources, syncSettings } from '../main/core-bridge.ts';
import { desktopPublisher, filePickers, withPublisherEvents } from '../main/publisher.ts';
import { installSetupFor, watchdogPlan } from '../main/update-install.ts';
import { APP_ORIGIN } from '../main/hardening.ts';
import type { NavigateTarget } from '../main/window.ts';
import type { HostWindow } from '../main/host-windows.ts';
import { createBinding } from '../core/handlers.ts';
import type { Companion, HostMessage, InstallSetup, SourceConfig, TokenSeal } from '../core/api.ts';
import { takeResumeState } from '../core/apply/health.ts';
import { isUpdateChannel, UPDATE_CHANNELS, type UpdateChannel } from '../../shared/channels.ts';
import { PLATFORM_PATTERN } from '../../shared/protocol/limits.ts';
import { TidingsUpdater, type Logger } from './updater.ts';
import { settingsFile } from './settings-file.ts';

export type { ElectronApi, HostWindow, HostMessage, SourceConfig, NavigateTarget, KeyValueStore, StoredSettings, InstallSetup, TokenSeal };
export { TidingsUpdater };
export { APP_ORIGIN };
/** electron-store options for Tidings' settings (schema and migrations), for a host that keeps them there as the standalone app does. */
export { settingsStoreOptions };

/** A configuration Tidings can't start with: one plain sentence naming the option. */
export class TidingsConfigError extends Error {
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.name = 'TidingsConfigError';
    this.option = option;
  }
}

/**
 * The compiled Tidings preload (CommonJS, for a sandboxed renderer): dist/preload/index.cjs in the package
 * (npm run build:lib), out/preload/index.cjs when running from the sources after electron-vite build.
 */
export const preloadPath: string = [join(import.meta.dirname, '..', '..', 'preload', 'index.cjs'), join(import.meta.dirname, '..', '..', 'out', 'preload', 'index.cjs')]
  .find((p) => existsSync(p)) ?? join(import.meta.dirname, '..', '..', 'preload', 'index.cjs');

/** The platforms Tidings publishes and installs for (the asset's `platform`). */
export const SUPPORTED_PLATFORMS = ['linux-x64', 'linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-x64', 'darwin-arm64'] as const;

export interface TidingsWindowOptions {
  /** The compiled preload (out/preload/index.cjs of the tidings package, or your own bundle of it). */
  preloadPath: string;
  /** Folder of the built Tidings renderer, served as app://tidings/ (packaged). */
  rendererDir?: string | null;
  /** Default app://tidings/index.html; a development server URL when not packaged. */
  pageUrl?: string;
}

export interface TidingsElectronOptions {
  /** The feed the app follows (a Tidings feed service, or a static export's index.json). */
  feed?: { url: string; token?: string; live?: boolean; newsChannels?: string[]; name?: string };
  /** Several sources instead of `feed` (feed-v1 or Cryptolens). Sources the user adds in Settings are kept too. */
  sources?: SourceConfig[];
  /** Required: base64 Ed25519 public keys; only releases signed by one of them are ever offered. */
  publisherKeys: readonly string[];
  /** The channel a first start follows ('stable' default, or 'experimental'); the user's later choice is kept. */
  channel?: UpdateChannel;
  /** Your product's name, as notifications and the Updates screen say it. Default app.getName(). */
  productName?: string;
  /** Default <userData>/tidings. */
  dataDir?: string;
  /** The running version. Default app.getVersion(). */
  version?: string;
  /** Default `${process.platform}-${process.arch}`; one of SUPPORTED_PLATFORMS. */
  platform?: string;
  /** A tray icon and menu. Default false (most host apps have their own). */
  tray?: boolean;
  /** Tidings' own window (inbox, update prompt, settings). Default none. */
  window?: TidingsWindowOptions | false;
  /** OS notifications for new releases and posts. Default true. */
  notifications?: boolean;
  /** Restart to Update is about to quit: return true, or the sentence to show instead (unsaved work). */
  beforeQuitForUpdate?: (version: string) => true | string | Promise<true | string>;
  /** Without a window: a notification was clicked (open your own inbox or update UI). */
  onOpen?: (target: NavigateTarget | undefined) => void;
  /** Hosts links may open without a confirm. */
  allowedHosts?: readonly string[];
  /**
   * Tidings owns the app (the standalone app): single-instance lock, life in the tray, sandbox for every
   * renderer, no permissions on the default session. Default false: all of that stays the host's.
   */
  ownsApp?: boolean;
  /** Windows AppUserModelID (only with ownsApp). */
  appId?: string;
  /** Where the shell keeps its settings (the standalone app passes electron-store). Default <dataDir>/settings.json. */
  settingsStore?: KeyValueStore<StoredSettings>;
  /** How this install applies updates. 'auto' (default): detected from how the packaged app was installed. */
  install?: 'auto' | InstallSetup | false;
  /** The publisher page (its token's sources may publish), with Electron's file dialogs. Default false. */
  publisher?: boolean;
  /** Development only (refused when packaged): http:// feeds and downloads on loopback. */
  allowLoopbackHttp?: boolean;
  logger?: Logger | null;
}

export interface Tidings {
  companion: Companion;
  updater: TidingsUpdater;
  /** Each new message (stored, or pushed live and not stored) with its code and JSON data. Returns an unsubscribe. */
  on(event: 'message', listener: (m: HostMessage) => void): () => void;
  /** Opens Tidings' window (with `window`), at a screen and item if given. */
  open(target?: NavigateTarget): void;
  /**
   * Lets one of your windows use the contract (tidings/react components): its main frame, at `page` (default the
   * URL it shows now; pass it when allowing before the page loaded), may call Tidings and gets its events, until
   * the window closes. Give that window webPreferences { preload: preloadPath, sandbox: true, contextIsolation: true }.
   * Its subframes, other windows and the window after it navigated to another page stay refused.
   */
  allowWindow(window: HostWindow, options?: { page?: string }): void;
  /** The Tidings preload to give an allowed window (see `preloadPath`). */
  readonly preloadPath: string;
  /** Stops checks, closes the tray, window handlers and the database. Quit does this by itself. */
  close(): Promise<void>;
  /** The shell's parts (window manager, tray, settings) for the standalone app and tests. */
  readonly shell: Shell;
}

const KEY_BYTES = 32;

/** Checks the options before anything starts, so a mistake is one sentence at start and never a silent no-op. */
export function checkOptions(o: TidingsElectronOptions, platform: string): void {
  if (!Array.isArray(o.publisherKeys) || o.publisherKeys.length === 0) {
    throw new TidingsConfigError('publisherKeys', 'Tidings needs at least one publisher key (publisherKeys): without one no release could ever be verified, so nothing would update.');
  }
  for (const k of o.publisherKeys) {
    const raw = typeof k === 'string' && /^[A-Za-z0-9+/]+=*$/.test(k) ? Buffer.from(k, 'base64') : null;
    if (!raw || raw.length !== KEY_BYTES) throw new TidingsConfigError('publisherKeys', `"${String(k).slice(0, 60)}" is not a publisher key: expected the base64 Ed25519 public key \`tidings keygen\` printed.`);
  }
  if (o.channel !== undefined && !isUpdateChannel(o.channel)) {
    throw new TidingsConfigError('channel', `Unknown channel "${String(o.channel)}": use ${UPDATE_CHANNELS.map((c) => `"${c}"`).join(' or ')}.`);
  }
  if (!(SUPPORTED_PLATFORMS as readonly string[]).includes(platform) || !PLATFORM_PATTERN.test(platform)) {
    throw new TidingsConfigError('platform', `Tidings can't update apps on ${platform}: supported are ${SUPPORTED_PLATFORMS.join(', ')}.`);
  }
  if (!o.feed && (!o.sources || o.sources.length === 0)) {
    throw new TidingsConfigError('feed', 'Tidings needs a feed to follow: pass feed: { url } (or sources).');
  }
  if (o.feed && (typeof o.feed.url !== 'string' || !URL.canParse(o.feed.url))) {
    throw new TidingsConfigError('feed', `The feed URL "${String(o.feed.url)}" is not a URL.`);
  }
}

/**
 * If this process was started as Tidings' update watchdog (the app's own binary with --tidings-watchdog, after
 * an update was applied), runs it and exits, returning true: call it first thing in your main process and start
 * nothing else when it returns true. Returns false otherwise.
 */
export function runWatchdogIfAsked(electron: Pick<ElectronApi, 'app'>, argv: readonly string[] = process.argv): boolean {
  const plan = watchdogPlan(argv);
  if (plan === null) return false;
  electron.app.dock?.hide();
  void import('../core/apply/watchdog.ts')
    .then(({ runWatchdog }) => runWatchdog(plan))
    .catch((e: unknown) => console.error('[tidings] watchdog failed:', e))
    .finally(() => (electron.app.exit ? electron.app.exit(0) : electron.app.quit()));
  return true;
}

export async function attachTidings(electron: ElectronApi, options: TidingsElectronOptions): Promise<Tidings> {
  const app = electron.app;
  const platform = options.platform ?? `${process.platform}-${process.arch}`;
  checkOptions(options, platform);
  if (watchdogPlan(process.argv) !== null) throw new TidingsConfigError('argv', 'This process is the update watchdog: call runWatchdogIfAsked(electron) first and start nothing else.');
  const logger = options.logger === undefined ? console : options.logger;
  const log = (msg: string) => logger?.info(`[tidings] ${msg}`);
  const productName = options.productName ?? app.getName?.() ?? 'App';
  const version = options.version ?? app.getVersion();
  const loopback = options.allowLoopbackHttp === true;
  if (loopback && app.isPackaged) throw new TidingsConfigError('allowLoopbackHttp', 'allowLoopbackHttp is for development: a packaged app only uses https.');
  const window = options.window || null;
  const dataDir = options.dataDir ?? join(app.getPath('userData'), 'tidings');

  let companion: Companion | null = null;
  let started: Shell | null = null;
  const messageListeners = new Set<(m: HostMessage) => void>();
  const install = options.install === false ? undefined : options.install && options.install !== 'auto' ? options.install : installSetupFor({
    platform: process.platform, execPath: process.execPath, argv: process.argv, env: process.env, cwd: process.cwd(),
    resourcesPath: process.resourcesPath, isPackaged: app.isPackaged, dataDir, log,
    windowVisible: () => started?.windows.current() != null,
  });
  const given: SourceConfig[] = options.sources ?? [{
    kind: 'feed-v1', id: 'default', name: options.feed!.name ?? productName, url: options.feed!.url, live: options.feed!.live ?? true,
    ...(options.feed!.token ? { token: options.feed!.token } : {}), ...(options.feed!.newsChannels ? { newsChannels: options.feed!.newsChannels } : {}),
  }];

  let updater: TidingsUpdater | null = null;
  const shell = await startShell(electron, {
    async bridge(settings) {
      const legacy = legacySources(settings);
      const bindingOptions = {
        dataDir, product: productName, installedVersion: version, platform,
        trustedKeys: [...options.publisherKeys], sources: legacy.length > 0 ? legacy : given,
        allowLoopbackHttp: loopback, tokenSeal: settings.tokenSeal(), ...(install ? { install } : {}),
      };
      const publisher = options.publisher ? desktopPublisher(bindingOptions, filePickers(electron.dialog)) : null;
      const binding = withPublisherEvents(await createBinding({ ...bindingOptions, publisher: publisher?.handlers ?? null }), publisher);
      const fresh = binding.companion.preferences() === null;
      if (fresh && options.channel) settings.setChannel(options.channel);
      await syncSettings(binding.handlers, settings, fresh).catch((e: unknown) => log(`settings not synced to the core: ${String(e)}`));
      companion = binding.companion;
      companion.on('message', (m) => messageListeners.forEach((l) => {
        try {
          l(m);
        } catch (e) {
          log(`a message listener failed: ${String(e)}`);
        }
      }));
      return bridgeFromBinding(binding, log);
    },
    settingsStore: options.settingsStore ?? settingsFile(join(dataDir, 'settings.json'), log),
    preloadPath: window?.preloadPath ?? '',
    pageUrl: window?.pageUrl ?? `${APP_ORIGIN}/index.html`,
    rendererDir: window ? window.rendererDir ?? null : null,
    allowedHosts: options.allowedHosts ?? [],
    product: productName,
    ...(options.appId ? { appId: options.appId } : {}),
    log,
    ownsApp: options.ownsApp ?? false,
    tray: options.tray ?? false,
    window: window !== null,
    notifications: options.notifications ?? true,
    ...(options.onOpen ? { onOpen: options.onOpen } : {}),
    ...(options.beforeQuitForUpdate ? { beforeQuitForUpdate: options.beforeQuitForUpdate } : {}),
    installAtQuitAllowed: () => updater?.autoInstallOnAppQuit ?? true,
    // After an update restart: open the way the user had it (read once, then gone from the environment).
    resume: window ? takeResumeState() : null,
  });
  if (!shell || !companion) {
    // Another instance holds the single-instance lock (ownsApp): this one is quitting.
    throw new TidingsConfigError('ownsApp', 'Another instance of this app is already running; this one quits.');
  }
  started = shell;
  const c: Companion = companion;
  const result = (r: { ok: true } | { ok: false; error: { message: string } }) => (r.ok ? { ok: true as const } : { ok: false as const, message: r.error.message });
  updater = new TidingsUpdater({
    companion: c, currentVersion: version, app, shellInstallsAtQuit: true, appName: productName, logger,
    restartToUpdate: async () => result(await shell.handlers.restartToUpdate({})),
    openInstaller: async () => result(await shell.handlers.openInstaller({})),
    notify: (n) => {
      if (options.notifications === false || !electron.Notification.isSupported()) return;
      new electron.Notification({ title: n.title, body: n.body }).show();
    },
  });
  const u = updater;
  return {
    companion: c,
    updater: u,
    on(event, listener) {
      if (event !== 'message') throw new Error(`Unknown event "${String(event)}": Tidings emits "message".`);
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    open: (target) => shell.windows.show(target),
    allowWindow(win, o) {
      const refused = shell.allowWindow(win, o?.page);
      if (refused) throw new TidingsConfigError('allowWindow', refused);
    },
    preloadPath,
    async close() {
      u.dispose();
      messageListeners.clear();
      await shell.close();
    },
    shell,
  };
}
