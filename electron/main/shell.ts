// Puts the shell together: lifecycle, hardening, window, IPC, tray and notifications over one CoreBridge.
// Everything Electron comes in through `api`, so the tests run this very function against a fake.
import type { ElectronApi, FrameLike } from './electron-api.ts';
import type { CoreBridge, CoreEvent } from './bridge.ts';
import type { InvokeHandlers } from '../../shared/ipc/contract.ts';
import type { Channel } from '../../shared/ipc/types.ts';
import { createSettings, type KeyValueStore, type StoredSettings, type ShellSettings } from './settings.ts';
import { setupLifecycle, applyLoginItem } from './lifecycle.ts';
import { registerAppScheme, appProtocolHandler, APP_SCHEME, denyPermissions, addCspHeader } from './hardening.ts';
import { createWindowManager, checkPageUrl, originOf, type NavigateTarget, type WindowManager } from './window.ts';
import { registerIpc } from './ipc.ts';
import { createHostWindows, type HostWindow } from './host-windows.ts';
import { createTray, type TrayController } from './tray.ts';
import { createNotifier, type Notifier } from './notifications.ts';
import { createLinks } from './links.ts';
import { createInstallFlow } from './install.ts';

/** How often main asks the OS whether the network is there. */
const NET_POLL_MS = 15_000;

export interface ShellOptions {
  /** The core, or a factory called after app 'ready' with the settings (tokens need safeStorage, which needs ready). */
  bridge: CoreBridge | ((settings: ShellSettings) => CoreBridge | Promise<CoreBridge>);
  settingsStore: KeyValueStore<StoredSettings>;
  preloadPath: string;
  /** `app://tidings/index.html` when packaged (served from rendererDir), or the dev server URL. */
  pageUrl: string;
  rendererDir: string | null;
  /** Publisher hosts links may open without a confirm (build/tidings.config.json). */
  allowedHosts: readonly string[];
  product: string;
  /** build/tidings.config.json appId (Windows AppUserModelID). */
  appId?: string;
  now?: () => number;
  log?: (msg: string) => void;
  /** How often to ask the OS whether the network is there (tests shorten it). */
  netPollMs?: number;
  /**
   * Restart to Update is about to quit the app: a host app with unsaved work answers with the sentence to show
   * instead ("Save your document first."); true lets the restart go on. Asked before anything is installed.
   */
  beforeQuitForUpdate?: (version: string) => true | string | Promise<true | string>;
  /** The window state the user had before an update restarted the app (docs/rollback.md); null: a normal start. */
  resume?: { windowVisible: boolean } | null;
  /**
   * The shell owns the app (the standalone Tidings app, the default): single-instance lock, life in the tray when
   * the window closes, a sandbox for every renderer and no permissions on the default session. false (Tidings
   * embedded in a host app): all of that stays the host's; only Tidings' own window is sandboxed and locked down.
   */
  ownsApp?: boolean;
  /** Show a tray icon and menu. Default true. */
  tray?: boolean;
  /** Open Tidings' own window (inbox, updates, settings). Default true; false: no window, no IPC, no app:// scheme. */
  window?: boolean;
  /** Show OS notifications for new releases and posts. Default true. */
  notifications?: boolean;
  /** Without a window: what a notification click (or a second launch) opens, for a host that shows its own UI. */
  onOpen?: (target: NavigateTarget | undefined) => void;
  /** Whether Quit may install a verified update, besides the user's setting (tidings/updater's autoInstallOnAppQuit). */
  installAtQuitAllowed?: () => boolean;
}

export type Shell = NonNullable<Awaited<ReturnType<typeof startShell>>>;

