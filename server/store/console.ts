// What the publisher console keeps (docs/console.md): sign-in sessions (only a SHA-256 of the session id,
// never the access token), the audit log, which rollouts are halted (by a publisher or by themselves, with
// the baseline a resume sets), each channel's halt policy, and drafts. One
// implementation per database over a small query function, so both stores answer the same contract.
import type Database from 'better-sqlite3';
import type { HaltPolicy } from '../../shared/protocol/reports.ts';

export interface ConsoleSession {
  /** The access token the session was opened with (its id, never its secret). */
  tokenId: string;
  created: number;
  expires: number;
}

export interface AuditEntry {
  at: number;
  /** The token's name. */
  who: string;
  action: string;
  /** null: not about one channel (sign-in, sign-out). */
  channel: string | null;
  detail: string;
}

export interface RolloutHalt {
  channel: string;
  version: string;
  halted: boolean;
  reason: string;
  at: number;
  by: string;
  /** Halted by the self-halt rule (server/halts.ts), not by a publisher. */
  automatic?: boolean;
  /** Set by a resume: the counts at that moment, the self-halt rule's baseline from then on. Kept by a halt. */
  base?: { failed: number; tried: number };
}

export interface StoredPolicy extends HaltPolicy { channel: string; at: number; by: string }

export interface Draft {
  id: string;
  channel: string;
  kind: 'news' | 'release';
  title: string;
  body: string;
  version: string | null;
  rollout: number | null;
  critical: boolean;
  created: number;
  updated: number;
  /** The name of the token that saved it last. */
  by: string;
}

export interface ConsoleStore {
  createSession(hash: Buffer, s: ConsoleSession): Promise<void>;
  /** The live session with this id hash; expired sessions are deleted on the way. */
  session(hash: Buffer, now: number): Promise<ConsoleSession | undefined>;
  deleteSession(hash: Buffer): Promise<void>;
  addAudit(e: AuditEntry): Promise<void>;
  /** Newest first; `channels` null: every entry, else those about these channels. */
  audit(filter: { channels: string[] | null; limit: number }): Promise<AuditEntry[]>;
  /** Halts or resumes; moves the hold generation and tells every node (the channel's SSE `holds` event). */
  setHalt(h: RolloutHalt): Promise<void>;
  /** Halts only if the rollout is not halted already (two nodes deciding at once halt it once); true if it did. */
  autoHalt(h: RolloutHalt): Promise<boolean>;
  halts(): Promise<RolloutHalt[]>;
  haltPolicies(): Promise<StoredPolicy[]>;
  setHaltPolicy(p: StoredPolicy): Promise<void>;
  drafts(channel: string): Promise<Draft[]>;
  draft(id: string): Promise<Draft | undefined>;
  /** Inserts or replaces by id. */
  saveDraft(d: Draft): Promise<void>;
  deleteDraft(id: string): Promise<boolean>;
}

interface SessionRow { token_id: string; created: number; expires: number }
interface HaltRow { channel: string; version: string; halted: number | boolean; reason: string; at: number; by_name: string; automatic: number | boolean }
interface PolicyRow { channel: string; fail_percent: number; min_reports: number; at: number; by_name: string }
interface DraftRow { id: string; channel: string; kind: 'news' | 'release'; title: string; body: string; version: string | null; rollout: number | null; critical: number | boolean; created: number; updated: number; by_name: string }
const toPolicy = (r: PolicyRow): StoredPolicy => ({ channel: r.channel, failPercent: r.fail_percent, minReports: r.min_reports, at: r.at, by: r.by_name });
const toDraft = (r: DraftRow): Draft => ({ id: r.id, channel: r.channel, kind: r.kind, title: r.title, body: r.body, version: r.version, rollout: r.rollout, critical: r.critical === 1 || r.critical === true, created: r.created, updated: r.updated, by: r.by_name });
const HALT_COLUMNS = 'channel, version, halted, reason, at, by_name, automatic';
/** A halt keeps the baseline a resume set; a resume sets it. */
const HALT_UPSERT = `INSERT INTO console_rollouts (channel, version, halted, reason, at, by_name, automatic, base_failed, base_tried) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (channel, version) DO UPDATE SET halted = excluded.halted, reason = excluded.reason, at = excluded.at, by_name = excluded.by_name, automatic = excluded.automatic,
    base_failed = CASE WHEN excluded.halted THEN console_rollouts.base_failed ELSE excluded.base_failed END,
    base_tried = CASE WHEN excluded.halted THEN console_rollouts.base_tried ELSE excluded.base_tried END`;
const DRAFT_UPSERT = `INSERT INTO console_drafts (id, channel, kind, title, body, version, rollout, critical, created, updated, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, title = excluded.title, body = excluded.body, version = excluded.version, rollout = excluded.rollout,
    critical = excluded.critical, updated = excluded.updated, by_name = excluded.by_name`;
