// The one write transaction of a check: new messages, retractions, cursor advances, the heads ETag and the
// due-toast marks, all or nothing. Called only after the whole response was validated.
import canonicalize from 'canonicalize';
import semverGt from 'semver/functions/gt.js';
import type Database from 'better-sqlite3';
import type { Db } from './open.ts';
import type { IncomingMessage, InboxItem } from '../types.ts';
import type { Asset, Target } from '../../../shared/protocol/schemas.ts';
import { appliesToInstall, rollbackFloors, type InstallFacts } from '../policy/update.ts';
import { foldRecord, unfoldRecord } from './rows.ts';
import { MAX_FUTURE_SECONDS } from '../../../shared/protocol/limits.ts';

export interface CursorUpdate {
  channel: string;
  cursor: number;
  floor?: number | null;
  etag?: string | null;
}

export interface CheckBatch {
  messages: IncomingMessage[];
  cursors: CursorUpdate[];
  /** ETag of the routine heads request (feed v1); undefined leaves it as it is. */
  headsEtag?: string | null;
  /**
   * Channels synced again from the start (a feed restored from a backup, another static epoch): what was not
   * stored yet is stored and marked notified, but not toasted (no flood); it stays unread.
   */
  quietChannels?: ReadonlySet<string>;
  /**
   * Channels synced for the first time (no cursor yet): everything published before is history, stored read
   * and notified (no toast, no unread badge). Only what comes after this sync is new. Releases still count
   * for the update offer, which has its own once-only notification.
   */
  historyChannels?: ReadonlySet<string>;
  /** Received time, unix seconds. */
  now: number;
  /** The server's clock (its Date header), unix seconds, when the answer carried one: judges message dates. */
  serverNow?: number | null;
  /** Messages the source no longer lists (a Cryptolens RemoveMessage): hidden like a retraction. */
  removed?: { channel: string; id: string }[];
}

export interface ApplyResult {
  /** New visible items, history (stored read) included. */
  inserted: InboxItem[];
  /** New items whose toast is due now; their `notified` flag was set in the same transaction. */
  toasts: InboxItem[];
  retracted: number;
  /** Records refused at store time (e.g. same version with different assets), for the check log. */
  dropped: string[];
}

function assetsKey(record: unknown): string {
  const assets = (record as { release?: { assets?: { platform: string }[] } }).release?.assets ?? [];
  return canonicalize([...assets].sort((a, b) => a.platform.localeCompare(b.platform))) ?? '';
}

type Statements = ReturnType<typeof prepare>;

function leanInsert(db: Db, st: Statements, trusted: number, folded: number, notified: number, read: number): Database.Statement {
  const key = trusted | (folded << 1) | (notified << 2) | (read << 3);
  let stmt = st.lean.get(key);
  if (!stmt) {
    stmt = db.prepare(`INSERT INTO messages (source_id, id, seq, channel, kind, trusted, title, record, folded, created, received, notified, read)
      VALUES (?, ?, ?, ?, ?, ${trusted}, ?, ?, ${folded}, ?, ?, ${notified}, ${read}) ON CONFLICT (source_id, id) DO NOTHING`);
    st.lean.set(key, stmt);
  }
  return stmt;
}
/** What reading a stored record back takes (a folded one is rebuilt from its columns, rows.ts). */
const RECORD_COLUMNS = 'record, folded, seq, created, id, channel, kind';
type RecordRow = { record: string; folded: number; seq: number | null; created: number; id: string; channel: string; kind: string };
const parseRecord = (r: RecordRow): unknown => JSON.parse(unfoldRecord(r.record, r.folded, r.seq, r.created, r.id, r.channel, r.kind));
// Prepared once per connection: preparing costs more than running these statements. The inserts bind by
// position: binding a named-parameter object costs more per row than the insert itself saves.
const cache = new WeakMap<Db, Statements>();

