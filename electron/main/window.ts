// The one app window: created on demand, destroyed on close (the app lives on in the tray), reopened at
// the item the user clicked, remembering its bounds. Loaded only from app:// (or the electron-vite dev
// server on localhost when not packaged), never from a remote URL.
import type { ElectronApi, WindowLike, WebContentsLike, Rectangle } from './electron-api.ts';
import type { EventName, EventPayloads } from '../../shared/ipc/contract.ts';
import { ipcChannel, parseEvent } from '../../shared/ipc/contract.ts';
import { APP_ORIGIN, lockNavigation } from './hardening.ts';

export type NavigateTarget = EventPayloads['navigate'];

export interface WindowOptions {
  preloadPath: string;
  /** The page to load: `${APP_ORIGIN}/index.html`, or the dev server URL when not packaged. */
  pageUrl: string;
  bounds: () => Rectangle | null;
  saveBounds: (b: Rectangle) => void;
  log: (msg: string) => void;
  /** Each time a window is first shown (the health report after an update waits for it). */
  onShown?: () => void;
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

/**
 * The one way an event leaves main (Tidings' window and allowed host windows): checked against the contract like
 * invoke arguments, so a malformed one (a core bug, an unexpected field) is logged and dropped, never handed to a page.
 */
export function sendEvent<E extends EventName>(webContents: WebContentsLike, event: E, payload: EventPayloads[E], log: (msg: string) => void): void {
  const checked = parseEvent(event, payload);
  if (!checked.ok) return void log(`event ${event} not sent: ${checked.error.field || 'payload'} ${checked.error.message}`);
  webContents.send(ipcChannel(event), checked.payload);
}

/** Saved bounds are reused only if enough of the window is on a display that still exists (a monitor
 * unplugged since last time must not leave the window off-screen). */
export function visibleBounds(saved: Rectangle | null, displays: { workArea: Rectangle }[]): { width: number; height: number; x?: number; y?: number } | null {
  if (!saved) return null;
  const onScreen = displays.some(({ workArea: d }) => {
    const w = Math.min(saved.x + saved.width, d.x + d.width) - Math.max(saved.x, d.x);
    const h = Math.min(saved.y + saved.height, d.y + d.height) - Math.max(saved.y, d.y);
    return w >= 100 && h >= 50;
  });
  // Off-screen: keep the size, let the OS place it.
  return onScreen ? saved : { width: saved.width, height: saved.height };
}

/** The page URL with the screen to open on (the renderer reads ?screen= at start; the item follows as a
 * navigate event once the page has loaded). */
export function pageUrlFor(pageUrl: string, target: NavigateTarget | null): string {
  if (!target) return pageUrl;
  const u = new URL(pageUrl);
  u.searchParams.set('screen', target.screen);
  if (target.itemKey) u.searchParams.set('item', target.itemKey);
  return u.href;
}

export function createWindowManager(api: Pick<ElectronApi, 'BrowserWindow' | 'screen'>, opts: WindowOptions) {
  let win: WindowLike | null = null;
  let pending: NavigateTarget | null = null;
  let loaded = false;

  const alive = () => (win && !win.isDestroyed() ? win : null);

  function send<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    const w = alive();
    if (!w || !loaded || w.webContents.isDestroyed()) return;
    sendEvent(w.webContents, event, payload, opts.log);
  }

  function create(target: NavigateTarget | null): WindowLike {
    const saved = visibleBounds(opts.bounds(), api.screen.getAllDisplays());
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
    w.on('ready-to-show', () => {
      w.show();
      opts.onShown?.();
    });
    // Bounds are saved on close; the window is then destroyed (not hidden) so an idle tray app holds no renderer.
    w.on('close', () => opts.saveBounds(w.getNormalBounds()));
    w.on('closed', () => {
      if (win === w) win = null;
      loaded = false;
    });
    void w.loadURL(pageUrlFor(opts.pageUrl, target)).catch((e: unknown) => opts.log(`window load failed: ${String(e)}`));
    return w;
  }

  return {
    /** Opens (or focuses) the window, optionally at a screen and item. */
    show(target?: NavigateTarget): void {
      let w = alive();
      if (!w) {
        pending = target ?? null;
        w = win = create(pending);
        return;
      }
      if (w.isMinimized()) w.restore();
      w.show();
      w.focus();
      if (target) send('navigate', target);
    },
    send,
    current: alive,
  };
}
