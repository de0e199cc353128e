// The companion's store: one better-sqlite3 connection owned by the core. Every count and list comes from
// SQL (no caches that can drift); inbox queries use keyset bounds so they are index searches, never scans.
import { UPDATE_CHANNELS } from '../../../shared/channels.ts';
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openDatabase, type Db, type Recovery } from './open.ts';
import { applyCheck, targetingOf, type ApplyResult, type CheckBatch } from './apply.ts';
import { bucketOf, rollbackFloors, type InstallFacts } from '../policy/update.ts';
import type { PackageKind } from '../../../shared/protocol/schemas.ts';
import { ITEM_COLUMNS, itemFromArray, toItem, type MessageRow } from './rows.ts';
import type { CheckLogEntry, InboxItem, MessageKind, UnreadCounts } from '../types.ts';

export interface SourceState {
  id: string;
  kind: string;
  url: string;
  headsEtag: string | null;
  needsAttention: boolean;
  lastCheck: number | null;
  lastSuccess: number | null;
  failingSince: number | null;
  lastError: string | null;
}

export interface CursorState {
  cursor: number;
  floor: number | null;
  etag: string | null;
  /** When the cursor was last written (our clock, unix s). */
  lastCheck: number | null;
}

export interface PageQuery {
  channel?: string;
  kind?: MessageKind;
  /** Keyset bound: items strictly older than this (created, key). Omit for the first page. */
  before?: { created: number; key: number };
  /** Rows to skip after the bound: the renderer's virtualized list asks for pages by index. */
  offset?: number;
  limit?: number;
}

/** The bound values of a query's channel and kind filters, the ones its SQL names. */
function filterParams(q: { channel?: string; kind?: MessageKind }): Record<string, unknown> {
  return { ...(q.channel !== undefined ? { channel: q.channel } : {}), ...(q.kind !== undefined ? { kind: q.kind } : {}) };
}

/** The inbox page SQL for a query's shape (the plain shapes are INBOX_SQL's, as EXPLAIN tests and row 5 see). */
function pageSql(q: PageQuery): string {
  if (q.kind === undefined && !q.offset) return q.channel === undefined ? INBOX_SQL.page : INBOX_SQL.channelPage;
  const base = q.channel === undefined ? INBOX_SQL.page : INBOX_SQL.channelPage;
  if (q.kind === undefined && !q.offset) return base;
  const filtered = q.kind === undefined ? base : base.replace(' ORDER BY', ' AND kind = @kind ORDER BY');
  return q.offset ? `${filtered} OFFSET @offset` : filtered;
}

export interface StoreOptions {
  file: string;
  faultHook?: (point: string) => void;
  log?: { max: number };
  /** Clock for hiding expired messages, unix seconds. */
  nowSec?: () => number;
  /**
   * This install's platform and version (the bucket comes from the stored install id): the rollback floor counts
   * only releases that apply to it. Without it (tools, tests) every trusted release counts.
   */
  install?: { platform: string; installedVersion: string; package?: PackageKind | null };
}

const VISIBLE = `retracted = 0 AND dismissed = 0 AND kind <> 'retraction'`;
/** Expired messages are hidden (protocol.md: clients hide it after `expires`); the store keeps them. */
const LIVE = `(expires IS NULL OR expires > @now)`;
const MAX_KEY = Number.MAX_SAFE_INTEGER;
/** Check-log lines allowed over its maximum before the oldest are deleted together (see Store.log). */
const LOG_SLACK = 32;
/** localeCompare's order, with the collator built once instead of per comparison. */
const collator = new Intl.Collator();

/** The inbox statements, exported so a test can EXPLAIN exactly these (no drift between test and code). */
export const INBOX_SQL = {
  page: `SELECT ${ITEM_COLUMNS} FROM messages WHERE ${VISIBLE} AND ${LIVE} AND (created, rowid) < (@created, @key) ORDER BY created DESC, rowid DESC LIMIT @limit`,
  channelPage: `SELECT ${ITEM_COLUMNS} FROM messages WHERE ${VISIBLE} AND ${LIVE} AND channel = @channel AND (created, rowid) < (@created, @key)
    ORDER BY created DESC, rowid DESC LIMIT @limit`,
  /** Trigger-maintained counts (see migration 1) … */
  unread: `SELECT channel, n FROM unread_counts WHERE n > 0`,
  /** … minus unread messages that have expired since. */
  unreadExpired: `SELECT channel, COUNT(*) AS n FROM messages WHERE expires IS NOT NULL AND read = 0 AND ${VISIBLE} AND expires <= @now GROUP BY channel`,
  /** The same figure counted from the rows; used by tests to prove the maintained counts never drift. */
  unreadRecount: `SELECT channel, COUNT(*) AS n FROM messages WHERE read = 0 AND ${VISIBLE} AND ${LIVE} GROUP BY channel`,
} as const;