function prepare(db: Db) {
  return {
    insert: db.prepare(`INSERT INTO messages (source_id, id, seq, channel, kind, trusted, version, critical, retracts, title, link,
        expires, record, folded, created, received, notified, read, retracted)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
        EXISTS (SELECT 1 FROM messages WHERE source_id = ? AND retracts = ? AND channel = ?))
      ON CONFLICT (source_id, id) DO NOTHING RETURNING rowid, retracted`),
    // Without any retraction on record (the common case) the per-row EXISTS probe is skipped, and so is
    // RETURNING: run()'s changes and lastInsertRowid say the same without a result row per insert (row 4).
    insertPlain: db.prepare(`INSERT INTO messages (source_id, id, seq, channel, kind, trusted, version, critical, retracts, title, link,
        expires, record, folded, created, received, notified, read)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (source_id, id) DO NOTHING`),
    // The common row (no version, link, expiry, retraction, not critical) by its four 0/1 flags, spelled in the
    // SQL: binding a value costs better-sqlite3 about as much as storing a small column, so these bind only the
    // nine values that vary (row 4). Prepared when first needed, at most 16.
    lean: new Map<number, Database.Statement>(),
    anyRetraction: db.prepare(`SELECT 1 FROM messages WHERE source_id = ? AND retracts IS NOT NULL LIMIT 1`),
    storedSeq: db.prepare(`SELECT seq FROM messages WHERE source_id = ? AND id = ?`).pluck(),
    sameVersion: db.prepare(`SELECT ${RECORD_COLUMNS} FROM messages WHERE channel = ? AND version = ? AND kind = 'release' AND trusted = 1`),
    retract: db.prepare(`UPDATE messages SET retracted = 1 WHERE source_id = ? AND id = ? AND channel = ? AND retracted = 0`),
    channelReleases: db.prepare(`SELECT version, ${RECORD_COLUMNS} FROM messages WHERE channel = ? AND version IS NOT NULL AND kind = 'release' AND trusted = 1`),
    cursor: db.prepare(`INSERT INTO cursors (source_id, channel, cursor, floor, etag, last_check) VALUES (@sourceId, @channel, @cursor, @floor, @etag, @now)
      ON CONFLICT (source_id, channel) DO UPDATE SET cursor = excluded.cursor, floor = COALESCE(excluded.floor, floor),
        etag = COALESCE(excluded.etag, etag), last_check = excluded.last_check, last_error = NULL`),
    headsEtag: db.prepare(`UPDATE sources SET heads_etag = ? WHERE id = ?`),
    log: db.prepare(`INSERT INTO check_log (at, source_id, ok, detail) VALUES (?, ?, 0, ?)`),
  };
}

/**
 * When a message is listed and shown: its server time, unless that lies in the future of the time it was
 * received or of the server's own clock (a server clock ahead, a bad record). Then the received time, so it
 * is not listed above everything else for months (reliability.md P24, case 53). Cursors never use this.
 */
export function shownTime(created: number, received: number, serverNow: number | null | undefined): number {
  const ahead = created > received + MAX_FUTURE_SECONDS || (serverNow != null && created > serverNow + MAX_FUTURE_SECONDS);
  return ahead ? received : created;
}

/** The parts of a stored release record that targeting reads. */
export function targetingOf(record: unknown): { target: Target | null; assets: Asset[] } {
  const r = record as { target?: Target; release?: { assets?: Asset[] } };
  return { target: r.target ?? null, assets: r.release?.assets ?? [] };
}

/**
 * `install`: whose rollback floor the "rollback ignored" log line judges by (the policy's rule: only releases
 * that apply to this install count, retracted and expired ones included). Without it every trusted release counts.
 */
