// Types shared by the core's modules and exported through the facade.

/**
 * release: a signed, verified release record (can become an update offer).
 * news: a news item (signed or untrusted text).
 * note: untrusted text that announces a new version; shown with its link, never turned into an offer.
 * retraction: withdraws an earlier message of the same channel (never shown itself).
 */
export type MessageKind = 'release' | 'news' | 'note' | 'retraction';

/** A validated message as a source hands it to the store. */
export interface IncomingMessage {
  id: string;
  seq: number | null;
  channel: string;
  kind: MessageKind;
  /** The Ed25519 signature verified against a key built into the app. */
  trusted: boolean;
  created: number;
  expires: number | null;
  version: string | null;
  critical: boolean;
  retracts: string | null;
  title: string;
  link: string | null;
  /** The record as received (v1 JSON, or the Cryptolens message), kept for display and re-checks. */
  record: unknown;
}

/** One row of the inbox, as queries return it. `key` is the local row id used by commands. */
export interface InboxItem {
  key: number;
  sourceId: string;
  id: string;
  channel: string;
  kind: MessageKind;
  trusted: boolean;
  title: string;
  link: string | null;
  version: string | null;
  critical: boolean;
  expires: number | null;
  created: number;
  read: boolean;
  /**
   * The record as received. On items read from the store it is a getter that parses the stored JSON on first
   * read (a list page parses none, performance.md row 5): JSON.stringify includes it, a spread copy or
   * structuredClone does not — read it (or JSON-serialize the item) to carry it along.
   */
  record: unknown;
}

export interface UnreadCounts {
  total: number;
  byChannel: Record<string, number>;
}

export interface CheckLogEntry {
  at: number;
  sourceId: string;
  ok: boolean;
  detail: string;
  /** Visible items the check stored (a first sync's history included): "2 new posts" vs "No change". 0 for failures and notes. */
  added: number;
}

/** Injectable time and randomness, so the scheduler and policy run under a fake clock in tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers must not keep a shell or test process alive on their own.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
