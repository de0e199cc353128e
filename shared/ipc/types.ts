// Views the UI renders. Produced by the core (through electron/main or the preview host), consumed by the
// renderer. Plain data only: nothing here may carry functions, errors or stack traces.
import type { Preferences } from '../settings.ts';
import type { UpdateChannel } from '../channels.ts';

export type Channel = UpdateChannel;
export type Screen = 'inbox' | 'updates' | 'settings' | 'status' | 'publish';
export type Topic = 'inbox' | 'counts' | 'update' | 'status' | 'settings' | 'publisher';

export interface AppInfo {
  product: string;
  /** The installed version of the tracked product. */
  version: string;
  installId: string;
  platform: string;
  keys: { keyId: string; publicKey: string }[];
  /** A publisher token is configured: show the Publish screen. */
  publisher: boolean;
}

export interface InboxItem {
  /** Local key, stable across restarts. */
  key: string;
  sourceId: string;
  messageId: string;
  channel: string;
  /** 'note' = unsigned free text that mentions a new version (never an install offer). */
  kind: 'release' | 'news' | 'note';
  title: string;
  /** One line of the body as plain text, for rows. */
  excerpt: string;
  created: number;
  read: boolean;
  /** Signed by a trusted publisher key. */
  trusted: boolean;
  version?: string;
  critical?: boolean;
  /** For untyped version notes: the link found in the text. */
  link?: string;
}

export interface InboxItemDetail extends InboxItem {
  /** Markdown, rendered sanitized by the renderer. */
  body: string;
}

export interface InboxPage {
  items: InboxItem[];
  total: number;
}

export interface Counts {
  unread: number;
  byChannel: Record<string, number>;
}

export interface Offer {
  version: string;
  title: string;
  notes: string;
  channel: Channel;
  critical: boolean;
  size: number;
  platform: string;
  published: number;
  itemKey: string;
}

/** A version that failed to start after an update, and the one restored instead (docs/rollback.md). */
export interface Restored {
  bad: string;
  restored: string;
}

export type UpdateView =
  /**
   * `ahead`: running a pre-release newer than the latest stable after switching to Stable (the renderer words it
   * from its catalogue: "You'll keep {installed} and move to Stable with the next stable release newer than yours").
   */
  | { state: 'up-to-date'; installed: string; channel: Channel; checkedAt: number | null; ahead?: { stable: string | null }; restored?: Restored }
  /** The newest version is one the user skipped: honest, with Undo (never "up to date"). */
  | { state: 'skipped'; installed: string; channel: Channel; version: string; checkedAt: number | null }
  | { state: 'available'; installed: string; channel: Channel; offer: Offer; remindAt: number | null }
  | { state: 'cant-confirm'; installed: string; channel: Channel; since: number | null; reason: string }
  | { state: 'downloading'; installed: string; channel: Channel; offer: Offer; received: number; total: number }
  /**
   * Downloaded and verified. `apply`: 'restart' = this install is updated in place by Restart to Update (or at
   * quit when `installOnQuit`); 'manual' = no installed app to replace (a development run): open the installer.
   */
  | { state: 'verified'; installed: string; channel: Channel; offer: Offer; fileName: string; apply: 'restart' | 'manual'; installOnQuit: boolean }
  /** Applying the verified update, then handing over to the new version. */
  | { state: 'installing'; installed: string; channel: Channel; offer: Offer }
  /** The install stopped with one plain message; the installed version is unchanged and still runs. */
  | { state: 'install-failed'; installed: string; channel: Channel; offer: Offer; message: string }
  | { state: 'verify-failed'; installed: string; channel: Channel; offer: Offer; message: string };

export interface UpdateState {
  view: UpdateView;
  skipped: string[];
  /** Snooze in force (unix seconds), if any. */
  remindAt: number | null;
  /**
   * Set after switching experimental → stable while running a newer pre-release: the sentence to show
   * and the stable version that an explicit, confirmed downgrade would install.
   */
  pendingStable: { message: string; stableVersion: string | null } | null;
}

export interface SourceView {
  id: string;
  name: string;
  kind: 'tidings' | 'cryptolens';
  url: string;
  /** Tidings feed: the news channels followed besides the update channel. */
  channels: string[];
  /** Cryptolens account: its channel names for "new version" messages and for news (either may be absent). */
  updateChannel?: string;
  newsChannel?: string;
  hasToken: boolean;
  /** The token is a publisher token (enables the Publish screen). */
  publisher: boolean;
}

/** The Settings screen: the user's preferences (shared/settings.ts), the channel and the sources followed. */
export type Settings = Preferences & { channel: Channel; sources: SourceView[] };

export interface SourceStatus {
  id: string;
  name: string;
  lastCheck: number | null;
  lastSuccess: number | null;
  nextCheck: number | null;
  /** Plain words, as ux.md lists them; details separately. */
  lastError: { message: string; detail: string; at: number } | null;
  needsAttention: boolean;
}

export interface CheckLogEntry {
  at: number;
  sourceId: string;
  /** 'event': not a check but something the app did (an update downloaded, installed, restored); `message` says what. */
  outcome: 'new' | 'unchanged' | 'error' | 'event';
  /** How many new items the check stored (outcome 'new'). */
  added: number;
  /** For errors: the plain-words reason (ux.md "Errors in plain words"); empty otherwise. */
  message: string;
}

/** A post the user dismissed, listed in Settings → Data so the dismissal can be undone. */
export interface DismissedItem {
  key: string;
  title: string;
  channel: string;
  dismissedAt: number;
}

export interface StatusView {
  sources: SourceStatus[];
  log: CheckLogEntry[];
  /** "Can't confirm you're up to date since …" */
  frozenSince: number | null;
  online: boolean;
}

export interface FieldError {
  field: string;
  message: string;
}

export type Result<T = Record<never, never>> = ({ ok: true } & T) | { ok: false; error: FieldError };

export interface PublishedItem {
  id: string;
  seq: number;
  channel: string;
  kind: 'release' | 'news' | 'retraction';
  title: string;
  version?: string;
  created: number;
  retracted: boolean;
}

export interface KeyInfo {
  keyId: string;
  fileName: string;
}

export interface HashedFile {
  fileName: string;
  sha256: string;
  size: number;
  /** Opaque handle main keeps for this file; the renderer never sees paths. */
  handle: string;
}
