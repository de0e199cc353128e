// A small typed fake of the Electron API slice the shell uses (electron/main/electron-api.ts). It records
// what the shell did (windows, handlers, notifications, menus, opened URLs) and lets tests fire events.
import type {
  ElectronApi, WindowLike, WebContentsLike, SessionLike, FrameLike, TrayLike, NotificationLike, ImageLike, PreventableEvent,
  BrowserWindowConstructorOptions, MenuItemConstructorOptions, Rectangle, OpenDialogOptions,
} from '../../electron/main/electron-api.ts';

type Listener = (...args: never[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): unknown[] {
    return (this.listeners.get(event) ?? []).map((l) => (l as (...a: unknown[]) => unknown)(...args));
  }
}

let nextRoutingId = 1;
export class FakeFrame implements FrameLike {
  url: string;
  processId: number;
  routingId: number;
  constructor(url: string, processId = 7, routingId = nextRoutingId++) { this.url = url; this.processId = processId; this.routingId = routingId; }
}

export class FakeSession implements SessionLike {
  requestHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((wc: unknown, permission: string) => boolean) | null = null;
  headersListener: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] = null;
  setPermissionRequestHandler(h: FakeSession['requestHandler']) { this.requestHandler = h; }
  setPermissionCheckHandler(h: FakeSession['checkHandler']) { this.checkHandler = h; }
  webRequest = { onHeadersReceived: (l: FakeSession['headersListener']) => { this.headersListener = l; } };
}

export class FakeWebContents extends Emitter implements WebContentsLike {
  mainFrame: FakeFrame;
  openHandler: ((d: { url: string }) => { action: 'deny' } | { action: 'allow' }) | null = null;
  sent: { channel: string; payload: unknown }[] = [];
  destroyed = false;
  session: FakeSession;
  constructor(session: FakeSession, url: string) {
    super();
    this.session = session;
    this.mainFrame = new FakeFrame(url);
  }
  setWindowOpenHandler(h: NonNullable<FakeWebContents['openHandler']>) { this.openHandler = h; }
  send(channel: string, payload: unknown) { this.sent.push({ channel, payload }); }
  isDestroyed() { return this.destroyed; }
  /** Simulates a navigation attempt; true when the shell prevented it. */
  tryNavigate(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string): boolean {
    let prevented = false;
    const e: PreventableEvent = { preventDefault: () => { prevented = true; } };
    this.emit(event, e, url);
    return prevented;
  }
}

export class FakeWindow extends Emitter implements WindowLike {
  webContents: FakeWebContents;
  loadedUrl: string | null = null;
  shown = 0;
  focused = 0;
  minimized = false;
  destroyed = false;
  bounds: Rectangle;
  options: BrowserWindowConstructorOptions;
  constructor(options: BrowserWindowConstructorOptions, session: FakeSession, registry: FakeWindow[]) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(session, 'about:blank');
    this.bounds = { x: options.x ?? 10, y: options.y ?? 10, width: options.width ?? 800, height: options.height ?? 600 };
    registry.push(this);
  }
  async loadURL(url: string) {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
  }
  /** The page finished loading (Electron: did-finish-load, then ready-to-show). */
  finishLoad() { this.webContents.emit('did-finish-load'); this.emit('ready-to-show'); }
  show() { this.shown++; }
  focus() { this.focused++; }
  restore() { this.minimized = false; }
  isMinimized() { return this.minimized; }
  isDestroyed() { return this.destroyed; }
  getNormalBounds() { return this.bounds; }
  /** The user closes the window: Electron emits close, then destroys it and emits closed. */
  close() { this.emit('close'); this.destroyed = true; this.webContents.destroyed = true; this.emit('closed'); }
}

