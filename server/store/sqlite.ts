// The default feed store: one SQLite file (WAL). Every publish runs in one IMMEDIATE transaction, so the
// seq it gets is visible to readers exactly when the message is: no reader can see seq N+1 before N.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { canonicalPayload } from '../../shared/protocol/signing.ts';
import { planInsert, finalRecord, rawJson, assemblePage } from './rules.ts';
import type { CryptolensMessage, ChannelInfo, StoredMessage } from '../../shared/protocol/schemas.ts';
import { sqliteMigrations } from './migrations/sqlite.ts';
import { sqliteConsole, type ConsoleStore } from './console.ts';
import type { AdoptionReport, FailedStartCount, FailedStartReport } from '../../shared/protocol/reports.ts';
import { dayText, type AdoptionCount, type FeedEvent, type FeedStore, type HeadsState, type InsertRequest, type InsertResult, type PageResult, type ReleaseHealth, type Scope, type TokenRow } from './types.ts';
import { holdsOf } from './holds.ts';

type Db = Database.Database;

export class NewerSchemaError extends Error {}

/** Refuses a database written by a newer version before anything (even the journal mode) touches it. */
function refuseNewer(db: Db): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = sqliteMigrations.at(-1)?.version ?? 0;
  if (current > latest) {
    db.close();
    throw new NewerSchemaError(`This feed database was written by a newer Tidings (schema ${current}, this one knows up to ${latest}). Upgrade Tidings; the file was not changed.`);
  }
  return current;
}

