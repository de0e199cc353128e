// The PostgreSQL feed store for several stateless service nodes. Ordering: every publish first takes the
// row lock of feed_state and increments its head, so seqs are assigned and committed one after another
// (a reader on any node never sees seq N+1 before N). Live push: the publishing transaction NOTIFYs; every
// node LISTENs on one connection and forwards committed messages, in seq order, to its own SSE subscribers.
// That connection is supervised: lost (database restart, terminated backend, network), it is reconnected
// with a short capped backoff for as long as it takes, and the node catches up on everything committed
// meanwhile before it trusts its cached heads again. A database that cannot be reached surfaces as
// StoreUnavailableError (a typed 503 with Retry-After), never as a 500.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { canonicalPayload } from '../../shared/protocol/signing.ts';
import type { ChannelInfo, CryptolensMessage, StoredMessage } from '../../shared/protocol/schemas.ts';
import { postgresMigrations } from './migrations/postgres.ts';
import { postgresConsole, type ConsoleStore } from './console.ts';
import { NewerSchemaError } from './sqlite.ts';
import { assemblePage, finalRecord, planInsert, rawJson, type ExistingRow } from './rules.ts';
import type { AdoptionReport, FailedStartCount, FailedStartReport } from '../../shared/protocol/reports.ts';
import { StoreUnavailableError, dayText, type AdoptionCount, type FeedEvent, type FeedStore, type HeadsState, type InsertRequest, type InsertResult, type PageResult, type ReleaseHealth, type Scope, type TokenRow } from './types.ts';
import { healthOf, type HealthRow } from './sqlite.ts';
import { holdsOf } from './holds.ts';

const NOTIFY_CHANNEL = 'tidings_feed';
const MIGRATION_LOCK = 0x7469646e; // 'tidn'
/** Heads are re-read at least this often even without notifications (a LISTEN connection that died silently). */
const HEADS_TTL_MS = 1000;
/**
 * LISTEN reconnect backoff: 100 ms doubling, capped at 500 ms (half of it jittered). The cap is low on
 * purpose: a publish must reach every node's subscribers within a second of the database coming back, and
 * a failed attempt against a database that is down costs one refused TCP connection.
 */
const RECONNECT_BASE_MS = 100;
const RECONNECT_CAP_MS = 500;
/**
 * NOTIFY payloads must be shorter than 8000 bytes. A live-only message travels in the notification itself
 * (it is never stored); one that does not fit is split into parts sent in one transaction, which PostgreSQL
 * delivers together and in order, and reassembled by every listener.
 */
const NOTIFY_MAX_BYTES = 7999;
const LIVE_PART_BYTES = 7800;
/** Application name of the LISTEN connection, so operators (and tests) can count them in pg_stat_activity. */
export const LISTEN_APPLICATION_NAME = 'tidings-listen';

/** SQLSTATEs that mean "the database is not there for us right now": connection exceptions (class 08),
 * our login refused (class 28: the role was locked or its password changed under a running node),
 * insufficient resources (class 53: disk full, out of memory, too many connections), shutting down or
 * starting up (57P01–57P03), and a standby that does not accept writes yet (25006, during a failover). */
const UNAVAILABLE_STATES = /^(08|28|53|57P0[123]$|25006$)/;
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** node-postgres reports a lost or never-made connection by message only. */
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed and is not queryable|Connection terminated due to connection timeout/i;

export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (UNAVAILABLE_ERRNOS.has(e.code) || UNAVAILABLE_STATES.test(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  // Node's happy-eyeballs connect reports one error per address tried.
  return Array.isArray(e.errors) && e.errors.some(isUnavailable);
}

/** The error a caller should see: a typed StoreUnavailableError for an unreachable database, else itself. */
function classify(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || !isUnavailable(err)) return err;
  return new StoreUnavailableError(`the feed database is unavailable: ${(err as Error).message}`);
}

