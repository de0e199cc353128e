// App lifecycle: one instance (a second launch focuses the first; it also keeps one SQLite writer,
// reliability.md case 45), the app stays in the tray when its window closes, Quit really quits, and the
// login item follows the setting.
import type { ElectronApi } from './electron-api.ts';

export interface LifecycleHooks {
  /** A second launch, or a dock click on macOS: show the window. */
  focus(): void;
  /** The app is quitting for real: release the tray, IPC and the core (awaited, within QUIT_GRACE_MS). */
  beforeQuit(): Promise<void>;
  /** Before that: install a verified update the user lets install at quit (awaited, within INSTALL_GRACE_MS). */
  installAtQuit?(): Promise<void>;
}

/** How long Quit waits for the core to finish a check's transaction and close the database. */
export const QUIT_GRACE_MS = 3000;
/** How long Quit waits for an install at quit: copying a large AppImage on a slow disk. An apply cut off is
 * safe (the installed app stays whole, docs/updates.md), just wasted. */
export const INSTALL_GRACE_MS = 120_000;

const within = (ms: number, p: Promise<unknown>) =>
  Promise.race([p.catch(() => {}), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * Returns false when another instance holds the lock; this one then quits without opening anything. With
 * `ownsApp: false` (Tidings embedded in a host app, tidings/electron) the host keeps its own single-instance
 * lock, window-all-closed policy and AppUserModelID; only the quit is held until the core has closed.
 */
export function setupLifecycle(app: ElectronApi['app'], hooks: LifecycleHooks, appId: string, ownsApp = true): boolean {
  if (ownsApp) {
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    // Windows shows no toasts for an app without an AppUserModelID (the installer's shortcut uses the same id).
    if (process.platform === 'win32') app.setAppUserModelId(appId);
    app.on('second-instance', () => hooks.focus());
    app.on('activate', () => hooks.focus());
    // Having any listener here stops Electron's default (quit when the last window closes): we live in the tray.
    app.on('window-all-closed', () => {});
  }
  // The first before-quit is held until the core has closed its database (a check may be mid-transaction;
  // SQLite would roll it back anyway, this just avoids the needless redo), then Quit goes on for real.
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    void within(INSTALL_GRACE_MS, hooks.installAtQuit?.() ?? Promise.resolve()).then(() => within(QUIT_GRACE_MS, hooks.beforeQuit())).then(() => {
      state = 'closed';
      app.quit();
    });
  });
  return true;
}

/** Launch at login (macOS and Windows; Electron has no login items on Linux, where this is a no-op). */
export function applyLoginItem(app: ElectronApi['app'], openAtLogin: boolean, log: (msg: string) => void): void {
  try {
    app.setLoginItemSettings({ openAtLogin });
  } catch (e) {
    log(`login item not changed: ${String(e)}`);
  }
}
