// The slice of Electron the shell uses, as plain interfaces. index.ts passes the real `electron` module
// (tsc checks that it fits); the tests pass a small fake (test/main/fake-electron.ts), because no
// Electron binary can run on the build machines (docs: toolchain.md).
import type {
  BrowserWindowConstructorOptions, MenuItemConstructorOptions, MessageBoxOptions, MessageBoxReturnValue,
  NotificationConstructorOptions, Rectangle, CustomScheme, NativeImage, OpenDialogOptions, OpenDialogReturnValue,
} from 'electron';

export type { MenuItemConstructorOptions, BrowserWindowConstructorOptions, Rectangle, OpenDialogOptions, OpenDialogReturnValue };

export interface PreventableEvent { preventDefault(): void }

/** What ipc.ts compares against our window (WebFrameMain in Electron). */
export interface FrameLike { readonly url: string; readonly processId: number; readonly routingId: number }

export interface SessionLike {
  setPermissionRequestHandler(handler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((wc: unknown, permission: string) => boolean) | null): void;
  webRequest: {
    onHeadersReceived(listener: ((details: { url: string; responseHeaders?: Record<string, string[]> },
      callback: (response: { responseHeaders?: Record<string, string[] | string> }) => void) => void) | null): void;
  };
}

export interface WebContentsLike {
  readonly mainFrame: FrameLike;
  readonly session: SessionLike;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'did-finish-load', listener: () => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  on(event: 'close' | 'closed' | 'ready-to-show', listener: () => void): unknown;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Rectangle;
}

/** Electron's NativeImage; the fake hands out a stand-in cast to it (the shell never looks inside). */
export type ImageLike = NativeImage;

export interface TrayLike {
  setImage(image: ImageLike): void;
  setToolTip(text: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface NotificationLike {
  on(event: 'click' | 'close', listener: () => void): unknown;
  on(event: 'failed', listener: (event: unknown, error: string) => void): unknown;
  show(): void;
}

export interface ElectronApi {
  app: {
    readonly isPackaged: boolean;
    requestSingleInstanceLock(): boolean;
    on(event: 'second-instance', listener: (event: unknown, argv: string[]) => void): unknown;
    on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
    on(event: 'window-all-closed' | 'activate', listener: () => void): unknown;
    setAppUserModelId(id: string): void;
    enableSandbox(): void;
    whenReady(): Promise<void>;
    quit(): void;
    setLoginItemSettings(settings: { openAtLogin: boolean }): void;
    getPath(name: 'userData' | 'downloads'): string;
    getVersion(): string;
    /** The app's name (Electron: productName from package.json); absent in older fakes. */
    getName?(): string;
    /** Ends the process without before-quit (the update watchdog's exit). */
    exit?(exitCode?: number): void;
    /** macOS only. */
    dock?: { hide(): void } | undefined;
  };
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => WindowLike;
  Tray: new (image: ImageLike) => TrayLike;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): unknown };
  Notification: (new (options: NotificationConstructorOptions) => NotificationLike) & { isSupported(): boolean };
  ipcMain: {
    handle(channel: string, listener: (event: { senderFrame: FrameLike | null }, ...args: unknown[]) => unknown): void;
    removeHandler(channel: string): void;
  };
  powerMonitor: { on(event: 'resume' | 'suspend', listener: () => void): unknown };
  /** Whether the OS has a network connection (polled: main has no event for it). */
  net: { isOnline(): boolean };
  shell: {
    openExternal(url: string): Promise<void>;
    openPath(path: string): Promise<string>;
    showItemInFolder(fullPath: string): void;
  };
  session: { readonly defaultSession: SessionLike };
  safeStorage: {
    isEncryptionAvailable(): boolean;
    /** Linux only (absent elsewhere): 'basic_text' means no keyring, i.e. a hard-coded key. */
    getSelectedStorageBackend?(): string;
    encryptString(plainText: string): Buffer;
    decryptString(encrypted: Buffer): string;
  };
  nativeImage: { createFromBuffer(buffer: Buffer): ImageLike };
  dialog: {
    showMessageBox(options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
    /** The publisher page's key and file choosers (electron/main/publisher.ts): paths stay in main and the core. */
    showOpenDialog(options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
  };
  /** Only after 'ready'. */
  screen: { getAllDisplays(): { workArea: Rectangle }[] };
  protocol: {
    registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
}