/** `?` placeholders as PostgreSQL's `$n`. */
const numbered = (sql: string) => { let n = 0; return sql.replace(/\?/g, () => `$${++n}`); };
const toSession = (r: SessionRow): ConsoleSession => ({ tokenId: r.token_id, created: r.created, expires: r.expires });
const toHalt = (r: HaltRow): RolloutHalt => ({ channel: r.channel, version: r.version, halted: r.halted === 1 || r.halted === true, reason: r.reason, at: r.at, by: r.by_name, automatic: r.automatic === 1 || r.automatic === true });
const haltArgs = (h: RolloutHalt) => [h.channel, h.version, h.halted, h.reason, h.at, h.by, h.automatic === true, h.base?.failed ?? 0, h.base?.tried ?? 0];
const visibleTo = (channels: string[] | null) => (e: AuditEntry) => channels === null || (e.channel !== null && channels.includes(e.channel));

/** `holdsChanged`: called after a halt or resume committed (the store drops its cached heads and tells SSE). */
export function sqliteConsole(db: Database.Database, holdsChanged: (channel: string) => void): ConsoleStore {
  // Prepared on first use: the tables exist once the store's migrations ran.
  let s: ReturnType<typeof prepare> | undefined;
  const prepare = () => ({
    add: db.prepare('INSERT INTO console_sessions (hash, token_id, created, expires) VALUES (?, ?, ?, ?)'),
    get: db.prepare('SELECT token_id, created, expires FROM console_sessions WHERE hash = ?'),
    purge: db.prepare('DELETE FROM console_sessions WHERE expires <= ?'),
    del: db.prepare('DELETE FROM console_sessions WHERE hash = ?'),
    audit: db.prepare('INSERT INTO console_audit (at, who, action, channel, detail) VALUES (?, ?, ?, ?, ?)'),
    list: db.prepare('SELECT at, who, action, channel, detail FROM console_audit ORDER BY id DESC LIMIT ?'),
    halt: db.prepare(HALT_UPSERT),
    isHalted: db.prepare('SELECT halted FROM console_rollouts WHERE channel = ? AND version = ?').pluck(),
    bump: db.prepare(`UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'hold_generation'`),
    halts: db.prepare(`SELECT ${HALT_COLUMNS} FROM console_rollouts ORDER BY channel, version`),
    policies: db.prepare('SELECT channel, fail_percent, min_reports, at, by_name FROM console_halt_policies ORDER BY channel'),
    setPolicy: db.prepare(`INSERT INTO console_halt_policies (channel, fail_percent, min_reports, at, by_name) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (channel) DO UPDATE SET fail_percent = excluded.fail_percent, min_reports = excluded.min_reports, at = excluded.at, by_name = excluded.by_name`),
    drafts: db.prepare('SELECT * FROM console_drafts WHERE channel = ? ORDER BY updated DESC, id'),
    draft: db.prepare('SELECT * FROM console_drafts WHERE id = ?'),
    saveDraft: db.prepare(DRAFT_UPSERT),
    deleteDraft: db.prepare('DELETE FROM console_drafts WHERE id = ?'),
  });
  const bool = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const halt = (h: RolloutHalt, onlyIfRunning: boolean) => {
    const done = db.transaction(() => {
      if (onlyIfRunning && st().isHalted.get(h.channel, h.version) === 1) return false;
      st().halt.run(...haltArgs(h).map(bool));
      st().bump.run();
      return true;
    }).immediate();
    if (done) holdsChanged(h.channel);
    return done;
  };
  const st = () => (s ??= prepare());
  return {
    async createSession(hash, x) { st().add.run(hash, x.tokenId, x.created, x.expires); },
    async session(hash, now) {
      st().purge.run(now);
      const r = st().get.get(hash) as SessionRow | undefined;
      return r ? toSession(r) : undefined;
    },
    async deleteSession(hash) { st().del.run(hash); },
    async addAudit(e) { st().audit.run(e.at, e.who, e.action, e.channel, e.detail); },
    // Filtered after reading: the log is small and channel lists are short; over-read so a filter still fills the page.
    async audit(f) { return (st().list.all(f.channels === null ? f.limit : f.limit * 20) as AuditEntry[]).filter(visibleTo(f.channels)).slice(0, f.limit); },
    async setHalt(h) { halt(h, false); },
    async autoHalt(h) { return halt(h, true); },
    async halts() { return (st().halts.all() as HaltRow[]).map(toHalt); },
    async haltPolicies() { return (st().policies.all() as PolicyRow[]).map(toPolicy); },
    async setHaltPolicy(p) { st().setPolicy.run(p.channel, p.failPercent, p.minReports, p.at, p.by); },
    async drafts(channel) { return (st().drafts.all(channel) as DraftRow[]).map(toDraft); },
    async draft(id) { const r = st().draft.get(id) as DraftRow | undefined; return r ? toDraft(r) : undefined; },
    async saveDraft(d) { st().saveDraft.run(d.id, d.channel, d.kind, d.title, d.body, d.version, d.rollout, d.critical ? 1 : 0, d.created, d.updated, d.by); },
    async deleteDraft(id) { return st().deleteDraft.run(id).changes > 0; },
  };
}

