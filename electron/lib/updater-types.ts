// The payload shapes of electron-updater 6.8.10 (builder-util-runtime's UpdateInfo and ProgressInfo, and
// electron-updater's own UpdateCheckResult and UpdateDownloadedEvent), written out here so `tidings/updater`
// has no dependency on either package. test/lib/updater-types.test.ts checks at compile time that each is
// assignable to electron-updater's, so an app's existing listeners type-check unchanged.

export interface UpdateFileInfo {
  url: string;
  /** SHA-512 of the file, standard base64 ('' when the release record carries only its SHA-256). */
  readonly sha512: string;
  size?: number;
  /** Tidings addition: the signed SHA-256 (hex) every download is checked against. */
  readonly sha256?: string;
}

export interface ReleaseNoteInfo {
  readonly version: string;
  readonly note: string | null;
}

export interface UpdateInfo {
  readonly version: string;
  readonly files: UpdateFileInfo[];
  /** @deprecated in electron-updater too: the first file's URL. */
  readonly path: string;
  /** @deprecated in electron-updater too: the first file's SHA-512. */
  readonly sha512: string;
  releaseName?: string | null;
  releaseNotes?: string | ReleaseNoteInfo[] | null;
  /** ISO 8601. */
  releaseDate: string;
  readonly stagingPercentage?: number;
  /** Tidings addition: the publisher marked this release critical (it can't be skipped). */
  readonly critical?: boolean;
  /** Tidings addition: the channel the release was published on ('stable' or 'experimental'). */
  readonly channel?: string;
}

export interface ProgressInfo {
  total: number;
  delta: number;
  transferred: number;
  percent: number;
  bytesPerSecond: number;
}

export interface UpdateDownloadedEvent extends UpdateInfo {
  downloadedFile: string;
}

export interface UpdateCheckResult {
  readonly isUpdateAvailable: boolean;
  readonly updateInfo: UpdateInfo;
  readonly downloadPromise?: Promise<string[]> | null;
  /** @deprecated in electron-updater too: the same as updateInfo. */
  readonly versionInfo: UpdateInfo;
}

/** electron-updater's logger shape: electron-log, winston or console fit. */
export interface Logger {
  info(message?: unknown): void;
  warn(message?: unknown): void;
  error(message?: unknown): void;
  debug?(message: string): void;
}

export interface DownloadNotification {
  title: string;
  body: string;
}

export interface UpdaterEvents {
  error: (error: Error, message?: string) => void;
  'checking-for-update': () => void;
  'update-not-available': (info: UpdateInfo) => void;
  'update-available': (info: UpdateInfo) => void;
  'update-downloaded': (event: UpdateDownloadedEvent) => void;
  'download-progress': (info: ProgressInfo) => void;
  'update-cancelled': (info: UpdateInfo) => void;
}

export type UpdaterEventName = keyof UpdaterEvents;
