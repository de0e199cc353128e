// The public types of the companion facade: options, queries' results, and the typed events shells subscribe to.
import type { UpdateChannel, UpdateStatus, ReleaseInfo } from './policy/update.ts';
import type { Asset, PackageKind } from '../../shared/protocol/schemas.ts';
import type { CheckNowResult } from './scheduler.ts';
import type { PageQuery } from './store/store.ts';
import type { CheckLogEntry, Clock, InboxItem, UnreadCounts } from './types.ts';
import type { LiveMessage } from './sources/live.ts';

import type { TokenSeal, DismissedRow } from './store/user-state.ts';
import type { ProbeResult } from './probe.ts';

export type { UpdateChannel, UpdateStatus, ReleaseInfo, CheckNowResult, PageQuery, CheckLogEntry, Clock, InboxItem, UnreadCounts, LiveMessage, TokenSeal, DismissedRow, ProbeResult };

/** What every source carries besides its protocol settings: how Settings names it. */
interface SourceLabel {
  /** Shown in Settings, Status and the empty inbox ("Posts from {name} will appear here"). Default: the id. */
  name?: string;
  /** Its token may publish (the Publish screen is offered). */
  publisher?: boolean;
}

/** A feed the companion follows. Tokens are read tokens (they ship inside the app). */
export type SourceConfig =
  | SourceLabel & {
    kind: 'feed-v1';
    id: string;
    /** Base URL of a Tidings feed service. */
    url: string;
    token?: string;
    /** News channels to follow besides the update channel(s). Default ['news']. */
    newsChannels?: string[];
    /** Also hold SSE streams open so new messages arrive within seconds (polling stays the fallback). */
    live?: boolean;
  }
  | SourceLabel & {
    kind: 'cryptolens';
    id: string;
    /** Base URL of the Cryptolens Web API (or a Tidings feed speaking its dialect). */
    url: string;
    token: string;
    /** Cryptolens channel names for "new version" messages and for news; omit either to not follow it. */
    updateChannel?: string;
    newsChannel?: string;
  };

/**
 * How this install applies an update (electron/core/apply; docs/updates.md). The shell builds it from how the
 * app was installed; absent, the app can't update itself (a development run) and offers the installer instead.
 */
export interface InstallSetup {
  /** Puts the verified file in place (re-checking its hash first); throws with one plain sentence. */
  apply(file: string, version: string, sha256: string, mode?: 'restart' | 'quit'): Promise<void>;
  /** false: "Install when I quit" may not use this install (a permission prompt would appear after the user left). */
  atQuit?: boolean;
  /** After apply: the watchdog relaunches into `version` and restores `from` if it fails to start (docs/rollback.md). */
  handoff(version: string, from: string): Promise<void>;
  /** How this install was packaged: picks the asset to download (an AppImage install never gets the .deb). */
  package?: PackageKind | null;
  /** The installed file a patch applies to (an AppImage), if the platform has one. */
  installedFile?: string | null;
  /**
   * Called once the app is healthy (core started, first window shown). true: this start was a freshly installed
   * version under the watchdog's health check, and it passed (the adoption report then says `updated`).
   */
  reportHealthy?(version: string): boolean | void;
  /** What the watchdog did after the last update, read once at start. */
  takeOutcome?(): UpdateOutcome | null;
}

export type UpdateOutcome =
  | { updated: { from: string; to: string } }
  | { rolledBack: { bad: string; restored: string; reason: string } }
  /** It failed to start and the previous version couldn't be put back (`error` says why); what is installed runs. */
  | { restoreFailed: { bad: string; previous: string; reason: string; error: string } };

export type InstallEvent =
  | { state: 'installing'; version: string }
  | { state: 'installed'; version: string }
  | { state: 'failed'; version: string; message: string };