export function applyCheck(db: Db, sourceId: string, batch: CheckBatch, faultHook?: (point: string) => void, install?: InstallFacts): ApplyResult {
  let st = cache.get(db);
  if (!st) {
    st = prepare(db);
    cache.set(db, st);
  }
  const { sameVersion, retract, channelReleases, cursor, headsEtag, log, anyRetraction } = st;
  const counts = (record: unknown) => !install || appliesToInstall(targetingOf(record), install);
  // Rollback floor per channel (the policy's rollbackFloors over the stored records), read once per batch
  // and raised as records are inserted.
  const floors = new Map<string, string | null>();
  const floorOf = (channel: string): string | null => {
    let f = floors.get(channel);
    if (f === undefined) {
      const stored = (channelReleases.all(channel) as (RecordRow & { version: string })[])
        .map((r) => ({ channel, version: r.version, ...targetingOf(parseRecord(r)) }));
      f = rollbackFloors(stored, install).get(channel) ?? null;
      floors.set(channel, f);
    }
    return f;
  };

  return db.transaction((): ApplyResult => {
    const result: ApplyResult = { inserted: [], toasts: [], retracted: 0, dropped: [] };
    const mayBeRetracted = batch.messages.some((m) => m.kind === 'retraction') || anyRetraction.get(sourceId) !== undefined;
    const { insert, insertPlain } = st;
    for (const m of batch.messages) {
      if (m.kind === 'release' && m.trusted && m.version) {
        const key = assetsKey(m.record);
        const conflict = (sameVersion.all(m.channel, m.version) as RecordRow[])
          .some((r) => assetsKey(parseRecord(r)) !== key);
        if (conflict) {
          result.dropped.push(`${m.id}: ${m.channel} ${m.version} already known with different assets`);
          continue;
        }
      }
      const history = batch.historyChannels?.has(m.channel) ?? false;
      const quiet = history || (batch.quietChannels?.has(m.channel) ?? false);
      const toastable = m.kind === 'news' || m.kind === 'note';
      const expired = m.expires !== null && m.expires <= batch.now;
      const due = toastable && !quiet && !expired;
      const created = shownTime(m.created, batch.now, batch.serverNow);
      const json = JSON.stringify(m.record);
      const foldedJson = foldRecord(json, m.seq, created, m.id, m.channel, m.kind);
      const record = foldedJson ?? json;
      const folded = foldedJson === null ? 0 : 1;
      // 0: not inserted (already stored); SQLite assigns rowids from 1.
      let rowid: number;
      let retracted = 0;
      if (mayBeRetracted) {
        const row = insert.get(
          sourceId, m.id, m.seq, m.channel, m.kind, m.trusted ? 1 : 0, m.version, m.critical ? 1 : 0, m.retracts, m.title, m.link,
          m.expires, record, folded, created, batch.now, due || quiet ? 1 : 0, history ? 1 : 0, sourceId, m.id, m.channel,
        ) as { rowid: number; retracted: number } | undefined;
        rowid = row ? row.rowid : 0;
        retracted = row ? row.retracted : 0;
      } else if (m.version === null && m.link === null && m.expires === null && m.retracts === null && !m.critical) {
        const info = leanInsert(db, st, m.trusted ? 1 : 0, folded, due || quiet ? 1 : 0, history ? 1 : 0)
          .run(sourceId, m.id, m.seq, m.channel, m.kind, m.title, record, created, batch.now);
        rowid = info.changes === 1 ? Number(info.lastInsertRowid) : 0;
      } else {
        const info = insertPlain.run(
          sourceId, m.id, m.seq, m.channel, m.kind, m.trusted ? 1 : 0, m.version, m.critical ? 1 : 0, m.retracts, m.title, m.link,
          m.expires, record, folded, created, batch.now, due || quiet ? 1 : 0, history ? 1 : 0,
        );
        rowid = info.changes === 1 ? Number(info.lastInsertRowid) : 0;
      }
      if (rowid === 0) {
        // Already stored: de-duplicated by id. The same id under another seq is not a re-read (an overlap, a
        // replay) but a second record claiming it: set aside, with the reason in Status (case 57). Quiet
        // re-syncs re-read everything and would only flood the log.
        const had = m.seq === null || quiet ? null : st.storedSeq.get(sourceId, m.id) as number | null | undefined;
        if (had !== null && had !== undefined && had !== m.seq) result.dropped.push(`${m.id}: already stored (seq ${had}); the copy at seq ${m.seq} was set aside`);
        continue;
      }
      if (m.kind === 'retraction' && m.retracts) result.retracted += retract.run(sourceId, m.retracts, m.channel).changes;
      if (m.kind === 'release' && m.trusted && m.version) {
        const floor = floorOf(m.channel);
        if (floor !== null && semverGt(floor, m.version)) log.run(batch.now, sourceId, `rollback ignored: ${m.channel} ${m.version} is below the known ${floor}`);
        else if ((floor === null || semverGt(m.version, floor)) && counts(m.record)) floors.set(m.channel, m.version);
      }
      faultHook?.('apply:after-insert');
      if (m.kind === 'retraction' || retracted) continue;
      const item: InboxItem = {
        key: rowid, sourceId, id: m.id, channel: m.channel, kind: m.kind, trusted: m.trusted, title: m.title, link: m.link,
        version: m.version, critical: m.critical, expires: m.expires, created, read: history, record: m.record,
      };
      result.inserted.push(item);
      if (due) result.toasts.push(item);
    }
    for (const r of batch.removed ?? []) result.retracted += retract.run(sourceId, r.id, r.channel).changes;
    for (const d of result.dropped) log.run(batch.now, sourceId, `dropped ${d}`);
    faultHook?.('apply:before-cursor');
    for (const c of batch.cursors) {
      cursor.run({ sourceId, channel: c.channel, cursor: c.cursor, floor: c.floor ?? null, etag: c.etag ?? null, now: batch.now });
    }
    if (batch.headsEtag !== undefined) headsEtag.run(batch.headsEtag, sourceId);
    faultHook?.('apply:before-commit');
    return result;
  })();
}
