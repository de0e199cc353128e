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

/**
 * Rows per statement for a run of common rows (see `lean` in prepare): a run of n rows goes in as few of these as
 * add up to n (100 = 64 + 16 + 16 + 4). better-sqlite3 costs about 0.8 µs per `run()` call on top of SQLite's own
 * work (the call, binding, the result object), as much as a tenth of a common row's whole cost, so one call per
 * 64 rows instead of one per row (row 4). Four sizes keep the statements per flag combination few.
 */
const LEAN_SIZES = [64, 16, 4, 1] as const;
/** Values bound per common row, in the order flushRun binds them (the run's source, channel, kind and time once per statement). */
const LEAN_VALUES = 5;

function leanInsert(db: Db, st: Statements, trusted: number, folded: number, notified: number, read: number, rows: number): Database.Statement {
  const key = (trusted | (folded << 1) | (notified << 2) | (read << 3)) * 128 + rows;
  let stmt = st.lean.get(key);
  if (!stmt) {
    const row = `(@source, ?, ?, @channel, @kind, ${trusted}, ?, ?, ${folded}, ?, @received, ${notified}, ${read})`;
    stmt = db.prepare(`INSERT INTO messages (source_id, id, seq, channel, kind, trusted, title, record, folded, created, received, notified, read)
      VALUES ${Array.from({ length: rows }, () => row).join(', ')} ON CONFLICT (source_id, id) DO NOTHING`);
    st.lean.set(key, stmt);
  }
  return stmt;
}
/** What reading a stored record back takes (a folded one is rebuilt from its columns, rows.ts). */
const RECORD_COLUMNS = 'record, folded, seq, created, id, channel, kind';
type RecordRow = { record: string; folded: number; seq: number | null; created: number; id: string; channel: string; kind: string };
const parseRecord = (r: RecordRow): unknown => JSON.parse(unfoldRecord(r.record, r.folded, r.seq, r.created, r.id, r.channel, r.kind));
// Prepared once per connection: preparing costs more than running these statements. The inserts bind by
// position: binding a named-parameter object costs more per row than the insert itself saves (the common rows'
// statements take one small object per statement, for values shared by all their rows).
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
    // values that vary (row 4). Several rows go in one statement (LEAN_SIZES), and what a run of rows shares (source,
    // channel, kind, received time) is bound once per statement by name; each row binds five. Prepared when first
    // needed, at most 16 × 4.
    lean: new Map<number, Database.Statement>(),
    rowidOf: db.prepare(`SELECT rowid FROM messages WHERE source_id = ? AND id = ?`).pluck(),
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

    /**
     * What follows a message's insert. rowid 0: it was not inserted (already stored, de-duplicated by id).
     * `retracted`: stored already retracted (its retraction came first).
     */
    const settle = (m: IncomingMessage, rowid: number, retracted: number, created: number, history: boolean, quiet: boolean, due: boolean): void => {
      if (rowid === 0) {
        // The same id under another seq is not a re-read (an overlap, a replay) but a second record claiming it:
        // set aside, with the reason in Status (case 57). Quiet re-syncs re-read everything and would only flood the log.
        const had = m.seq === null || quiet ? null : st.storedSeq.get(sourceId, m.id) as number | null | undefined;
        if (had !== null && had !== undefined && had !== m.seq) result.dropped.push(`${m.id}: already stored (seq ${had}); the copy at seq ${m.seq} was set aside`);
        return;
      }
      if (m.kind === 'retraction' && m.retracts) result.retracted += retract.run(sourceId, m.retracts, m.channel).changes;
      if (m.kind === 'release' && m.trusted && m.version) {
        const floor = floorOf(m.channel);
        if (floor !== null && semverGt(floor, m.version)) log.run(batch.now, sourceId, `rollback ignored: ${m.channel} ${m.version} is below the known ${floor}`);
        else if ((floor === null || semverGt(m.version, floor)) && counts(m.record)) floors.set(m.channel, m.version);
      }
      faultHook?.('apply:after-insert');
      if (m.kind === 'retraction' || retracted) return;
      const item: InboxItem = {
        key: rowid, sourceId, id: m.id, channel: m.channel, kind: m.kind, trusted: m.trusted, title: m.title, link: m.link,
        version: m.version, critical: m.critical, expires: m.expires, created, read: history, record: m.record,
      };
      result.inserted.push(item);
      if (due) result.toasts.push(item);
    };

    // A run of consecutive common rows with the same four flags (runFlags), channel and kind, inserted LEAN_SIZES
    // rows per statement when the run ends, before any other message is looked at, so every statement and every
    // result keeps the messages' order. Per message: its shown time, stored record text and
    // history | quiet << 1 | due << 2.
    let runFlags = -1;
    const runMessages: IncomingMessage[] = [];
    const runCreated: number[] = [];
    const runRecords: string[] = [];
    const runStates: number[] = [];
    const flushRun = (): void => {
      const n = runMessages.length;
      for (let i = 0; i < n;) {
        let size = 1;
        for (const s of LEAN_SIZES) {
          if (s <= n - i) {
            size = s;
            break;
          }
        }
        const values = new Array<unknown>(size * LEAN_VALUES);
        for (let j = i, k = 0; j < i + size; j++) {
          const m = runMessages[j] as IncomingMessage;
          values[k++] = m.id;
          values[k++] = m.seq;
          values[k++] = m.title;
          values[k++] = runRecords[j];
          values[k++] = runCreated[j];
        }
        const first = runMessages[i] as IncomingMessage;
        const info = leanInsert(db, st, runFlags & 1, (runFlags >> 1) & 1, (runFlags >> 2) & 1, (runFlags >> 3) & 1, size).run(values, { source: sourceId, channel: first.channel, kind: first.kind, received: batch.now });
        const changes = info.changes;
        const last = Number(info.lastInsertRowid);
        // The rows one statement inserts get consecutive rowids in the order of its VALUES (SQLite gives a new row
        // the largest rowid + 1; only a table whose largest rowid is 2^63 - 1 gets random ones), so the k-th row
        // inserted has last - changes + k. When some were already stored (changes < size), a message was inserted
        // here exactly when its id now has the next of those rowids; anything else is refused (rolled back).
        let next = last - changes + 1;
        for (let j = i; j < i + size; j++) {
          const m = runMessages[j] as IncomingMessage;
          let rowid = 0;
          if (changes === size || (changes > 0 && st.rowidOf.get(sourceId, m.id) === next)) rowid = next++;
          const state = runStates[j] as number;
          settle(m, rowid, 0, runCreated[j] as number, (state & 1) === 1, (state & 2) === 2, (state & 4) === 4);
        }
        if (changes > 0 && next !== last + 1) throw new Error(`store: ${changes} rows inserted but ${next - (last - changes + 1)} found by rowid`);
        i += size;
      }
      runFlags = -1;
      runMessages.length = 0;
      runCreated.length = 0;
      runRecords.length = 0;
      runStates.length = 0;
    };

    for (const m of batch.messages) {
      const common = !mayBeRetracted && m.version === null && m.link === null && m.expires === null && m.retracts === null && !m.critical;
      if (!common && runMessages.length > 0) flushRun();
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
      if (common) {
        const flags = (m.trusted ? 1 : 0) | (folded << 1) | ((due || quiet ? 1 : 0) << 2) | ((history ? 1 : 0) << 3);
        const head = runMessages[0];
        if (flags !== runFlags || (head !== undefined && (m.channel !== head.channel || m.kind !== head.kind))) {
          if (runMessages.length > 0) flushRun();
          runFlags = flags;
        }
        runMessages.push(m);
        runCreated.push(created);
        runRecords.push(record);
        runStates.push((history ? 1 : 0) | (quiet ? 2 : 0) | (due ? 4 : 0));
        continue;
      }
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
      } else {
        const info = insertPlain.run(
          sourceId, m.id, m.seq, m.channel, m.kind, m.trusted ? 1 : 0, m.version, m.critical ? 1 : 0, m.retracts, m.title, m.link,
          m.expires, record, folded, created, batch.now, due || quiet ? 1 : 0, history ? 1 : 0,
        );
        rowid = info.changes === 1 ? Number(info.lastInsertRowid) : 0;
      }
      settle(m, rowid, retracted, created, history, quiet, due);
    }
    if (runMessages.length > 0) flushRun();
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
