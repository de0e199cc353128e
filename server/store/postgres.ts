// The PostgreSQL feed store for several stateless service nodes. Ordering: every publish first takes the
// row lock of feed_state and increments its head, so seqs are assigned and committed one after another
// (a reader on any node never sees seq N+1 before N). Live push: the publishing transaction NOTIFYs; every
// node LISTENs and forwards committed messages, in seq order, to its own SSE subscribers.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { canonicalPayload } from '../../shared/protocol/signing.ts';
import type { ChannelInfo, CryptolensMessage, StoredMessage } from '../../shared/protocol/schemas.ts';
import { postgresMigrations } from './migrations/postgres.ts';
import { NewerSchemaError } from './sqlite.ts';
import { assemblePage, finalRecord, planInsert, rawJson, type ExistingRow } from './rules.ts';
import type { FeedEvent, FeedStore, InsertRequest, InsertResult, PageResult, Scope, TokenRow } from './types.ts';

const NOTIFY_CHANNEL = 'tidings_feed';
const MIGRATION_LOCK = 0x7469646e; // 'tidn'
/** Heads are re-read at least this often even without notifications (a dropped LISTEN connection). */
const HEADS_TTL_MS = 1000;

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

const toStored = (row: Row): StoredMessage & { retracted: boolean } =>
  ({ ...(JSON.parse(rawJson(row)) as StoredMessage), retracted: row.retracted_by !== null });

async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
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
    client.release();
  }
}

export class PostgresFeedStore implements FeedStore {
  readonly epoch: string;
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private heads_: { at: number; heads: Record<string, number>; global: number } | null = null;
  /** Bumped by every invalidation; a read that started before one never fills the cache. */
  private headsGen = 0;
  private headsReading: Promise<{ heads: Record<string, number>; global: number }> | null = null;
  /** Highest seq forwarded to subscribers; a notification for S forwards everything in (forwarded, S]. */
  private forwarded = 0;
  private forwarding: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly url: string;

  private constructor(pool: pg.Pool, epoch: string, url: string) {
    this.pool = pool;
    this.epoch = epoch;
    this.url = url;
  }

  static async open(url: string): Promise<PostgresFeedStore> {
    const pool = new pg.Pool({ connectionString: url, max: 10, types });
    pool.on('error', () => { /* an idle client died; the pool replaces it */ });
    await migrate(pool);
    const epoch = (await pool.query<{ value: string }>(`SELECT value FROM meta WHERE key = 'epoch'`)).rows[0]?.value as string;
    const store = new PostgresFeedStore(pool, epoch, url);
    store.forwarded = (await pool.query<{ head: number }>('SELECT head FROM feed_state')).rows[0]?.head ?? 0;
    await store.listen();
    return store;
  }

  /** One dedicated connection LISTENs; if it drops, it reconnects and catches up from `forwarded`. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, types });
    client.on('notification', (n) => {
      this.invalidateHeads();
      const [kind, value] = (n.payload ?? '').split(':');
      if (kind === 'seq') this.forwardUpTo(Number(value));
      else if (kind === 'live') void this.forwardLive(Number(value));
    });
    client.on('error', () => {
      if (this.closed) return;
      this.listener = null;
      this.invalidateHeads();
      setTimeout(() => void this.listen().then(() => this.forwardUpTo(Number.MAX_SAFE_INTEGER)).catch(() => {}), 500).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    this.listener = client;
  }

  private forwardUpTo(seq: number): void {
    this.forwarding = this.forwarding.then(async () => {
      if (seq <= this.forwarded || this.closed) return;
      const rows = (await this.pool.query<Row>('SELECT seq, channel, created, record FROM messages WHERE seq > $1 AND seq <= $2 ORDER BY seq', [this.forwarded, seq])).rows;
      for (const r of rows) {
        this.forwarded = r.seq;
        this.emit({ channel: r.channel, seq: r.seq, json: rawJson(r) });
      }
    }).catch(() => {});
  }

  private async forwardLive(id: number): Promise<void> {
    const r = (await this.pool.query<{ channel: string; json: string }>('SELECT channel, json FROM live_messages WHERE id = $1', [id]).catch(() => ({ rows: [] }))).rows[0];
    if (r) this.emit({ channel: r.channel, json: r.json });
  }

  private emit(e: FeedEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  subscribe(fn: (e: FeedEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async publishLive(channel: string, json: string): Promise<void> {
    await this.pool.query(`DELETE FROM live_messages WHERE at < now() - interval '1 minute'`);
    const id = (await this.pool.query<{ id: number }>('INSERT INTO live_messages (channel, json) VALUES ($1, $2) RETURNING id', [channel, json])).rows[0]?.id;
    await this.pool.query('SELECT pg_notify($1, $2)', [NOTIFY_CHANNEL, `live:${id}`]);
  }

  private invalidateHeads(): void {
    this.heads_ = null;
    this.headsGen++;
    // Later callers must not join a read that may have started before this change committed.
    this.headsReading = null;
  }

  /** Cached heads while fresh: LISTEN is up and they were read less than HEADS_TTL_MS ago. */
  peekHeads() {
    const h = this.heads_;
    return h && this.listener && Date.now() - h.at < HEADS_TTL_MS ? h : undefined;
  }

