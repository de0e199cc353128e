// The one app window: created on demand, destroyed on close (the app lives on in the tray), reopened at
// the item the user clicked, remembering its bounds. Loaded only from app:// (or the electron-vite dev
// server on localhost when not packaged), never from a remote URL.
import type { ElectronApi, WindowLike, Rectangle } from './electron-api.ts';
import type { EventName, EventPayloads } from '../../shared/ipc/contract.ts';
import { ipcChannel } from '../../shared/ipc/contract.ts';
import { APP_ORIGIN, lockNavigation } from './hardening.ts';

export type NavigateTarget = EventPayloads['navigate'];

export interface WindowOptions {
  preloadPath: string;
  /** The page to load: `${APP_ORIGIN}/index.html`, or the dev server URL when not packaged. */
  pageUrl: string;
  bounds: () => Rectangle | null;
  saveBounds: (b: Rectangle) => void;
  log: (msg: string) => void;
}

export const DEFAULT_SIZE = { width: 880, height: 600 } as const;

/** scheme://host[:port]. Node's URL says 'null' as the origin of a custom scheme, Chromium does not, so
 * build it from the parts to compare the same way in both. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

export function checkPageUrl(pageUrl: string, packaged: boolean): void {
  const u = new URL(pageUrl);
  const devServer = !packaged && u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  if (!pageUrl.startsWith(`${APP_ORIGIN}/`) && !devServer) throw new Error(`refusing to load the UI from ${u.origin}`);
}

export type WindowManager = ReturnType<typeof createWindowManager>;

export function createWindowManager(api: Pick<ElectronApi, 'BrowserWindow'>, opts: WindowOptions) {
  let win: WindowLike | null = null;
  let pending: NavigateTarget | null = null;
  let loaded = false;

  const alive = () => (win && !win.isDestroyed() ? win : null);

  function send<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    const w = alive();
    if (w && loaded && !w.webContents.isDestroyed()) w.webContents.send(ipcChannel(event), payload);
  }

  function create(): WindowLike {
    const saved = opts.bounds();
    const w = new api.BrowserWindow({
      ...DEFAULT_SIZE,
      ...(saved ?? {}),
      minWidth: 600,
      minHeight: 400,
      show: false,
      title: 'Tidings',
      autoHideMenuBar: true,
      webPreferences: {
        preload: opts.preloadPath,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    lockNavigation(w.webContents, opts.log);
    loaded = false;
    w.webContents.on('did-finish-load', () => {
      loaded = true;
      if (pending) send('navigate', pending);
      pending = null;
    });
    w.on('ready-to-show', () => w.show());
    // Bounds are saved on close; the window is then destroyed (not hidden) so an idle tray app holds no renderer.
    w.on('close', () => opts.saveBounds(w.getNormalBounds()));
    w.on('closed', () => {
      if (win === w) win = null;
      loaded = false;
    });
    void w.loadURL(opts.pageUrl).catch((e: unknown) => opts.log(`window load failed: ${String(e)}`));
    return w;
  }

  return {
    /** Opens (or focuses) the window, optionally at a screen and item. */
    show(target?: NavigateTarget): void {
      let w = alive();
      if (!w) {
        w = win = create();
        pending = target ?? null;
        return;
      }
      if (w.isMinimized()) w.restore();
      w.show();
      w.focus();
      if (target) send('navigate', target);
    },
    send,
    current: alive,
    setTitle(title: string): void { alive()?.setTitle(title); },
  };
}
