// The feed service's storage interface. SQLite implements it today; PostgreSQL can implement the same
// contract (issue 7), so routes never see SQL.
import type { StoredMessage, UnsignedRecord, ChannelInfo, CryptolensMessage } from '../../shared/protocol/schemas.ts';
import type { AdoptionReport, FailedStartCount, FailedStartReport, HaltPolicy } from '../../shared/protocol/reports.ts';
import type { ConsoleStore } from './console.ts';

/** `admin`: manage tokens and trusted keys in the console (docs/console.md); it grants no read or publish by itself. */
export type Scope = 'read' | 'publish' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'publish', 'admin'];

/**
 * The database cannot be reached (down, restarting, refusing connections). Routes answer it with a typed
 * 503 and Retry-After instead of a 500, so clients and load balancers come back later.
 */
export class StoreUnavailableError extends Error {
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;
  constructor(message: string, retryAfter = 5) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

export interface TokenRow {
  id: string;
  name: string;
  scopes: Scope[];
  /** null = every channel. */
  channels: string[] | null;
  created: number;
  revoked: number | null;
}

/** One aggregated adoption row; `day` a UTC date (YYYY-MM-DD). */
export interface AdoptionCount {
  channel: string;
  version: string;
  platform: string;
  day: string;
  /** Every report (installs running the version that day). */
  count: number;
  /** Reports with updated: true (installs that tried the update and it started). */
  updated: number;
  maxBucket: number;
}

/** What the self-halt rule needs of one release, read in one indexed query (server/halts.ts). */
export interface ReleaseHealth {
  /** Failed-start reports, every reason and day. */
  failed: number;
  /** Adoption reports with updated: true, every day. */
  updated: number;
  /** Live (not retracted) release copies of this version on the channel. */
  live: number;
  halt: { halted: boolean; baseFailed: number; baseTried: number } | null;
  policy: HaltPolicy | null;
}

/**
 * The routine check's state as this node knows it: heads, and the holds (versions whose rollout is halted, per
 * channel, newest halts first, at most 100 each) with their generation, which moves with every halt or resume.
 */
export interface HeadsState {
  global: number;
  heads: Record<string, number>;
  holds: Record<string, string[]>;
  holdGeneration: number;
}

/** A stored message as the JSON text we serve, so pages are assembled without re-serializing. */
export interface RawMessage {
  seq: number;
  json: string;
}

export interface PageResult {
  channel: string;
  items: RawMessage[];
  next: number;
  head: number;
  more: boolean;
}

/** What a publish asks to store: a verified signed record, or unsigned text from the Cryptolens dialect. */
export interface InsertRequest {
  record: UnsignedRecord & { sig: { key: string; ed25519: string } | null };
  /** Cryptolens `content` for this message; defaults to the record's JSON text. */
  content?: string;
  /** Explicit `created` (Cryptolens `Time`), already checked against the clock by the caller. */
  created?: number;
  /** Server clock, unix seconds. */
  now: number;
  /** Replace the record's id with this prefix + its seq (Cryptolens-created messages: `cl-<seq>`). */
  idFromSeq?: string;
}

export type InsertResult =
  | { status: 'created'; message: StoredMessage }
  | { status: 'existing'; message: StoredMessage }
  | { status: 'rejected'; httpStatus: 400 | 409; code: string; field: string; message: string };

/** A message that became visible (after its commit), or a live-only message (no seq). */
export interface FeedEvent {
  channel: string;
  seq?: number;
  json: string;
  /** `holds`: the channel's holds changed; json is `{"holds":[…]}` (docs/protocol.md "Holds"). */
  event?: 'holds';
}

export interface FeedStore {
  /**
   * Every new stored message after its commit, and every live-only message, from whichever node
   * published it; in seq order per node. Used to push SSE.
   */
  subscribe(fn: (e: FeedEvent) => void): () => void;
  /** Hands a live-only message to every node's subscribers; it is never stored for readers. */
  publishLive(channel: string, json: string): Promise<void>;
  /** A random id fixed when the feed was created; part of every ETag, so a restored or replaced feed never matches an old one. */
  readonly epoch: string;
  /** The highest seq assigned anywhere in the feed (0 when empty). */
  globalHead(): Promise<number>;
  heads(): Promise<Record<string, number>>;
  /**
   * The heads as this node currently knows them, without I/O, or undefined when they must be read
   * (the answer is then exactly what `globalHead()`/`heads()` would give). Lets the routine 304 check
   * answer synchronously. Invalidated by every publish on any node (SQLite: data_version; PostgreSQL:
   * the LISTEN notification), and never older than the store's own cache bound.
   */
  peekHeads(): HeadsState | undefined;
  /** The same state, read when it is not known in memory. */
  headsState(): Promise<HeadsState>;
  channels(): Promise<ChannelInfo[]>;
  channelHead(channel: string): Promise<number | undefined>;
  page(channel: string, after: number, limit: number, maxBytes: number): Promise<PageResult>;
  byId(id: string): Promise<(StoredMessage & { retracted: boolean }) | undefined>;
  insert(req: InsertRequest): Promise<InsertResult>;
  /** Messages for the Cryptolens dialect: created strictly after `time`, newest first, not retracted. */
  cryptolensMessages(channel: string | null, time: number, limit: number): Promise<CryptolensMessage[]>;
  /** The newest `created` in a channel (0 when empty). */
  newestCreated(channel: string | null): Promise<number>;
  bySeq(seq: number): Promise<(StoredMessage & { retracted: boolean }) | undefined>;