  private headState(): Promise<{ heads: Record<string, number>; global: number }> | { heads: Record<string, number>; global: number } {
    const fresh = this.peekHeads();
    if (fresh) return fresh;
    // One read at a time: concurrent checks on a cold cache share it instead of each querying.
    if (this.headsReading) return this.headsReading;
    const gen = this.headsGen;
    const at = Date.now();
    const reading = this.pool.query<{ name: string; head: number }>('SELECT name, head FROM channels').then((r) => {
      const heads: Record<string, number> = {};
      let global = 0;
      for (const row of r.rows) {
        heads[row.name] = row.head;
        if (row.head > global) global = row.head;
      }
      const state = { at, heads, global };
      // A publish notified while we read may be missing from this snapshot: use it once, do not keep it.
      if (gen === this.headsGen) this.heads_ = state;
      return state;
    }).finally(() => {
      if (this.headsReading === reading) this.headsReading = null;
    });
    this.headsReading = reading;
    return reading;
  }

  async globalHead() { return (await this.headState()).global; }
  async heads() { return (await this.headState()).heads; }
  async channels() { return (await this.pool.query<ChannelInfo>('SELECT name, kind, title, head FROM channels ORDER BY name COLLATE "C"')).rows; }
  // From the same notified cache as the heads (a page's unchanged check never queries).
  async channelHead(channel: string) { return (await this.headState()).heads[channel]; }

  async page(channel: string, after: number, limit: number, maxBytes: number): Promise<PageResult> {
    // One statement, one snapshot: the head and the rows agree, so a short page may safely jump to head.
    const rows = (await this.pool.query<Row & { head: number }>(
      `WITH h AS (SELECT head FROM channels WHERE name = $1)
       SELECT h.head, m.seq, m.created, m.record FROM h LEFT JOIN LATERAL (
         SELECT seq, created, record FROM messages WHERE channel = $1 AND seq > $2 AND retracted_by IS NULL ORDER BY seq LIMIT $3
       ) m ON true ORDER BY m.seq`, [channel, after, limit])).rows;
    return assemblePage(channel, rows.filter((r) => r.seq !== null), after, limit, rows[0]?.head ?? 0, maxBytes);
  }

  async byId(id: string) {
    const r = (await this.pool.query<Row>('SELECT * FROM messages WHERE id = $1', [id])).rows[0];
    return r ? toStored(r) : undefined;
  }

  async bySeq(seq: number) {
    const r = (await this.pool.query<Row>('SELECT * FROM messages WHERE seq = $1', [seq])).rows[0];
    return r ? toStored(r) : undefined;
  }

  async insert(req: InsertRequest): Promise<InsertResult> {
    const { record } = req;
    const client = await this.pool.connect();
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
      this.forwardUpTo(seq);
      return { status: 'created', message: toStored(stored) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async cryptolensMessages(channel: string | null, time: number, limit: number): Promise<CryptolensMessage[]> {
    const where = `created > $1 AND retracted_by IS NULL AND kind <> 'retraction'${channel === null ? '' : ' AND channel = $3'}`;
    const args: unknown[] = channel === null ? [time, limit] : [time, limit, channel];
    const rows = (await this.pool.query<Row>(`SELECT seq, content, created, channel FROM messages WHERE ${where} ORDER BY created DESC, seq DESC LIMIT $2`, args)).rows;
    return rows.map((r) => ({ id: r.seq, content: r.content, created: r.created, channel: r.channel }));
  }

  async newestCreated(channel: string | null) {
    if (channel === null) return (await this.pool.query<{ n: number }>('SELECT newest_created AS n FROM feed_state')).rows[0]?.n ?? 0;
    return (await this.pool.query<{ n: number }>('SELECT newest_created AS n FROM channels WHERE name = $1', [channel])).rows[0]?.n ?? 0;
  }

  async createToken(t: { id: string; name: string; hash: Buffer; scopes: Scope[]; channels: string[] | null; created: number }) {
    await this.pool.query('INSERT INTO tokens (id, name, hash, scopes, channels, created) VALUES ($1, $2, $3, $4, $5, $6)', [t.id, t.name, t.hash, t.scopes.join(','), t.channels ? JSON.stringify(t.channels) : null, t.created]);
  }

  private tokenRow(r: { id: string; name: string; hash: Buffer; scopes: string; channels: string | null; created: number; revoked: number | null }) {
    return { id: r.id, name: r.name, hash: r.hash, scopes: r.scopes.split(',') as Scope[], channels: r.channels ? (JSON.parse(r.channels) as string[]) : null, created: r.created, revoked: r.revoked };
  }

  async tokenById(id: string) {
    const r = (await this.pool.query('SELECT * FROM tokens WHERE id = $1', [id])).rows[0];
    return r ? this.tokenRow(r) : undefined;
  }

  async listTokens(): Promise<TokenRow[]> {
    return (await this.pool.query('SELECT * FROM tokens ORDER BY created, id')).rows.map((r) => {
      const { hash: _h, ...rest } = this.tokenRow(r);
      return rest;
    });
  }

  async revokeToken(id: string, at: number) { return ((await this.pool.query('UPDATE tokens SET revoked = $1 WHERE id = $2 AND revoked IS NULL', [at, id])).rowCount ?? 0) > 0; }
  async tokenCount() { return (await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tokens WHERE revoked IS NULL')).rows[0]?.n ?? 0; }
  async addPublisherKey(publicKey: string, keyId: string, name: string, at: number) {
    await this.pool.query('INSERT INTO publisher_keys (key_id, public_key, name, added) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [keyId, publicKey, name, at]);
  }
  async publisherKeys() { return (await this.pool.query<{ keyId: string; publicKey: string; name: string }>('SELECT key_id AS "keyId", public_key AS "publicKey", name FROM publisher_keys ORDER BY added, key_id')).rows; }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await this.forwarding;
    await this.listener?.end().catch(() => {});
    await this.pool.end();
  }
}