export interface CompanionOptions {
  /** Folder for the database (tidings.db) and, unless downloadDir is set, downloads. */
  dataDir: string;
  /** Base64 Ed25519 public keys built into the app: the only signatures trusted for releases. */
  publisherKeys: readonly string[];
  installedVersion: string;
  /** Publish time (unix s) of the installed release; Cryptolens sources fetch updates after it. Default 0. */
  installedReleaseTime?: number;
  /** e.g. 'linux-x64', 'win32-x64', 'darwin-arm64'. */
  platform: string;
  channel: UpdateChannel;
  /**
   * The app's built-in sources. They are defaults: stored at the first start (and refreshed while the user has
   * not edited them); sources the user adds, edits or removes in Settings are kept in the store.
   */
  sources: SourceConfig[];
  /** How source tokens are kept at rest (Electron: the OS keychain). Default: stored as they are. */
  tokenSeal?: TokenSeal;
  /** Development and tests only: allow http:// on loopback hosts for feeds and assets. */
  allowLoopbackHttp?: boolean;
  /** Background check interval; null = manual only. Default one hour (±10 % jitter); clamped to 15 min … 7 days. */
  intervalMs?: number | null;
  /** "Remind me later" duration. Default one day. */
  remindLaterMs?: number;
  /** News retention. Default 180 days / 5,000 items. */
  retention?: { maxAgeDays: number; maxCount: number };
  downloadDir?: string;
  /** How this install applies updates; absent: it can't (the user opens the installer). */
  install?: InstallSetup;
  /** Used for download file names when the URL has no plain name. Default 'Tidings'. */
  productName?: string;
  clock?: Clock;
  random?: () => number;
  /** Test hook: called at named store fault points. */
  faultHook?: (point: string) => void;
}

export interface SourceStatus {
  id: string;
  kind: SourceConfig['kind'];
  running: boolean;
  /** ms since the epoch of the next scheduled check, or null (manual mode, or stopped). */
  nextAt: number | null;
  lastCheck: number | null;
  lastSuccess: number | null;
  lastError: string | null;
  /** The feed refused our token (401/403): shown in the UI until a check succeeds. */
  needsAttention: boolean;
  /** Retry-After in force until this time (ms), if any. */
  notBefore: number | null;
}

/**
 * A message as a host app receives it (the `message` event): what the publisher said, with its machine-readable
 * `code` and JSON `data`, whether it is kept in the inbox (`persistent`) or was pushed live and not stored.
 */
export interface HostMessage {
  id: string;
  sourceId: string;
  channel: string;
  kind: 'release' | 'news' | 'note';
  title: string;
  body: string;
  code: number | null;
  data: Record<string, unknown> | null;
  /** Signed by a built-in publisher key. */
  trusted: boolean;
  persistent: boolean;
  /** Unix seconds. */
  expires: number | null;
  /** The inbox row (for markRead, dismiss); null for a live-only message. */
  key: number | null;
}

export type DownloadEvent =
  | { state: 'progress'; version: string; received: number; total: number }
  | { state: 'done'; version: string; path: string }
  | { state: 'failed'; version: string; kind: string; message: string }
  | { state: 'cancelled'; version: string };

/** Every state change the UI needs; listeners re-query nothing on their own schedule (no UI polling). */
export interface CompanionEvents {
  /** New visible messages; `toasts` are the OS notifications due now (each shown at most once, ever). */
  messages: { items: InboxItem[]; toasts: InboxItem[] };
  unread: UnreadCounts;
  /**
   * The update status changed. `notify` is true once per offered version (and never while "remind later" holds,
   * unless critical), and once more when a reminder comes due; `notifyKey` names that notification.
   */
  offer: { status: UpdateStatus; notify: boolean; notifyKey?: string };
  /** The network went away or came back (from check failures, or the shell's own signal). */
  network: { online: boolean };
  /** A check started or finished on a source. */
  check: SourceStatus;
  download: DownloadEvent;
  /** Installing the verified update: started, done (the shell quits for the relaunch), or failed with words. */
  install: InstallEvent;
  /** A live-only message pushed over SSE (persistent: false): show it as a toast or banner; it is not stored. */
  live: LiveMessage;
  /**
   * Each new visible message, one event apiece: a persistent one once it is stored (a first sync delivers the
   * history it stores, too), a live-only one as it arrives (after `live`). For host apps that react to codes.
   */
  message: HostMessage;
  /** A non-blocking notice (e.g. the local data was unreadable and is being re-downloaded). */
  notice: { message: string };
}

export type Listener<K extends keyof CompanionEvents> = (payload: CompanionEvents[K]) => void;

export interface Companion {
  /** Starts background checks (first one after a small random delay). */
  start(): void;
  /** Stops timers and downloads and closes the database. */
  close(): Promise<void>;
  on<K extends keyof CompanionEvents>(event: K, listener: Listener<K>): () => void;

  // Queries: always answered from the store.
  listMessages(q?: PageQuery): InboxItem[];
  /** How many items the inbox shows for a filter (what listMessages pages through). */
  countMessages(q?: { channel?: string; kind?: InboxItem['kind'] }): number;
  /** The soonest future expiry of a visible item (unix seconds): the inbox changes by itself then. */
  nextExpiry(): number | null;
  message(key: number): InboxItem | null;
  unreadCounts(): UnreadCounts;
  updateStatus(): UpdateStatus;
  sources(): SourceStatus[];
  checkLog(limit?: number): CheckLogEntry[];
  notice(): string | null;
  channel(): UpdateChannel;