export class Store {
  readonly db: Db;
  readonly recovery: Recovery | null;
  private readonly faultHook: ((point: string) => void) | undefined;
  private readonly logMax: number;
  private readonly nowSec: () => number;
  private readonly install: InstallFacts | undefined;

  constructor(opts: StoreOptions) {
    const opened = openDatabase({ file: opts.file, faultHook: opts.faultHook });
    this.db = opened.db;
    this.recovery = opened.recovery;
    this.faultHook = opts.faultHook;
    this.logMax = opts.log?.max ?? 200;
    this.nowSec = opts.nowSec ?? (() => Math.floor(Date.now() / 1000));
    this.stmt(`INSERT OR IGNORE INTO meta (key, value) VALUES ('install_id', ?)`).run(randomUUID());
    this.install = opts.install && { ...opts.install, installBucket: bucketOf(this.installId()) };
    if (opened.recovery) this.setMeta('notice', `Local data could not be read (${opened.recovery.reason}); it was moved aside and is being downloaded again.`);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements are cached per SQL text: preparing costs more than running most of these. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private readonly arrayStatements = new Map<string, Database.Statement>();

  /**
   * The same cache for statements that return rows as arrays (`raw` mode): a page of 50 items builds 50 small
   * arrays instead of 50 objects with a property per column, which is most of what a page costs in JS (row 5).
   */
  private arrayStmt(sql: string): Database.Statement {
    let st = this.arrayStatements.get(sql);
    if (!st) {
      st = this.db.prepare(sql).raw(true);
      this.arrayStatements.set(sql, st);
    }
    return st;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  installId(): string {
    return this.getMeta('install_id') ?? '';
  }

  getMeta(key: string): string | null {
    const r = this.stmt(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.stmt(`DELETE FROM meta WHERE key = ?`).run(key);
    else this.stmt(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
  }

  /**
   * Held versions per channel of one source (the heads answer's `holds`, issue 15): replaced by every heads 200,
   * kept by a 304, forgotten with the source's data. Kept in `meta` as `holds:<source>`; nothing held, no row.
   */
  setHolds(sourceId: string, holds: Readonly<Record<string, readonly string[]>>): void {
    const kept = Object.fromEntries(Object.entries(holds).filter(([, v]) => v.length > 0));
    this.setMeta(`holds:${sourceId}`, Object.keys(kept).length > 0 ? JSON.stringify(kept) : null);
  }

  /** Every source's held versions (see setHolds); an unreadable row holds nothing. */
  holds(): Map<string, Record<string, string[]>> {
    const rows = this.stmt(`SELECT key, value FROM meta WHERE key LIKE 'holds:%'`).all() as { key: string; value: string }[];
    const out = new Map<string, Record<string, string[]>>();
    for (const r of rows) {
      try {
        out.set(r.key.slice('holds:'.length), JSON.parse(r.value) as Record<string, string[]>);
      } catch {
        // Written by us; if it is damaged the next heads 200 replaces it.
      }
    }
    return out;
  }

  ensureSource(id: string, kind: string, url: string): void {
    this.stmt(`INSERT INTO sources (id, kind, url) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, url = excluded.url`).run(id, kind, url);
  }

  source(id: string): SourceState | null {
    const r = this.stmt(`SELECT * FROM sources WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
    if (!r) return null;
    return {
      id: r.id as string, kind: r.kind as string, url: r.url as string, headsEtag: r.heads_etag as string | null,
      needsAttention: r.needs_attention === 1, lastCheck: r.last_check as number | null, lastSuccess: r.last_success as number | null,
      failingSince: r.failing_since as number | null, lastError: r.last_error as string | null,
    };
  }

  cursor(sourceId: string, channel: string): CursorState | null {
    const r = this.stmt(`SELECT cursor, floor, etag, last_check AS lastCheck FROM cursors WHERE source_id = ? AND channel = ?`).get(sourceId, channel) as CursorState | undefined;
    return r ?? null;
  }

  /**
   * The heads ETag to send with a routine request: the stored one while every followed channel has a cursor,
   * null when the source is unknown or a channel was never synced (a 304 would not cover it). What
   * `source()` and a `cursor()` per channel tell, in one statement: the routine check runs it every time
   * (performance.md, row 8).
   */
  routineEtag(sourceId: string, channels: readonly string[]): string | null {
    const wanted = [...new Set(channels)];
    if (wanted.length === 0) return (this.stmt(`SELECT heads_etag AS etag FROM sources WHERE id = ?`).get(sourceId) as { etag: string | null } | undefined)?.etag ?? null;
    const r = this.stmt(`SELECT heads_etag AS etag, (SELECT COUNT(*) FROM cursors WHERE source_id = sources.id AND channel IN (${wanted.map(() => '?').join(', ')})) AS synced
      FROM sources WHERE id = ?`).get(...wanted, sourceId) as { etag: string | null; synced: number } | undefined;
    return r && r.synced === wanted.length ? r.etag : null;
  }

  /** Stores one validated check result in one transaction (see apply.ts). */
  apply(sourceId: string, batch: CheckBatch): ApplyResult {
    return applyCheck(this.db, sourceId, batch, this.faultHook, this.install);
  }

  /** Records the outcome of a check on its source and in the short diagnostics log. */
  recordCheck(sourceId: string, now: number, outcome: { ok: boolean; detail: string; needsAttention?: boolean; added?: number }): void {
    // One transaction function made once: better-sqlite3 builds a new wrapper (and its BEGIN/COMMIT variants) on
    // every `db.transaction()` call, a fifth of what a routine check's write cost (performance.md, row 8).
    this.recordTx ??= this.db.transaction((id: string, at: number, o: { ok: boolean; detail: string; needsAttention?: boolean; added?: number }) => {
      if (o.ok) this.stmt(`UPDATE sources SET last_check = ?, last_success = ?, failing_since = NULL, last_error = NULL, needs_attention = 0 WHERE id = ?`).run(at, at, id);
      else {
        this.stmt(`UPDATE sources SET last_check = ?, failing_since = COALESCE(failing_since, ?), last_error = ?,
          needs_attention = CASE WHEN ? THEN 1 ELSE needs_attention END WHERE id = ?`)
          .run(at, at, o.detail, o.needsAttention ? 1 : 0, id);
      }
      this.log(id, at, o.ok, o.detail, o.added ?? 0);
    });
    this.recordTx(sourceId, now, outcome);
  }

  private recordTx: ((id: string, at: number, o: { ok: boolean; detail: string; needsAttention?: boolean; added?: number }) => void) | undefined;

  /**
   * One line of the check log. The log keeps the newest `log.max` lines and up to LOG_SLACK more: the oldest
   * are deleted once every LOG_SLACK lines rather than one per line, so a routine check writes the newest leaf
   * of the log and not also the oldest one (one WAL page less per check; performance.md, row 8).
   */
  log(sourceId: string, now: number, ok: boolean, detail: string, added = 0): void {
    const n = Number(this.stmt(`INSERT INTO check_log (at, source_id, ok, detail, added) VALUES (?, ?, ?, ?, ?)`).run(now, sourceId, ok ? 1 : 0, detail.slice(0, 500), added).lastInsertRowid);
    if (n % LOG_SLACK === 0) this.stmt(`DELETE FROM check_log WHERE n <= ?`).run(n - this.logMax);
  }

  checkLog(limit = 50): CheckLogEntry[] {
    return (this.stmt(`SELECT at, source_id, ok, detail, added FROM check_log ORDER BY n DESC LIMIT ?`).all(limit) as { at: number; source_id: string; ok: number; detail: string; added: number }[])
      .map((r) => ({ at: r.at, sourceId: r.source_id, ok: r.ok === 1, detail: r.detail, added: r.added }));
  }

  /** One page of the inbox, newest first. */
  list(q: PageQuery = {}): InboxItem[] {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const created = q.before?.created ?? MAX_KEY;
    const key = q.before?.key ?? MAX_KEY;
    const now = this.nowSec();
    const params: Record<string, unknown> = { created, key, limit, now };
    if (q.channel !== undefined) params['channel'] = q.channel;
    if (q.kind !== undefined) params['kind'] = q.kind;
    if (q.offset) params['offset'] = Math.max(0, Math.floor(q.offset));
    const rows = this.arrayStmt(pageSql(q)).all(params) as unknown[][];
    const items: InboxItem[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) items[i] = itemFromArray(rows[i] as unknown[]);
    return items;
  }

  /** How many items the inbox shows for a filter (visible, not expired). */
  count(q: { channel?: string; kind?: MessageKind } = {}): number {
    const where = [VISIBLE, LIVE, ...(q.channel !== undefined ? ['channel = @channel'] : []), ...(q.kind !== undefined ? ['kind = @kind'] : [])];
    return (this.stmt(`SELECT COUNT(*) AS n FROM messages WHERE ${where.join(' AND ')}`).get({ ...filterParams(q), now: this.nowSec() }) as { n: number }).n;
  }

  /** The soonest future expiry of a visible item (unix seconds), if any: when the inbox changes by itself. */
  nextExpiry(): number | null {
    const r = this.stmt(`SELECT MIN(expires) AS at FROM messages WHERE expires > @now AND ${VISIBLE}`).get({ now: this.nowSec() }) as { at: number | null };
    return r.at;
  }

  item(key: number): InboxItem | null {
    const r = this.stmt(`SELECT * FROM messages WHERE rowid = ?`).get(key) as MessageRow | undefined;
    return r ? toItem(r) : null;
  }

  unreadCounts(): UnreadCounts {
    const counts = new Map<string, number>();
    for (const [channel, n] of this.arrayStmt(INBOX_SQL.unread).all() as [string, number][]) counts.set(channel, n);
    for (const [channel, n] of this.arrayStmt(INBOX_SQL.unreadExpired).all({ now: this.nowSec() }) as [string, number][]) {
      counts.set(channel, (counts.get(channel) ?? 0) - n);
    }
    const byChannel: Record<string, number> = {};
    let total = 0;
    const channels = [...counts.keys()];
    if (channels.length > 1) channels.sort(collator.compare);
    for (const channel of channels) {
      const n = counts.get(channel) as number;
      if (n <= 0) continue;
      byChannel[channel] = n;
      total += n;
    }
    return { total, byChannel };
  }

  markRead(keys: number[] | 'all', read = true): number {
    if (keys === 'all') return this.stmt(`UPDATE messages SET read = 1 WHERE read = 0 AND ${VISIBLE}`).run().changes;
    const stmt = this.stmt(`UPDATE messages SET read = ? WHERE rowid = ?`);
    return this.db.transaction(() => keys.reduce((n, k) => n + stmt.run(read ? 1 : 0, k).changes, 0))();
  }

  dismiss(key: number): boolean {
    return this.stmt(`UPDATE messages SET dismissed = 1 WHERE rowid = ?`).run(key).changes > 0;
  }

  /** Trusted, not retracted release records of the given channels (the update policy's input). */
  releases(channels: readonly string[]): InboxItem[] {
    const stmt = this.stmt(`SELECT * FROM messages WHERE channel = ? AND version IS NOT NULL AND kind = 'release' AND trusted = 1 AND retracted = 0`);
    return channels.flatMap((c) => (stmt.all(c) as MessageRow[]).map(toItem));
  }

  /** Ids and created times of a source's visible messages in a channel created after `after` (removal checks). */
  heldSince(sourceId: string, channel: string, after: number): { id: string; seq: number | null }[] {
    return this.stmt(`SELECT id, seq FROM messages WHERE source_id = ? AND channel = ? AND created > ? AND retracted = 0 AND kind <> 'retraction'`)
      .all(sourceId, channel, after) as { id: string; seq: number | null }[];
  }

  /** Trusted release records with their retracted flag: retracted ones still count for rollback protection. */
  releaseRecords(channels: readonly string[]): { item: InboxItem; retracted: boolean }[] {
    const stmt = this.stmt(`SELECT * FROM messages WHERE channel = ? AND version IS NOT NULL AND kind = 'release' AND trusted = 1`);
    return channels.flatMap((c) => (stmt.all(c) as MessageRow[]).map((r) => ({ item: toItem(r), retracted: r.retracted === 1 })));
  }

  /**
   * The rollback floor per channel, derived from the stored release records by the policy's rule (not stored:
   * it depends on the installed version). Without an install in the options every trusted release counts.
   */
  rollbackFloors(channels: readonly string[] = UPDATE_CHANNELS): Record<string, string> {
    const records = this.releaseRecords(channels).map(({ item }) => ({ channel: item.channel, version: item.version!, ...targetingOf(item.record) }));
    return Object.fromEntries(rollbackFloors(records, this.install));
  }

  skipVersion(version: string, now: number): void {
    this.stmt(`INSERT OR REPLACE INTO skipped_versions (version, at) VALUES (?, ?)`).run(version, now);
  }

  skippedVersions(): string[] {
    return (this.stmt(`SELECT version FROM skipped_versions`).all() as { version: string }[]).map((r) => r.version);
  }

  /**
   * Retention: news and notes older than maxAgeSec, or beyond the newest maxCount, are deleted. Releases are
   * kept (rollback protection reads them), so an unread critical release is never pruned.
   */
  prune(now: number, opts: { maxAgeSec: number; maxCount: number }): number {
    return this.db.transaction(() => {
      const byAge = this.stmt(`DELETE FROM messages WHERE kind IN ('news', 'note') AND created < ?`).run(now - opts.maxAgeSec).changes;
      const byCount = this.stmt(`DELETE FROM messages WHERE kind IN ('news', 'note') AND rowid NOT IN
        (SELECT rowid FROM messages WHERE kind IN ('news', 'note') ORDER BY created DESC, rowid DESC LIMIT ?)`).run(opts.maxCount).changes;
      return byAge + byCount;
    })();
  }
}