export class FakeTray extends Emitter implements TrayLike {
  image: ImageLike | null = null;
  tooltip = '';
  menu: MenuItemConstructorOptions[] = [];
  destroyed = false;
  constructor(image: ImageLike, registry: FakeTray[]) { super(); this.image = image; registry.push(this); }
  setImage(i: ImageLike) { this.image = i; }
  setToolTip(t: string) { this.tooltip = t; }
  setContextMenu(m: unknown) { this.menu = m as MenuItemConstructorOptions[]; }
  destroy() { this.destroyed = true; }
  /** Finds a menu item by label (searching submenus) and clicks it. */
  click(label: string) {
    const find = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined => {
      for (const i of items) {
        if (i.label === label) return i;
        const sub = Array.isArray(i.submenu) ? find(i.submenu as MenuItemConstructorOptions[]) : undefined;
        if (sub) return sub;
      }
      return undefined;
    };
    const item = find(this.menu);
    if (!item) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.menu.map((m) => m.label))}`);
    (item.click as unknown as () => void)();
  }
}

export class FakeNotification extends Emitter implements NotificationLike {
  shown = false;
  options: { title?: string; body?: string };
  constructor(options: { title?: string; body?: string }, registry: FakeNotification[]) { super(); this.options = options; registry.push(this); }
  show() { this.shown = true; }
}

export type Handler = (event: { senderFrame: FrameLike | null }, ...args: unknown[]) => unknown;

export function fakeElectron(opts: { lock?: boolean; packaged?: boolean; encryption?: boolean; backend?: string; dialogResponse?: number } = {}) {
  const session = new FakeSession();
  const windows: FakeWindow[] = [];
  const trays: FakeTray[] = [];
  const notifications: FakeNotification[] = [];
  const handlers = new Map<string, Handler>();
  const appEvents = new Emitter();
  const power = new Emitter();
  const calls = { quit: 0, exited: false, ready: false, sandboxAll: false, openExternal: [] as string[], openPath: [] as string[], showItemInFolder: [] as string[], dialogs: [] as { message?: string; detail?: string }[], openDialogs: [] as OpenDialogOptions[], loginItem: [] as boolean[], protocolHandlers: new Map<string, (r: Request) => Response | Promise<Response>>(), schemes: [] as string[] };
  const state = { online: true, openDialogAnswers: [] as (string | null)[], dialogResponse: opts.dialogResponse ?? 1, notificationsSupported: true, displays: [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };

  const api: ElectronApi = {
    app: {
      isPackaged: opts.packaged ?? true,
      requestSingleInstanceLock: () => opts.lock ?? true,
      on: (event: string, listener: Listener) => appEvents.on(event, listener),
      // Like Electron: before-quit first; the app exits only if no listener prevented it.
      quit: () => {
        calls.quit++;
        let prevented = false;
        appEvents.emit('before-quit', { preventDefault: () => { prevented = true; } });
        if (!prevented) calls.exited = true;
      },
      setAppUserModelId: () => {},
      enableSandbox: () => { calls.sandboxAll = !calls.ready; },
      whenReady: async () => { calls.ready = true; },
      setLoginItemSettings: (s) => { calls.loginItem.push(s.openAtLogin); },
      getPath: () => '/tmp/tidings-fake',
      getVersion: () => '0.1.0',
    },
    BrowserWindow: class extends FakeWindow {
      constructor(options: BrowserWindowConstructorOptions) { super(options, session, windows); }
    },
    Tray: class extends FakeTray {
      constructor(image: ImageLike) { super(image, trays); }
    },
    Menu: { buildFromTemplate: (t) => t },
    Notification: Object.assign(class extends FakeNotification {
      constructor(o: { title?: string; body?: string }) { super(o, notifications); }
    }, { isSupported: () => state.notificationsSupported }),
    ipcMain: {
      handle: (channel, listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, listener as Handler);
      },
      removeHandler: (channel) => { handlers.delete(channel); },
    },
    powerMonitor: { on: (event: string, l: Listener) => power.on(event, l) },
    net: { isOnline: () => state.online },
    shell: {
      openExternal: async (url) => { calls.openExternal.push(url); },
      openPath: async (p) => { calls.openPath.push(p); return ''; },
      showItemInFolder: (p) => { calls.showItemInFolder.push(p); },
    },
    session: { defaultSession: session },
    safeStorage: {
      isEncryptionAvailable: () => opts.encryption ?? true,
      ...(opts.backend !== undefined ? { getSelectedStorageBackend: () => opts.backend! } : {}),
      encryptString: (s) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
      decryptString: (b) => Buffer.from(b.toString().replace(/^enc:/, ''), 'hex').toString(),
    },
    nativeImage: { createFromBuffer: (b) => ({ png: b, isEmpty: () => b.length === 0 }) as unknown as ImageLike },
    dialog: {
      showMessageBox: async (o) => { calls.dialogs.push({ message: o.message, detail: o.detail }); return { response: state.dialogResponse, checkboxChecked: false }; },
      // Answers the next queued path (null: the person pressed Cancel); with nothing queued, Cancel.
      showOpenDialog: async (o) => {
        calls.openDialogs.push(o);
        const path = state.openDialogAnswers.shift() ?? null;
        return path === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [path] };
      },
    },
    screen: { getAllDisplays: () => state.displays },
    protocol: {
      registerSchemesAsPrivileged: (s) => { calls.schemes.push(...s.map((x) => x.scheme)); },
      handle: (scheme, h) => { calls.protocolHandlers.set(scheme, h); },
    },
  };

  return {
    api, session, windows, trays, notifications, handlers, calls, state,
    /** Fires an app event (second-instance, window-all-closed, …). */
    appEmit: (event: string, ...args: unknown[]) => appEvents.emit(event, ...args),
    appListeners: (event: string) => appEvents.listeners.get(event)?.length ?? 0,
    powerEmit: (event: string) => power.emit(event),
    /** Calls an IPC channel as a renderer frame would. */
    invoke: (channel: string, frame: FrameLike | null, ...args: unknown[]) => {
      const h = handlers.get(channel);
      if (!h) throw new Error(`no handler for ${channel}`);
      return Promise.resolve(h({ senderFrame: frame }, ...args));
    },
  };
}
export type FakeElectron = ReturnType<typeof fakeElectron>;
