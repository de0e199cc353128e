// App lifecycle: one instance (a second launch focuses the first; it also keeps one SQLite writer,
// reliability.md case 45), the app stays in the tray when its window closes, Quit really quits, and the
// login item follows the setting.
import type { ElectronApi } from './electron-api.ts';

export interface LifecycleHooks {
  /** A second launch, or a dock click on macOS: show the window. */
  focus(): void;
  /** The app is quitting for real: release the tray, IPC and the core. */
  beforeQuit(): void;
}

/** Returns false when another instance holds the lock; this one then quits without opening anything. */
export function setupLifecycle(app: ElectronApi['app'], hooks: LifecycleHooks): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => hooks.focus());
  app.on('activate', () => hooks.focus());
  // Having any listener here stops Electron's default (quit when the last window closes): we live in the tray.
  app.on('window-all-closed', () => {});
  let quitting = false;
  app.on('before-quit', () => {
    if (quitting) return;
    quitting = true;
    hooks.beforeQuit();
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