export function migrate(db: Db): void {
  const current = refuseNewer(db);
  for (const m of sqliteMigrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

interface MessageRow {
  seq: number;
  id: string;
  channel: string;
  kind: string;
  created: number;
  payload: string;
  record: string;
  content: string;
  retracted_by: number | null;
}

function toStored(row: MessageRow): StoredMessage & { retracted: boolean } {
  return { ...(JSON.parse(rawJson(row)) as StoredMessage), retracted: row.retracted_by !== null };
}

/** The row of the release-health query (both stores). */
export interface HealthRow { failed: number; updated: number; live: number; halted: number | boolean | null; base_failed: number | null; base_tried: number | null; fail_percent: number | null; min_reports: number | null }
export function healthOf(r: HealthRow): ReleaseHealth {
  return {
    failed: Number(r.failed),
    updated: Number(r.updated),
    live: Number(r.live),
    halt: r.halted === null ? null : { halted: r.halted === 1 || r.halted === true, baseFailed: Number(r.base_failed), baseTried: Number(r.base_tried) },
    policy: r.fail_percent === null || r.min_reports === null ? null : { failPercent: r.fail_percent, minReports: r.min_reports },
  };
}

export class SqliteFeedStore implements FeedStore {
  readonly epoch: string;
  readonly console: ConsoleStore;
  private readonly db: Db;
  private readonly stmt;
  private cache: (HeadsState & { version: number }) | null = null;
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private versionCheckedAt = 0;
  /** Token changes: bumped by this process's own writes and when another connection changed the file. */
  private tokenGen = 0;
  private tokenCheckedAt = 0;
  private tokenDataVersion = -1;

  constructor(file: string) {
    this.db = new Database(file);
    refuseNewer(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('journal_size_limit = 67108864');
    migrate(this.db);
    const db = this.db;
    let epoch = (db.prepare(`SELECT value FROM meta WHERE key = 'epoch'`).get() as { value: string } | undefined)?.value;
    if (!epoch) {
      epoch = randomBytes(6).toString('hex');
      db.prepare(`INSERT OR IGNORE INTO meta(key, value) VALUES ('epoch', ?)`).run(epoch);
      epoch = (db.prepare(`SELECT value FROM meta WHERE key = 'epoch'`).get() as { value: string }).value;
    }
    this.epoch = epoch;
    this.console = sqliteConsole(db, (channel) => {
      // Heads and holds are read again; subscribers of the channel hear of it at once.
      this.cache = null;
      this.emit({ channel, event: 'holds', json: JSON.stringify({ holds: this.headState().holds[channel] ?? [] }) });
    });
    this.stmt = {
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      heads: db.prepare('SELECT name, head FROM channels'),
      channels: db.prepare('SELECT name, kind, title, head FROM channels ORDER BY name'),
      channelHead: db.prepare('SELECT head FROM channels WHERE name = ?').pluck(),
      page: db.prepare('SELECT seq, created, record FROM messages WHERE channel = ? AND seq > ? AND retracted_by IS NULL ORDER BY seq LIMIT ?'),
      byId: db.prepare('SELECT * FROM messages WHERE id = ?'),
      bySeq: db.prepare('SELECT * FROM messages WHERE seq = ?'),
      sameVersion: db.prepare(`SELECT payload FROM messages WHERE channel = ? AND version = ? AND retracted_by IS NULL`).pluck(),
      insert: db.prepare(`INSERT INTO messages (id, channel, kind, created, version, payload, record, content) VALUES (@id, @channel, @kind, @created, @version, @payload, @record, @content)`),
      setId: db.prepare('UPDATE messages SET id = ?, payload = ?, record = ? WHERE seq = ?'),
      retract: db.prepare('UPDATE messages SET retracted_by = ? WHERE id = ? AND retracted_by IS NULL'),
      channelRow: db.prepare('SELECT name, newest_created FROM channels WHERE name = ?'),
      newChannel: db.prepare('INSERT INTO channels (name, kind, title, head, newest_created, created) VALUES (?, ?, ?, ?, ?, ?)'),
      bumpChannel: db.prepare('UPDATE channels SET head = ?, newest_created = max(newest_created, ?) WHERE name = ?'),
      newestAll: db.prepare('SELECT coalesce(max(newest_created), 0) FROM channels').pluck(),
      newestIn: db.prepare('SELECT newest_created FROM channels WHERE name = ?').pluck(),
      clAll: db.prepare(`SELECT seq, content, created, channel FROM messages WHERE created > ? AND retracted_by IS NULL AND kind != 'retraction' ORDER BY created DESC, seq DESC LIMIT ?`),
      clChannel: db.prepare(`SELECT seq, content, created, channel FROM messages WHERE channel = ? AND created > ? AND retracted_by IS NULL AND kind != 'retraction' ORDER BY created DESC, seq DESC LIMIT ?`),
      tokenIns: db.prepare('INSERT INTO tokens (id, name, hash, scopes, channels, created) VALUES (?, ?, ?, ?, ?, ?)'),
      tokenGet: db.prepare('SELECT * FROM tokens WHERE id = ?'),
      tokenList: db.prepare('SELECT * FROM tokens ORDER BY created, id'),
      tokenRevoke: db.prepare('UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL'),
      tokenCount: db.prepare('SELECT count(*) FROM tokens WHERE revoked IS NULL').pluck(),
      keyAdd: db.prepare('INSERT OR IGNORE INTO publisher_keys (key_id, public_key, name, added) VALUES (?, ?, ?, ?)'),
      keyRemove: db.prepare('DELETE FROM publisher_keys WHERE key_id = ?'),
      keyList: db.prepare('SELECT key_id AS keyId, public_key AS publicKey, name, added FROM publisher_keys ORDER BY added, key_id'),
      holds: db.prepare('SELECT channel, version FROM console_rollouts WHERE halted = 1 ORDER BY channel, at DESC, version'),
      holdGeneration: db.prepare(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hold_generation'`).pluck(),
      adoption: db.prepare(`INSERT INTO adoption (channel, version, platform, day, count, updated, max_bucket) VALUES (?, ?, ?, ?, 1, ?, ?)
        ON CONFLICT (channel, version, platform, day) DO UPDATE SET count = count + 1, updated = updated + excluded.updated, max_bucket = max(max_bucket, excluded.max_bucket)`),
      adoptionRows: db.prepare(`SELECT channel, version, platform, day, count, updated, max_bucket FROM adoption
        WHERE (? IS NULL OR version = ?) ORDER BY day DESC, channel, version, platform`),
      releaseHealth: db.prepare(`SELECT
          (SELECT coalesce(sum(count), 0) FROM failed_starts WHERE channel = @c AND version = @v) AS failed,
          (SELECT coalesce(sum(updated), 0) FROM adoption WHERE channel = @c AND version = @v) AS updated,
          (SELECT count(*) FROM messages WHERE channel = @c AND version = @v AND kind = 'release' AND retracted_by IS NULL) AS live,
          r.halted, r.base_failed, r.base_tried, p.fail_percent, p.min_reports
        FROM (SELECT 1) LEFT JOIN console_rollouts r ON r.channel = @c AND r.version = @v LEFT JOIN console_halt_policies p ON p.channel = @c`),
      statements: db.prepare('SELECT json FROM key_statements ORDER BY seq').pluck(),
      statementAdd: db.prepare('INSERT OR IGNORE INTO key_statements (seq, json, added) VALUES (?, ?, ?)'),
      failedStart: db.prepare(`INSERT INTO failed_starts (channel, version, platform, reason, day, count, max_bucket) VALUES (?, ?, ?, ?, ?, 1, ?)
        ON CONFLICT (channel, version, platform, reason, day) DO UPDATE SET count = count + 1, max_bucket = max(max_bucket, excluded.max_bucket)`),
      failedStarts: db.prepare(`SELECT channel, version, platform, reason, day, count, max_bucket FROM failed_starts
        WHERE (? IS NULL OR version = ?) ORDER BY day DESC, channel, version, platform, reason`),
    };
  }

  /**
   * Heads are cached until this process writes or PRAGMA data_version says another connection did; that
   * pragma is asked at most every 100 ms (only other processes can make it change, and they only add
   * tokens or keys, or restore a backup).
   */
  private headState() {
    const now = Date.now();
    if (this.cache && now - this.versionCheckedAt < 100) return this.cache;
    const version = this.stmt.dataVersion.get() as number;
    this.versionCheckedAt = now;
    if (this.cache && this.cache.version === version) return this.cache;
    const heads: Record<string, number> = {};
    let global = 0;
    for (const r of this.stmt.heads.all() as { name: string; head: number }[]) {
      heads[r.name] = r.head;
      if (r.head > global) global = r.head;
    }
    const holdGeneration = (this.stmt.holdGeneration.get() as number | undefined) ?? 0;
    const holds = holdGeneration > 0 ? holdsOf(this.stmt.holds.all() as { channel: string; version: string }[]) : {};
    this.cache = { version, heads, global, holds, holdGeneration };
    return this.cache;
  }

  peekHeads() { return this.headState(); }
  async headsState() { return this.headState(); }
  async globalHead() { return this.headState().global; }
  async heads() { return this.headState().heads; }
  async channels() { return this.stmt.channels.all() as ChannelInfo[]; }
  async channelHead(channel: string) { return this.headState().heads[channel]; }

  async page(channel: string, after: number, limit: number, maxBytes: number): Promise<PageResult> {
    const head = (this.stmt.channelHead.get(channel) as number | undefined) ?? 0;
    const rows = this.stmt.page.all(channel, after, limit) as { seq: number; created: number; record: string }[];
    return assemblePage(channel, rows, after, limit, head, maxBytes);
  }

  async byId(id: string) {
    const row = this.stmt.byId.get(id) as MessageRow | undefined;
    return row ? toStored(row) : undefined;
  }

  async bySeq(seq: number) {
    const row = this.stmt.bySeq.get(seq) as MessageRow | undefined;
    return row ? toStored(row) : undefined;
  }

  async insert(req: InsertRequest): Promise<InsertResult> {
    const result = this.db.transaction((): InsertResult => this.insertTx(req)).immediate();
    if (result.status === 'created') {
      this.cache = null;
      const { retracted: _r, ...message } = result.message as typeof result.message & { retracted?: boolean };
      this.emit({ channel: message.channel, seq: message.seq, json: JSON.stringify(message) });
    }
    return result;
  }

  subscribe(fn: (e: FeedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async publishLive(channel: string, json: string): Promise<void> {
    this.emit({ channel, json });
  }

  private emit(e: FeedEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  private insertTx(req: InsertRequest): InsertResult {
    const { record } = req;
    const channelRow = this.stmt.channelRow.get(record.channel) as { newest_created: number } | undefined;
    const plan = planInsert(req, {
      existing: req.idFromSeq ? undefined : (this.stmt.byId.get(record.id) as MessageRow | undefined),
      sameVersion: record.kind === 'release' && record.release ? (this.stmt.sameVersion.all(record.channel, record.release.version) as string[]) : [],
      target: record.kind === 'retraction' ? (this.stmt.byId.get(record.retracts ?? '') as MessageRow | undefined) : undefined,
      channelNewest: channelRow?.newest_created,
      feedNewest: this.stmt.newestAll.get() as number,
    });
    if (plan.action === 'reject') return plan.result;
    if (plan.action === 'return') return { status: 'existing', message: toStored(plan.existing as MessageRow) };
    if (plan.newChannelKind) this.stmt.newChannel.run(record.channel, plan.newChannelKind, record.channel, 0, plan.created, req.now);
    // Cryptolens-created messages take their id from their seq: insert under a unique placeholder first.
    const info = this.stmt.insert.run({
      id: req.idFromSeq ? `${req.idFromSeq}pending-${process.pid}-${Date.now()}` : record.id,
      channel: record.channel,
      kind: record.kind,
      created: plan.created,
      version: plan.version,
      payload: plan.payload,
      record: JSON.stringify(record),
      content: plan.content,
    });
    const seq = Number(info.lastInsertRowid);
    if (req.idFromSeq) {
      const final = finalRecord(req, seq);
      this.stmt.setId.run(final.id, canonicalPayload(final), JSON.stringify(final), seq);
    }
    this.stmt.bumpChannel.run(seq, plan.created, record.channel);
    if (record.kind === 'retraction') this.stmt.retract.run(seq, record.retracts);
    return { status: 'created', message: toStored(this.stmt.bySeq.get(seq) as MessageRow) };
  }

  async cryptolensMessages(channel: string | null, time: number, limit: number): Promise<CryptolensMessage[]> {
    const rows = (channel === null ? this.stmt.clAll.all(time, limit) : this.stmt.clChannel.all(channel, time, limit)) as { seq: number; content: string; created: number; channel: string }[];
    return rows.map((r) => ({ id: r.seq, content: r.content, created: r.created, channel: r.channel }));
  }

  async newestCreated(channel: string | null) {
    return channel === null ? (this.stmt.newestAll.get() as number) : ((this.stmt.newestIn.get(channel) as number | undefined) ?? 0);
  }

  /**
   * PRAGMA data_version moves when another connection (the CLI revoking a token) committed; it is asked at
   * most every 100 ms, so such a revocation reaches the token cache within that.
   */
  tokensVersion(): number {
    const now = Date.now();
    if (now - this.tokenCheckedAt >= 100) {
      this.tokenCheckedAt = now;
      const v = this.stmt.dataVersion.get() as number;
      if (v !== this.tokenDataVersion) {
        this.tokenDataVersion = v;
        this.tokenGen++;
      }
    }
    return this.tokenGen;
  }

  async createToken(t: { id: string; name: string; hash: Buffer; scopes: Scope[]; channels: string[] | null; created: number }) {
    this.stmt.tokenIns.run(t.id, t.name, t.hash, t.scopes.join(','), t.channels ? JSON.stringify(t.channels) : null, t.created);
    this.tokenGen++;
  }

  private tokenRow(r: { id: string; name: string; hash: Buffer; scopes: string; channels: string | null; created: number; revoked: number | null }) {
    return { id: r.id, name: r.name, hash: r.hash, scopes: r.scopes.split(',') as Scope[], channels: r.channels ? (JSON.parse(r.channels) as string[]) : null, created: r.created, revoked: r.revoked };
  }

  async tokenById(id: string) {
    const r = this.stmt.tokenGet.get(id) as Parameters<SqliteFeedStore['tokenRow']>[0] | undefined;
    return r ? this.tokenRow(r) : undefined;
  }

  async listTokens(): Promise<TokenRow[]> {
    return (this.stmt.tokenList.all() as Parameters<SqliteFeedStore['tokenRow']>[0][]).map((r) => {
      const { hash: _h, ...rest } = this.tokenRow(r);
      return rest;
    });
  }

  async revokeToken(id: string, at: number) {
    const changed = this.stmt.tokenRevoke.run(at, id).changes > 0;
    this.tokenGen++;
    return changed;
  }
  async tokenCount() { return this.stmt.tokenCount.get() as number; }
  async addPublisherKey(publicKey: string, keyId: string, name: string, at: number) { this.stmt.keyAdd.run(keyId, publicKey, name, at); }
  async removePublisherKey(keyId: string) { return this.stmt.keyRemove.run(keyId).changes > 0; }
  async publisherKeys() { return this.stmt.keyList.all() as { keyId: string; publicKey: string; name: string; added: number }[]; }
  async keyStatements() { return this.stmt.statements.all() as string[]; }
  async addKeyStatement(seq: number, json: string, at: number) { return this.stmt.statementAdd.run(seq, json, at).changes > 0; }

  async countFailedStart(r: FailedStartReport, day: number) {
    this.stmt.failedStart.run(r.channel, r.version, r.platform, r.reason, day, r.bucket);
  }

  async failedStarts(filter: { channels: string[] | null; version?: string }): Promise<FailedStartCount[]> {
    const v = filter.version ?? null;
    return (this.stmt.failedStarts.all(v, v) as (Omit<FailedStartCount, 'day' | 'maxBucket'> & { day: number; max_bucket: number })[])
      .filter((r) => !filter.channels || filter.channels.includes(r.channel))
      .map(({ day, max_bucket, ...r }) => ({ ...r, day: dayText(day), maxBucket: max_bucket }));
  }

  async countAdoption(r: AdoptionReport, day: number) {
    this.stmt.adoption.run(r.channel, r.version, r.platform, day, r.updated ? 1 : 0, r.bucket);
  }

  async adoption(filter: { channels: string[] | null; version?: string }): Promise<AdoptionCount[]> {
    const v = filter.version ?? null;
    return (this.stmt.adoptionRows.all(v, v) as (Omit<AdoptionCount, 'day' | 'maxBucket'> & { day: number; max_bucket: number })[])
      .filter((r) => !filter.channels || filter.channels.includes(r.channel))
      .map(({ day, max_bucket, ...r }) => ({ ...r, day: dayText(day), maxBucket: max_bucket }));
  }

  async releaseHealth(channel: string, version: string): Promise<ReleaseHealth> {
    return healthOf(this.stmt.releaseHealth.get({ c: channel, v: version }) as HealthRow);
  }

  async close() {
    if (this.db.open) this.db.close();
  }
}