  /**
   * A number that changes whenever a token is created or revoked on any node (SQLite: by this process or,
   * seen within 100 ms, by another one; PostgreSQL: through the LISTEN notification), or undefined while
   * such changes cannot be seen (PostgreSQL: LISTEN being re-established). Lets verified tokens be cached
   * (server/tokencache.ts) with revocation still taking effect within a second.
   */
  tokensVersion(): number | undefined;
  createToken(t: { id: string; name: string; hash: Buffer; scopes: Scope[]; channels: string[] | null; created: number }): Promise<void>;
  tokenById(id: string): Promise<(TokenRow & { hash: Buffer }) | undefined>;
  listTokens(): Promise<TokenRow[]>;
  revokeToken(id: string, at: number): Promise<boolean>;
  tokenCount(): Promise<number>;

  addPublisherKey(publicKey: string, keyId: string, name: string, at: number): Promise<void>;
  /** Removes a key added to the database (not one configured at start); false when there was none. */
  removePublisherKey(keyId: string): Promise<boolean>;
  publisherKeys(): Promise<{ keyId: string; publicKey: string; name: string; added: number }[]>;
  /** Key rotation statements (docs/key-rotation.md) as stored JSON text, in seq order. */
  keyStatements(): Promise<string[]>;
  /** Stores statement `seq`; false when that seq is already taken (a concurrent rotation won). */
  addKeyStatement(seq: number, json: string, at: number): Promise<boolean>;

  /** Counts one failed-start report under (channel, version, platform, reason, day); nothing else is kept. */
  countFailedStart(report: FailedStartReport, day: number): Promise<void>;
  /** The aggregated counts, newest day first; `day` as YYYY-MM-DD (UTC). */
  failedStarts(filter: { channels: string[] | null; version?: string }): Promise<FailedStartCount[]>;

  /** Counts one adoption report under (channel, version, platform, day); nothing else is kept. */
  countAdoption(report: AdoptionReport, day: number): Promise<void>;
  /** The aggregated adoption counts, newest day first. */
  adoption(filter: { channels: string[] | null; version?: string }): Promise<AdoptionCount[]>;
  /** One release's totals, halt and channel policy, for the self-halt rule: one indexed query. */
  releaseHealth(channel: string, version: string): Promise<ReleaseHealth>;

  /** The publisher console's sessions, audit log and halted rollouts (server/store/console.ts). */
  readonly console: ConsoleStore;

  close(): Promise<void>;
}

/** Day number (days since 1970-01-01 UTC) of unix seconds: the finest time a report is kept at. */
export const dayOf = (unixSeconds: number) => Math.floor(unixSeconds / 86_400);
export const dayText = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