export async function startShell(api: ElectronApi, opts: ShellOptions) {
  const log = opts.log ?? ((m: string) => console.log(`[tidings] ${m}`));
  const now = opts.now ?? Date.now;
  const ownsApp = opts.ownsApp ?? true;
  const hasWindow = opts.window ?? true;
  if (hasWindow) checkPageUrl(opts.pageUrl, api.app.isPackaged);

  let shell: { focus(): void; beforeQuit(): Promise<void>; installAtQuit(): Promise<void> } = { focus: () => {}, beforeQuit: async () => {}, installAtQuit: async () => {} };
  const hooks = { focus: () => shell.focus(), beforeQuit: () => shell.beforeQuit(), installAtQuit: () => shell.installAtQuit() };
  if (!setupLifecycle(api.app, hooks, opts.appId ?? 'dev.tidings.companion', ownsApp)) return null;
  if (hasWindow) registerAppScheme(api.protocol);
  // Every renderer sandboxed, whatever a future window forgets to say (must precede 'ready'). A host app decides
  // that for its own windows; Tidings' window sets sandbox: true itself (window.ts).
  if (ownsApp) api.app.enableSandbox();
  await api.app.whenReady();
  if (hasWindow && opts.rendererDir) api.protocol.handle(APP_SCHEME, appProtocolHandler(opts.rendererDir));
  const ses = api.session.defaultSession;
  // The default session is the host's when embedded: its permissions and headers are not ours to change.
  if (ownsApp) denyPermissions(ses, log);
  if (ownsApp && hasWindow && opts.pageUrl.startsWith(`${APP_SCHEME}:`)) addCspHeader(ses);

  const settings = createSettings(opts.settingsStore, api.safeStorage);
  const bridge = typeof opts.bridge === 'function' ? await opts.bridge(settings) : opts.bridge;
  applyLoginItem(api.app, settings.get('launchAtLogin'), log);
  // Healthy once the core started and the first window showed (or, for a start into the tray, the tray is up).
  let healthy = false;
  const reportHealthy = () => {
    if (healthy) return;
    healthy = true;
    bridge.reportHealthy?.();
  };
  const windows: WindowManager = hasWindow
    ? createWindowManager(api, { preloadPath: opts.preloadPath, pageUrl: opts.pageUrl, bounds: settings.bounds, saveBounds: settings.saveBounds, log, onShown: reportHealthy })
    : { show: (target?: NavigateTarget) => opts.onOpen?.(target), send: () => {}, current: () => null };
  const expectedOrigin = originOf(opts.pageUrl);
  // Our window's main frame, at our origin: not a subframe, not another window, not a page it navigated to.
  // Frames are compared by (process, routing id), which identify a frame even if Electron hands out a fresh
  // wrapper object for it.
  const isOurs = (frame: FrameLike | null) => {
    const main = windows.current()?.webContents.mainFrame;
    if (!frame || !main) return false;
    const same = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
    return same && originOf(frame.url) === expectedOrigin;
  };

  let quittingForUpdate = false;
  const openLink = createLinks(api, opts.allowedHosts, log);
  const install = createInstallFlow(api.shell, () => bridge.verifiedDownload(), log);
  const core = bridge.handlers;
  const handlers: InvokeHandlers = {
    ...core,
    openLink: ({ url }) => openLink(url),
    openInstaller: () => install.openInstaller(),
    showInFolder: () => install.showInFolder(),
    async restartToUpdate(args) {
      const file = bridge.verifiedDownload();
      const answer = file && opts.beforeQuitForUpdate ? await Promise.resolve(opts.beforeQuitForUpdate(file.version)).catch(() => 'The app couldn’t confirm it is safe to restart. Try again.') : true;
      if (answer !== true) return { ok: false, error: { field: '', message: answer } };
      const r = await core.restartToUpdate(args);
      if (r.ok) {
        // Installed and handed over to the watchdog, which waits for this process to end before starting the new version.
        quittingForUpdate = true;
        setImmediate(() => api.app.quit());
      }
      return r;
    },
    async updateSettings(patch) {
      // The core keeps the settings; main keeps a copy of what it reads synchronously (notifications, quiet hours).
      const view = await core.updateSettings(patch);
      settings.patch(patch);
      if (patch.launchAtLogin !== undefined) applyLoginItem(api.app, patch.launchAtLogin, log);
      void tray.refresh();
      return view;
    },
    async setChannel(args) {
      const r = await core.setChannel(args);
      if (r.ok && !r.needsConfirm) settings.setChannel(args.channel);
      void tray.refresh();
      return r;
    },
  };
  // A host's own windows showing tidings/react components, once the host allows them (allowWindow below).
  const hosts = createHostWindows(log);
  const accepts = (frame: FrameLike | null) => isOurs(frame) || hosts.accepts(frame);
  // Without Tidings' window, the handlers are registered when the host allows its first window.
  let ipc = hasWindow ? registerIpc(api.ipcMain, handlers, accepts, log) : null;
  let closed = false;
  /** Lets `w`'s main frame, at `page` (default: the page it shows now), call the contract and get its events. */
  function allowWindow(w: HostWindow, page?: string): string | null {
    if (closed) return 'Tidings is closed.';
    const refused = hosts.allow(w, page ?? w.webContents.mainFrame.url);
    if (refused === null) ipc ??= registerIpc(api.ipcMain, handlers, accepts, log);
    return refused;
  }
  /** An event to Tidings' window and every allowed host window. */
  const broadcast: typeof windows.send = (event, payload) => {
    windows.send(event, payload);
    hosts.send(event, payload);
  };

  async function switchChannel(channel: Channel): Promise<void> {
    const r = await handlers.setChannel({ channel });
    // Experimental → stable while running a newer pre-release needs the question ux.md words; ask in the window.
    if (!r.ok || r.needsConfirm) windows.show({ screen: 'settings' });
  }

  const tray: TrayController = opts.tray === false ? { refresh: async () => null, last: () => null, destroy: () => {} } : createTray(api, {
    state: () => bridge.trayState(),
    context: () => ({ channel: settings.get('channel'), pausedUntil: settings.get('pausedUntil'), now: now() }),
    actions: {
      open: (target) => windows.show(target),
      checkNow: () => void core.checkNow({}).then((r) => { if (!r.ok) log(`check now refused: ${r.error.message}`); }),
      setChannel: (c) => void switchChannel(c).catch((e: unknown) => log(`channel switch failed: ${String(e)}`)),
      pause: (until) => { settings.pause(until); void tray.refresh(); },
      quit: () => api.app.quit(),
    },
    log,
  });
  const notifier: Notifier = opts.notifications === false ? { notify: () => [], liveCount: () => 0 } : createNotifier(api, { product: () => opts.product, settings, open: (t) => windows.show(t), now, log });

  async function onEvent(ev: CoreEvent): Promise<void> {
    switch (ev.type) {
      case 'changed': {
        broadcast('changed', { topics: ev.topics });
        if (ev.topics.some((t) => t === 'counts' || t === 'update' || t === 'status' || t === 'settings')) {
          // The page keeps its own title (with the unread count); the tray is main's to update.
          await tray.refresh();
        }
        return;
      }
      case 'toasts': notifier.notify(ev.items); return;
      case 'downloadProgress': broadcast('downloadProgress', ev.payload); return;
      case 'notice': broadcast('notice', ev.payload); return;
      case 'hashProgress': broadcast('hashProgress', ev.payload); return;
    }
  }
  const unsubscribe = bridge.subscribe((ev) => void onEvent(ev).catch((e: unknown) => log(`core event ${ev.type} failed: ${String(e)}`)));
  api.powerMonitor.on('resume', () => bridge.powerEvent('resume'));
  api.powerMonitor.on('suspend', () => bridge.powerEvent('suspend'));
  // Main has no network event: poll the OS's answer (cheap, a flag read) and tell the core when it changes.
  let online = api.net.isOnline();
  if (!online) bridge.networkEvent(false);
  const netTimer = setInterval(() => {
    const now = api.net.isOnline();
    if (now !== online) bridge.networkEvent((online = now));
  }, opts.netPollMs ?? NET_POLL_MS);
  netTimer.unref?.();

  shell = {
    focus: () => windows.show(),
    installAtQuit: async () => {
      if (quittingForUpdate || !bridge.installAtQuit) return;
      const allowed = settings.get('installOnQuit') && (opts.installAtQuitAllowed?.() ?? true);
      const installed = await bridge.installAtQuit(allowed).catch((e: unknown) => { log(`install at quit failed: ${String(e)}`); return false; });
      if (installed) log('the verified update was installed at quit');
    },
    beforeQuit: () => (closing ??= close()),
  };
  let closing: Promise<void> | null = null;
  const close = async () => {
    clearInterval(netTimer);
    unsubscribe();
    closed = true;
    ipc?.dispose();
    tray.destroy();
    await Promise.resolve(bridge.close()).catch((e: unknown) => log(`core close failed: ${String(e)}`));
  };
  await tray.refresh();
  // After an update restarted the app: open the way the user had it. Otherwise a start lives in the tray.
  if (hasWindow && opts.resume?.windowVisible) windows.show();
  else reportHealthy();
  /** Releases what the shell holds (as Quit does; once). */
  const closeShell = () => shell.beforeQuit();
  return { windows, tray, notifier, settings, handlers, switchChannel, bridge, allowWindow, close: closeShell };
}