  // Commands.
  /** A user-initiated check of every source; refused politely while rate-limited or inside Retry-After. */
  checkNow(): CheckNowResult[];
  /** Resolves when every source's current or next manual check has finished (for shells that show a spinner). */
  checkAll(): Promise<void>;
  /** Resolves when no check is running on any source (what a Check Now started has finished). */
  settled(): Promise<void>;
  /** Marks items read (or, with `read: false`, unread again: ux.md's `m` toggles). */
  markRead(keys: number[] | 'all', read?: boolean): void;
  dismiss(keys: number | readonly number[]): void;
  /** Undoes dismissals. */
  restore(keys: readonly number[]): void;
  /** Dismissed posts, most recent first (Settings → Data lists them with Undo). */
  dismissed(limit?: number): DismissedRow[];
  dismissNotice(): void;
  setChannel(channel: UpdateChannel): void;
  setInterval(ms: number | null): void;
  skipVersion(version: string): void;
  /** Undoes a skip; the version is offered again if it is still the newest. Returns whether it was skipped. */
  unskipVersion(version: string): boolean;
  skippedVersions(): string[];
  /** The newest applicable version when the user skipped it (so the UI never says "up to date" then). */
  skippedNewest(): string | null;
  /** Snoozes the offer; when the time comes the offer notifies again by itself. */
  remindLater(ms?: number): void;
  /** The snooze in force (unix seconds), if any. */
  remindUntil(): number | null;
  clearRemind(): void;
  /** Downloads and verifies the offered release's asset; progress arrives as 'download' events. */
  download(): Promise<DownloadEvent>;
  cancelDownload(): void;
  /** The release an explicit, confirmed downgrade would install (never offered automatically). */
  downgradeTarget(): ReleaseInfo | null;
  /** Downloads the downgrade target after the user confirmed that exact version. */
  confirmDowngrade(version: string): Promise<DownloadEvent>;
  /** 'restart': Restart to Update applies the verified download in place; 'manual': the user opens the installer. */
  installMode(): 'restart' | 'manual';
  /** Whether this install may install a verified update at quit (Settings → Install updates when I quit). */
  installAtQuitPossible(): boolean;
  /** The asset of `release` this install downloads (its platform and package kind), if it has one. */
  assetOf(release: ReleaseInfo): Asset | undefined;
  /** The verified download of the offered version, if any (never a path the UI supplied). */
  verifiedDownload(): { path: string; version: string; sha256: string } | null;
  /** The install in progress or the last one's failure, for the Updates screen. */
  installState(): InstallEvent | null;
  /** Applies the verified update and starts the watchdog; the shell then quits. */
  restartToUpdate(): Promise<{ ok: true } | { ok: false; message: string }>;
  /** At quit: installs a verified update if `allowed` (the user's setting). True if it did. */
  installAtQuit(allowed: boolean): Promise<boolean>;
  /** The app is healthy after an update (core started, first window shown): the watchdog stops waiting. */
  reportHealthy(): void;
  /** After a rollback, while the restored version runs: which version failed to start. */
  restoredAfterFailure(): { bad: string; restored: string } | null;
  /** Power resume / network back: re-check after a random 0–60 s. */
  wake(): void;

  // Sources the user follows (Settings → Sources), kept in the store.
  sourceConfigs(): SourceConfig[];
  /** Adds or replaces a source (throws ConfigError naming the field); a new URL or kind starts it afresh. */
  saveSource(config: SourceConfig): Promise<void>;
  /** Stops following a source and forgets what came from it. */
  removeSource(id: string): Promise<void>;
  /** Reaches a source without storing anything (Test Connection): what it found, or why not. */
  probeSource(config: SourceConfig): Promise<ProbeResult>;

  installId(): string;
  /** False while the network is down (every source failed to resolve or route, or the shell said so). */
  online(): boolean;
  /** The shell's own network signal; coming back online re-checks soon. */
  setOnline(online: boolean): void;
  /** News retention in days (null = forever), applied at once and after every check. */
  setRetention(days: number | null): void;
  /** The shell's settings (validated by the shell's schema), kept in the store with the rest. */
  preferences(): unknown;
  setPreferences(p: unknown): void;
}
