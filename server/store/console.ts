// What the publisher console keeps (docs/console.md): sign-in sessions (only a SHA-256 of the session id,
// never the access token), the audit log, and which rollouts a publisher halted. One
// implementation per database over a small query function, so both stores answer the same contract.
import type Database from 'better-sqlite3';

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
}

export interface ConsoleStore {
  createSession(hash: Buffer, s: ConsoleSession): Promise<void>;
  /** The live session with this id hash; expired sessions are deleted on the way. */
  session(hash: Buffer, now: number): Promise<ConsoleSession | undefined>;
  deleteSession(hash: Buffer): Promise<void>;
  addAudit(e: AuditEntry): Promise<void>;
  /** Newest first; `channels` null: every entry, else those about these channels. */
  audit(filter: { channels: string[] | null; limit: number }): Promise<AuditEntry[]>;
  setHalt(h: RolloutHalt): Promise<void>;
  halts(): Promise<RolloutHalt[]>;
}

interface SessionRow { token_id: string; created: number; expires: number }
interface HaltRow { channel: string; version: string; halted: number | boolean; reason: string; at: number; by_name: string }
const toSession = (r: SessionRow): ConsoleSession => ({ tokenId: r.token_id, created: r.created, expires: r.expires });
const toHalt = (r: HaltRow): RolloutHalt => ({ channel: r.channel, version: r.version, halted: r.halted === 1 || r.halted === true, reason: r.reason, at: r.at, by: r.by_name });
const visibleTo = (channels: string[] | null) => (e: AuditEntry) => channels === null || (e.channel !== null && channels.includes(e.channel));

export function sqliteConsole(db: Database.Database): ConsoleStore {
  // Prepared on first use: the tables exist once the store's migrations ran.
  let s: ReturnType<typeof prepare> | undefined;
  const prepare = () => ({
    add: db.prepare('INSERT INTO console_sessions (hash, token_id, created, expires) VALUES (?, ?, ?, ?)'),
    get: db.prepare('SELECT token_id, created, expires FROM console_sessions WHERE hash = ?'),
    purge: db.prepare('DELETE FROM console_sessions WHERE expires <= ?'),
    del: db.prepare('DELETE FROM console_sessions WHERE hash = ?'),
    audit: db.prepare('INSERT INTO console_audit (at, who, action, channel, detail) VALUES (?, ?, ?, ?, ?)'),
    list: db.prepare('SELECT at, who, action, channel, detail FROM console_audit ORDER BY id DESC LIMIT ?'),
    halt: db.prepare(`INSERT INTO console_rollouts (channel, version, halted, reason, at, by_name) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (channel, version) DO UPDATE SET halted = excluded.halted, reason = excluded.reason, at = excluded.at, by_name = excluded.by_name`),
    halts: db.prepare('SELECT channel, version, halted, reason, at, by_name FROM console_rollouts ORDER BY channel, version'),
  });
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
    async setHalt(h) { st().halt.run(h.channel, h.version, h.halted ? 1 : 0, h.reason, h.at, h.by); },
    async halts() { return (st().halts.all() as HaltRow[]).map(toHalt); },
  };
}

type Query = <T extends object>(sql: string, args?: unknown[]) => Promise<{ rows: T[] }>;

export function postgresConsole(query: Query): ConsoleStore {
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
    async setHalt(h) {
      await query(`INSERT INTO console_rollouts (channel, version, halted, reason, at, by_name) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (channel, version) DO UPDATE SET halted = excluded.halted, reason = excluded.reason, at = excluded.at, by_name = excluded.by_name`,
      [h.channel, h.version, h.halted, h.reason, h.at, h.by]);
    },
    async halts() { return (await query<HaltRow>('SELECT channel, version, halted, reason, at, by_name FROM console_rollouts ORDER BY channel, version')).rows.map(toHalt); },
  };
}