/** Splits text into pieces of at most maxBytes of UTF-8, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > maxBytes) {
      parts.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  parts.push(current);
  return parts;
}

// bigint columns come back as strings by default; every seq and timestamp here fits a double exactly.
const types = {
  getTypeParser: ((oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

interface Row extends ExistingRow {
  seq: number;
  created: number;
  content: string;
  retracted_by: number | null;
}

interface TokenDbRow { id: string; name: string; hash: Buffer; scopes: string; channels: string | null; created: number; revoked: number | null }

const toStored = (row: Row): StoredMessage & { retracted: boolean } =>
  ({ ...(JSON.parse(rawJson(row)) as StoredMessage), retracted: row.retracted_by !== null });

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  // A connection lost mid-migration rejects the running query; the client's 'error' event must not end the process.
  const ignore = () => {};
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version int NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT max(version) AS version FROM schema_version');
    const current = r.rows[0]?.version ?? 0;
    const latest = postgresMigrations.at(-1)?.version ?? 0;
    if (current > latest) throw new NewerSchemaError(`This feed database was written by a newer Tidings (schema ${current}, this one knows up to ${latest}). Upgrade Tidings; nothing was changed.`);
    for (const m of postgresMigrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
    }
    await client.query(`INSERT INTO meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING`, [randomBytes(6).toString('hex')]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.removeListener('error', ignore);
    client.release();
  }
}

export class PostgresFeedStore implements FeedStore {
  readonly epoch: string;
  readonly console: ConsoleStore = postgresConsole((sql, args) => this.query(sql, args), NOTIFY_CHANNEL, () => this.dropHeads());
  private readonly pool: pg.Pool;
  /** The one LISTEN connection of this node, or null while it is being re-established. */
  private listener: pg.Client | null = null;
  /** LISTEN is up and everything committed before it was forwarded: only then are cached heads trusted. */
  private caughtUp = false;
  /** Set when the listener dropped or forwarding failed; the supervisor reconnects and catches up. */
  private troubled = false;
  private onTrouble: (() => void) | null = null;
  private wakeSupervisor: (() => void) | null = null;
  /** Live-only messages too large for one notification, by part tag, while their parts arrive. */
  private readonly liveParts = new Map<string, { parts: string[]; got: number; at: number }>();
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private heads_: (HeadsState & { at: number }) | null = null;
  /** Bumped by every invalidation; a read that started before one never fills the cache. */
  private headsGen = 0;
  private headsReading: Promise<HeadsState> | null = null;
  /** Highest seq forwarded to subscribers; a notification for S forwards everything in (forwarded, S]. */
  private forwarded = 0;
  /** Token changes seen by this node: its own, and every `tokens:` notification (any node's). */
  private tokenGen = 0;
  private forwarding: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly url: string;

  private constructor(pool: pg.Pool, epoch: string, url: string) {
    this.pool = pool;
    this.epoch = epoch;
    this.url = url;
  }

  static async open(url: string): Promise<PostgresFeedStore> {
    // A request waits at most 10 s for a connection (a pool slot or a new one), then gets a typed 503.
    const pool = new pg.Pool({ connectionString: url, max: 10, types, connectionTimeoutMillis: 10_000, keepAlive: true });
    pool.on('error', () => { /* an idle client died; the pool replaces it */ });
    await migrate(pool);
    const epoch = (await pool.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'epoch'`)).rows[0]?.value as string;
    const store = new PostgresFeedStore(pool, epoch, url);
    store.forwarded = (await pool.query<{ head: number }>('SELECT head FROM feed_state')).rows[0]?.head ?? 0;
    try {
      await store.connectListener();
    } catch (err) {
      await pool.end();
      throw err;
    }
    store.caughtUp = true;
    void store.supervise();
    return store;
  }

  /**
   * Keeps this node's LISTEN connection up for the store's whole life: whenever it drops (or forwarding
   * fails), reconnect with backoff, forward everything committed meanwhile, then trust the heads again.
   */
  private async supervise(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      await this.untilTrouble();
      if (this.closed) return;
      this.caughtUp = false;
      this.invalidateHeads();
      this.troubled = false;
      try {
        if (!this.listener) await this.connectListener();
        await this.catchUp();
        if (this.troubled) continue;
        // Anything read before LISTEN was (re-)established may have missed a notification.
        this.invalidateHeads();
        this.caughtUp = true;
        failures = 0;
      } catch {
        this.troubled = true;
        await this.sleep(Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** failures++) * (0.5 + Math.random() / 2));
      }
    }
  }

  private untilTrouble(): Promise<void> {
    if (this.troubled || this.closed) return Promise.resolve();
    return new Promise((resolve) => { this.onTrouble = resolve; });
  }

  private trouble(): void {
    this.troubled = true;
    this.caughtUp = false;
    this.invalidateHeads();
    const fn = this.onTrouble;
    this.onTrouble = null;
    fn?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wakeSupervisor = null; resolve(); }, ms);
      t.unref();
      this.wakeSupervisor = () => { clearTimeout(t); this.wakeSupervisor = null; resolve(); };
    });
  }

  /** Opens the LISTEN connection. Exactly one per store: a lost one is ended before a new one is made. */
  private async connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types, application_name: LISTEN_APPLICATION_NAME, keepAlive: true, connectionTimeoutMillis: 5000 });
    let dead = false;
    const lost = () => {
      if (dead) return;
      dead = true;
      client.end().catch(() => {});
      if (this.listener === client) {
        this.listener = null;
        this.liveParts.clear();
        this.trouble();
      }
    };
    // 'error' (terminated backend, database shutdown) and 'end' (socket closed) may both come; either is the end.
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.notified(n.payload ?? ''));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (err) {
      lost();
      throw err;
    }
    if (dead) throw new Error('the LISTEN connection closed while it was being set up');
    if (this.closed) {
      lost();
      return;
    }
    this.listener = client;
  }

  /** Forwards everything committed up to the feed's current head (what was published while we were away). */
  private async catchUp(): Promise<void> {
    const head = (await this.pool.query<{ head: number }>('SELECT head FROM feed_state')).rows[0]?.head ?? 0;
    // The head can go back: a failover to a replica that lacked the last commits, a restore, or (with
    // synchronous_commit off) a crash. The seqs are then handed out again, and must be forwarded again.
    // (Subscribers already past them get them on their next poll, which sees head below their cursor.)
    this.forwarding = this.forwarding.then(() => {
      if (head < this.forwarded) this.forwarded = head;
    });
    await this.forwardUpTo(head);
  }

  private notified(payload: string): void {
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const rest = payload.slice(colon + 1);
    if (kind === 'tokens') {
      this.tokenGen++;
      return;
    }
    this.invalidateHeads();
    if (kind === 'seq') {
      this.forwardUpTo(Number(rest)).catch(() => this.trouble());
    } else if (kind === 'live') {
      // live:<channel>:<json>; channel names never contain ':'.
      const c = rest.indexOf(':');
      this.emit({ channel: rest.slice(0, c), json: rest.slice(c + 1) });
    } else if (kind === 'part') {
      this.livePart(rest);
    } else if (kind === 'holds') {
      // holds:<channel> — a halt or resume committed on some node: the channel's subscribers get its holds as
      // read now (heads were invalidated above, so this read sees the change).
      Promise.resolve(this.headState()).then((s) => {
        this.emit({ channel: rest, event: 'holds', json: JSON.stringify({ holds: s.holds[rest] ?? [] }) });
      }, () => this.trouble());
    }
  }

  /** part:<tag>:<index>:<count>:<channel>:<text> — reassembled, then emitted like a single `live`. */
  private livePart(rest: string): void {
    const m = /^([0-9a-f]+):(\d+):(\d+):([^:]+):/.exec(rest);
    if (!m) return;
    const [head, tag, i, n, channel] = m as unknown as [string, string, string, string, string];
    const now = Date.now();
    for (const [t, p] of this.liveParts) if (now - p.at > 60_000) this.liveParts.delete(t);
    let entry = this.liveParts.get(tag);
    if (!entry) this.liveParts.set(tag, (entry = { parts: new Array<string>(Number(n)), got: 0, at: now }));
    if (entry.parts[Number(i)] === undefined) entry.got++;
    entry.parts[Number(i)] = rest.slice(head.length);
    if (entry.got === entry.parts.length) {
      this.liveParts.delete(tag);
      this.emit({ channel, json: entry.parts.join('') });
    }
  }

  /**
   * Forwards every committed message in (forwarded, seq] to subscribers, in seq order. Serialized, so a
   * notification, a local publish and a catch-up never interleave. Rejects when the database could not
   * be read (the caller hands that to the supervisor, which retries).
   */
  private forwardUpTo(seq: number): Promise<void> {
    const run = this.forwarding.then(async () => {
      while (seq > this.forwarded && !this.closed) {
        const rows = (await this.pool.query<Row>('SELECT seq, channel, created, record FROM messages WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 500', [this.forwarded, seq])).rows;
        if (rows.length === 0) return;
        for (const r of rows) {
          this.forwarded = r.seq;
          this.emit({ channel: r.channel, seq: r.seq, json: rawJson(r) });
        }
      }
    });
    this.forwarding = run.catch(() => {});
    return run;
  }

  private emit(e: FeedEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  subscribe(fn: (e: FeedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A live-only message travels in the notification itself and is never stored (protocol.md). */
  async publishLive(channel: string, json: string): Promise<void> {
    const single = `live:${channel}:${json}`;
    if (Buffer.byteLength(single) <= NOTIFY_MAX_BYTES) {
      await this.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, single]);
      return;
    }
    const pieces = splitUtf8(json, LIVE_PART_BYTES);
    const tag = randomBytes(8).toString('hex');
    const { client, release } = await this.checkout();
    let failed: unknown;
    try {
      // One transaction: every listener gets all parts, together and in order, or none.
      await client.query('BEGIN');
      for (const [i, piece] of pieces.entries()) {
        await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, `part:${tag}:${i}:${pieces.length}:${channel}:${piece}`]);
      }
      await client.query('COMMIT');
    } catch (err) {
      failed = err;
      await client.query('ROLLBACK').catch(() => {});
      throw classify(err);
    } finally {
      release(failed);
    }
  }

  /**
   * A pool client held across several queries. node-postgres emits 'error' on a checked-out client whose
   * connection drops (a database restart), and an unheard 'error' would end the process; the failing
   * query rejects anyway, so the event itself is ignored while we hold the client.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; release(failed: unknown): void }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw classify(err);
    }
    const ignore = () => {};
    client.on('error', ignore);
    return {
      client,
      release: (failed) => {
        client.removeListener('error', ignore);
        // A client whose connection failed is discarded rather than returned to the pool.
        client.release(failed !== undefined && isUnavailable(failed));
      },
    };
  }

  /** pool.query with an unreachable database reported as StoreUnavailableError. */
  private async query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<pg.QueryResult<T>> {
    try {
      return await this.pool.query<T>(sql, args);
    } catch (err) {
      throw classify(err);
    }
  }

  private invalidateHeads(): void {
    // Whatever makes the heads untrustworthy (a lost LISTEN connection) may also have hidden a token change.
    this.tokenGen++;
    this.dropHeads();
  }

  /** The cached heads are read again (this node changed them, or heard that another did). */
  private dropHeads(): void {
    this.heads_ = null;
    this.headsGen++;
    // Later callers must not join a read that may have started before this change committed.
    this.headsReading = null;
  }

  /** Cached heads while fresh: LISTEN is up and caught up, and they were read less than HEADS_TTL_MS ago. */
  peekHeads() {
    const h = this.heads_;
    return h && this.caughtUp && this.listener && Date.now() - h.at < HEADS_TTL_MS ? h : undefined;
  }

  private headState(): Promise<HeadsState> | HeadsState {
    const fresh = this.peekHeads();
    if (fresh) return fresh;
    // One read at a time: concurrent checks on a cold cache share it instead of each querying.
    if (this.headsReading) return this.headsReading;
    const gen = this.headsGen;
    const at = Date.now();
    // One round trip: the heads (k 0), the halted versions, newest halt first (k 1), the hold generation (k 2).
    const reading = this.query<{ k: number; name: string; head: number; version: string | null }>(`SELECT 0 AS k, name, head, NULL::text AS version FROM channels
      UNION ALL SELECT 1, channel, at, version FROM console_rollouts WHERE halted
      UNION ALL SELECT 2, key, value::bigint, NULL FROM meta WHERE key = 'hold_generation'`).then((r) => {
      const heads: Record<string, number> = {};
      const halted: { channel: string; version: string; at: number }[] = [];
      let global = 0;
      let holdGeneration = 0;
      for (const row of r.rows) {
        if (row.k === 1) halted.push({ channel: row.name, version: row.version as string, at: row.head });
        else if (row.k === 2) holdGeneration = Number(row.head);
        else {
          heads[row.name] = row.head;
          if (row.head > global) global = row.head;
        }
      }
      halted.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : b.at - a.at || (a.version < b.version ? -1 : 1)));
      const state = { at, heads, global, holds: holdGeneration > 0 ? holdsOf(halted) : {}, holdGeneration };
      // A publish notified while we read may be missing from this snapshot: use it once, do not keep it.
      if (gen === this.headsGen) this.heads_ = state;
      return state;
    }).finally(() => {
      if (this.headsReading === reading) this.headsReading = null;
    });
    this.headsReading = reading;
    return reading;
  }

  async headsState() { return this.headState(); }
  async globalHead() { return (await this.headState()).global; }
  async heads() { return (await this.headState()).heads; }
  async channels() { return (await this.query<ChannelInfo>('SELECT name, kind, title, head FROM channels ORDER BY name COLLATE "C"')).rows; }
  // From the same notified cache as the heads (a page's unchanged check never queries).
  async channelHead(channel: string) { return (await this.headState()).heads[channel]; }

  async page(channel: string, after: number, limit: number, maxBytes: number): Promise<PageResult> {
    // One statement, one snapshot: the head and the rows agree, so a short page may safely jump to head.
    const rows = (await this.query<Row & { head: number }>(
      `WITH h AS (SELECT head FROM channels WHERE name = $1)
       SELECT h.head, m.seq, m.created, m.record FROM h LEFT JOIN LATERAL (
         SELECT seq, created, record FROM messages WHERE channel = $1 AND seq > $2 AND retracted_by IS NULL ORDER BY seq LIMIT $3
       ) m ON true ORDER BY m.seq`, [channel, after, limit])).rows;
    return assemblePage(channel, rows.filter((r) => r.seq !== null), after, limit, rows[0]?.head ?? 0, maxBytes);
  }

  async byId(id: string) {
    const r = (await this.query<Row>('SELECT * FROM messages WHERE id = $1', [id])).rows[0];
    return r ? toStored(r) : undefined;
  }

  async bySeq(seq: number) {
    const r = (await this.query<Row>('SELECT * FROM messages WHERE seq = $1', [seq])).rows[0];
    return r ? toStored(r) : undefined;
  }

  async insert(req: InsertRequest): Promise<InsertResult> {
    const { record } = req;
    const { client, release } = await this.checkout();
    let failed: unknown;
    try {
      await client.query('BEGIN');
      // The feed-wide lock: publishes on every node queue here, so seq order is commit order.
      const state = (await client.query<{ head: number; newest_created: number }>('UPDATE feed_state SET head = head + 1 RETURNING head, newest_created')).rows[0] as { head: number; newest_created: number };
      const seq = state.head;
      const q = async <T extends pg.QueryResultRow>(sql: string, args: unknown[]) => (await client.query<T>(sql, args)).rows;
      const plan = planInsert(req, {
        existing: req.idFromSeq ? undefined : (await q<Row>('SELECT * FROM messages WHERE id = $1', [record.id]))[0],
        sameVersion: record.kind === 'release' && record.release
          ? (await q<{ payload: string }>('SELECT payload FROM messages WHERE channel = $1 AND version = $2 AND retracted_by IS NULL', [record.channel, record.release.version])).map((r) => r.payload)
          : [],
        target: record.kind === 'retraction' ? (await q<Row>('SELECT * FROM messages WHERE id = $1', [record.retracts ?? '']))[0] : undefined,
        channelNewest: (await q<{ newest_created: number }>('SELECT newest_created FROM channels WHERE name = $1', [record.channel]))[0]?.newest_created,
        feedNewest: state.newest_created,
      });
      if (plan.action !== 'insert') {
        // Rolling back also returns the seq we took, so no gap is ever left.
        await client.query('ROLLBACK');
        return plan.action === 'reject' ? plan.result : { status: 'existing', message: toStored(plan.existing as Row) };
      }
      const final = finalRecord(req, seq);
      const payload = req.idFromSeq ? canonicalPayload(final) : plan.payload;
      if (plan.newChannelKind) {
        await client.query('INSERT INTO channels (name, kind, title, head, newest_created, created) VALUES ($1, $2, $1, $3, $4, $5)', [record.channel, plan.newChannelKind, seq, plan.created, req.now]);
      } else {
        await client.query('UPDATE channels SET head = $2, newest_created = greatest(newest_created, $3) WHERE name = $1', [record.channel, seq, plan.created]);
      }
      await client.query('INSERT INTO messages (seq, id, channel, kind, created, version, payload, record, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [seq, final.id, record.channel, record.kind, plan.created, plan.version, payload, JSON.stringify(final), plan.content]);
      if (record.kind === 'retraction') await client.query('UPDATE messages SET retracted_by = $1 WHERE id = $2 AND retracted_by IS NULL', [seq, record.retracts]);
      await client.query('UPDATE feed_state SET newest_created = greatest(newest_created, $1)', [plan.created]);
      // Delivered to every listening node when (and only if) this transaction commits, in commit order.
      await client.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, `seq:${seq}`]);
      await client.query('COMMIT');
      this.invalidateHeads();
      // On the same client: taking a second pool connection while holding this one could deadlock the pool.
      const stored = (await client.query<Row>('SELECT * FROM messages WHERE seq = $1', [seq])).rows[0] as Row;
      this.forwardUpTo(seq).catch(() => this.trouble());
      return { status: 'created', message: toStored(stored) };
    } catch (err) {
      failed = err;
      await client.query('ROLLBACK').catch(() => {});
      // A connection lost around COMMIT leaves the outcome unknown: the 503 tells the publisher to retry,
      // and a retry with the same id is answered 200 if the first attempt did commit.
      throw classify(err);
    } finally {
      release(failed);
    }
  }

  async cryptolensMessages(channel: string | null, time: number, limit: number): Promise<CryptolensMessage[]> {
    const where = `created > $1 AND retracted_by IS NULL AND kind <> 'retraction'${channel === null ? '' : ' AND channel = $3'}`;
    const args: unknown[] = channel === null ? [time, limit] : [time, limit, channel];
    const rows = (await this.query<Row>(`SELECT seq, content, created, channel FROM messages WHERE ${where} ORDER BY created DESC, seq DESC LIMIT $2`, args)).rows;
    return rows.map((r) => ({ id: r.seq, content: r.content, created: r.created, channel: r.channel }));
  }

  async newestCreated(channel: string | null) {
    if (channel === null) return (await this.query<{ n: number }>('SELECT newest_created AS n FROM feed_state')).rows[0]?.n ?? 0;
    return (await this.query<{ n: number }>('SELECT newest_created AS n FROM channels WHERE name = $1', [channel])).rows[0]?.n ?? 0;
  }

  /** Undefined unless LISTEN is up and caught up: a token change could be missed, so nothing may be cached. */
  tokensVersion(): number | undefined {
    return this.caughtUp && this.listener ? this.tokenGen : undefined;
  }

  /** Tells every node (this one included) that tokens changed, in the same statement as the change. */
  private tokensChanged(): void {
    this.tokenGen++;
  }

  async createToken(t: { id: string; name: string; hash: Buffer; scopes: Scope[]; channels: string[] | null; created: number }) {
    await this.query(`WITH i AS (INSERT INTO tokens (id, name, hash, scopes, channels, created) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id)
      SELECT (SELECT count(*) FROM i) AS n, pg_notify($7, 'tokens:')`, [t.id, t.name, t.hash, t.scopes.join(','), t.channels ? JSON.stringify(t.channels) : null, t.created, NOTIFY_CHANNEL]);
    this.tokensChanged();
  }

  private tokenRow(r: TokenDbRow) {
    return { id: r.id, name: r.name, hash: r.hash, scopes: r.scopes.split(',') as Scope[], channels: r.channels ? (JSON.parse(r.channels) as string[]) : null, created: r.created, revoked: r.revoked };
  }

  async tokenById(id: string) {
    const r = (await this.query<TokenDbRow>('SELECT * FROM tokens WHERE id = $1', [id])).rows[0];
    return r ? this.tokenRow(r) : undefined;
  }

  async listTokens(): Promise<TokenRow[]> {
    return (await this.query<TokenDbRow>('SELECT * FROM tokens ORDER BY created, id')).rows.map((r) => {
      const { hash: _h, ...rest } = this.tokenRow(r);
      return rest;
    });
  }

  async revokeToken(id: string, at: number) {
    // NOTIFY in the revoking statement: every node hears of it exactly when it commits.
    const r = await this.query<{ n: number }>(`WITH u AS (UPDATE tokens SET revoked = $1 WHERE id = $2 AND revoked IS NULL RETURNING id)
      SELECT (SELECT count(*) FROM u)::int AS n, pg_notify($3, 'tokens:')`, [at, id, NOTIFY_CHANNEL]);
    this.tokensChanged();
    return (r.rows[0]?.n ?? 0) > 0;
  }
  async tokenCount() { return (await this.query<{ n: number }>('SELECT count(*)::int AS n FROM tokens WHERE revoked IS NULL')).rows[0]?.n ?? 0; }
  async addPublisherKey(publicKey: string, keyId: string, name: string, at: number) {
    await this.query('INSERT INTO publisher_keys (key_id, public_key, name, added) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [keyId, publicKey, name, at]);
  }
  async keyStatements() { return (await this.query<{ json: string }>('SELECT json FROM key_statements ORDER BY seq')).rows.map((r) => r.json); }
  async addKeyStatement(seq: number, json: string, at: number) {
    return ((await this.query('INSERT INTO key_statements (seq, json, added) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [seq, json, at])).rowCount ?? 0) > 0;
  }
  async removePublisherKey(keyId: string) { return ((await this.query('DELETE FROM publisher_keys WHERE key_id = $1', [keyId])).rowCount ?? 0) > 0; }
  async publisherKeys() { return (await this.query<{ keyId: string; publicKey: string; name: string; added: number }>('SELECT key_id AS "keyId", public_key AS "publicKey", name, added FROM publisher_keys ORDER BY added, key_id')).rows; }

  async countAdoption(r: AdoptionReport, day: number) {
    await this.query(`INSERT INTO adoption (channel, version, platform, day, count, updated, max_bucket) VALUES ($1, $2, $3, $4, 1, $5, $6)
      ON CONFLICT (channel, version, platform, day) DO UPDATE SET count = adoption.count + 1, updated = adoption.updated + excluded.updated, max_bucket = greatest(adoption.max_bucket, excluded.max_bucket)`,
    [r.channel, r.version, r.platform, day, r.updated ? 1 : 0, r.bucket]);
  }

  async adoption(filter: { channels: string[] | null; version?: string }): Promise<AdoptionCount[]> {
    const rows = (await this.query<Omit<AdoptionCount, 'day' | 'maxBucket'> & { day: number; max_bucket: number }>(
      `SELECT channel, version, platform, day, count, updated, max_bucket FROM adoption
       WHERE ($1::text[] IS NULL OR channel = ANY($1)) AND ($2::text IS NULL OR version = $2)
       ORDER BY day DESC, channel COLLATE "C", version COLLATE "C", platform COLLATE "C"`, [filter.channels, filter.version ?? null])).rows;
    return rows.map(({ day, max_bucket, ...r }) => ({ ...r, day: dayText(day), maxBucket: max_bucket }));
  }

  async releaseHealth(channel: string, version: string): Promise<ReleaseHealth> {
    const r = (await this.query<HealthRow>(`SELECT
        (SELECT coalesce(sum(count), 0) FROM failed_starts WHERE channel = $1 AND version = $2)::bigint AS failed,
        (SELECT coalesce(sum(updated), 0) FROM adoption WHERE channel = $1 AND version = $2)::bigint AS updated,
        (SELECT count(*) FROM messages WHERE channel = $1 AND version = $2 AND kind = 'release' AND retracted_by IS NULL) AS live,
        r.halted, r.base_failed, r.base_tried, p.fail_percent, p.min_reports
      FROM (SELECT 1) x LEFT JOIN console_rollouts r ON r.channel = $1 AND r.version = $2 LEFT JOIN console_halt_policies p ON p.channel = $1`, [channel, version])).rows[0] as HealthRow;
    return healthOf(r);
  }

  async countFailedStart(r: FailedStartReport, day: number) {
    await this.query(`INSERT INTO failed_starts (channel, version, platform, reason, day, count, max_bucket) VALUES ($1, $2, $3, $4, $5, 1, $6)
      ON CONFLICT (channel, version, platform, reason, day) DO UPDATE SET count = failed_starts.count + 1, max_bucket = greatest(failed_starts.max_bucket, excluded.max_bucket)`,
    [r.channel, r.version, r.platform, r.reason, day, r.bucket]);
  }

  async failedStarts(filter: { channels: string[] | null; version?: string }): Promise<FailedStartCount[]> {
    const rows = (await this.query<Omit<FailedStartCount, 'day' | 'maxBucket'> & { day: number; max_bucket: number }>(
      `SELECT channel, version, platform, reason, day, count, max_bucket FROM failed_starts
       WHERE ($1::text[] IS NULL OR channel = ANY($1)) AND ($2::text IS NULL OR version = $2)
       ORDER BY day DESC, channel COLLATE "C", version COLLATE "C", platform COLLATE "C", reason COLLATE "C"`, [filter.channels, filter.version ?? null])).rows;
    return rows.map(({ day, max_bucket, ...r }) => ({ ...r, day: dayText(day), maxBucket: max_bucket }));
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    // Let the supervisor see `closed` and stop (it ends a listener it is still connecting).
    this.wakeSupervisor?.();
    this.trouble();
    await this.forwarding;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.pool.end();
  }
}