type Query = <T extends object>(sql: string, args?: unknown[]) => Promise<{ rows: T[] }>;

/**
 * A halt or resume is one statement: the row, the hold generation (whose row lock orders concurrent changes) and
 * the notification every node (this one included) turns into fresh heads and the channel's `holds` event.
 * `holdsChanged` is called once it committed, so this node's own next read sees the change without waiting to
 * hear its notification (as a token change does).
 */
export function postgresConsole(query: Query, notifyChannel: string, holdsChanged: () => void): ConsoleStore {
  const halt = async (h: RolloutHalt, onlyIfRunning: boolean) => {
    const n = (await query<{ n: number }>(`WITH u AS (${numbered(HALT_UPSERT)}${onlyIfRunning ? ' WHERE NOT console_rollouts.halted' : ''} RETURNING 1),
      g AS (UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'hold_generation' AND EXISTS (SELECT 1 FROM u) RETURNING 1)
      SELECT (SELECT count(*) FROM u)::int AS n, CASE WHEN EXISTS (SELECT 1 FROM u) THEN pg_notify($10, 'holds:' || $1::text) END AS notified`, [...haltArgs(h), notifyChannel])).rows[0]?.n ?? 0;
    if (n > 0) holdsChanged();
    return n > 0;
  };
  return {
    async createSession(hash, x) {
      await query('INSERT INTO console_sessions (hash, token_id, created, expires) VALUES ($1, $2, $3, $4)', [hash, x.tokenId, x.created, x.expires]);
    },
    async session(hash, now) {
      await query('DELETE FROM console_sessions WHERE expires <= $1', [now]);
      const r = (await query<SessionRow>('SELECT token_id, created, expires FROM console_sessions WHERE hash = $1', [hash])).rows[0];
      return r ? toSession(r) : undefined;
    },
    async deleteSession(hash) { await query('DELETE FROM console_sessions WHERE hash = $1', [hash]); },
    async addAudit(e) { await query('INSERT INTO console_audit (at, who, action, channel, detail) VALUES ($1, $2, $3, $4, $5)', [e.at, e.who, e.action, e.channel, e.detail]); },
    async audit(f) {
      const rows = f.channels === null
        ? await query<AuditEntry>('SELECT at, who, action, channel, detail FROM console_audit ORDER BY id DESC LIMIT $1', [f.limit])
        : await query<AuditEntry>('SELECT at, who, action, channel, detail FROM console_audit WHERE channel = ANY($1) ORDER BY id DESC LIMIT $2', [f.channels, f.limit]);
      return rows.rows;
    },
    async setHalt(h) { await halt(h, false); },
    async autoHalt(h) { return halt(h, true); },
    async halts() { return (await query<HaltRow>(`SELECT ${HALT_COLUMNS} FROM console_rollouts ORDER BY channel COLLATE "C", version COLLATE "C"`)).rows.map(toHalt); },
    async haltPolicies() { return (await query<PolicyRow>('SELECT channel, fail_percent, min_reports, at, by_name FROM console_halt_policies ORDER BY channel COLLATE "C"')).rows.map(toPolicy); },
    async setHaltPolicy(p) {
      await query(`INSERT INTO console_halt_policies (channel, fail_percent, min_reports, at, by_name) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (channel) DO UPDATE SET fail_percent = excluded.fail_percent, min_reports = excluded.min_reports, at = excluded.at, by_name = excluded.by_name`,
      [p.channel, p.failPercent, p.minReports, p.at, p.by]);
    },
    async drafts(channel) { return (await query<DraftRow>('SELECT * FROM console_drafts WHERE channel = $1 ORDER BY updated DESC, id COLLATE "C"', [channel])).rows.map(toDraft); },
    async draft(id) { const r = (await query<DraftRow>('SELECT * FROM console_drafts WHERE id = $1', [id])).rows[0]; return r ? toDraft(r) : undefined; },
    async saveDraft(d) { await query(numbered(DRAFT_UPSERT), [d.id, d.channel, d.kind, d.title, d.body, d.version, d.rollout, d.critical, d.created, d.updated, d.by]); },
    async deleteDraft(id) { return ((await query('DELETE FROM console_drafts WHERE id = $1', [id])) as { rowCount?: number | null }).rowCount !== 0; },
  };
}
