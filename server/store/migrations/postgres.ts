// PostgreSQL schema migrations, the same model as SQLite's (docs/operations.md): one entry per version,
// each applied in one transaction together with the recorded version, under an advisory lock so several
// nodes starting at once migrate exactly once.
import type { Migration } from './sqlite.ts';

export const postgresMigrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
      -- One row: the feed's head. Publishers take its row lock first, so seqs are assigned and committed
      -- strictly in order across every node (a reader can never see seq N+1 before seq N).
      CREATE TABLE feed_state (id int PRIMARY KEY CHECK (id = 1), head bigint NOT NULL, newest_created bigint NOT NULL);
      INSERT INTO feed_state VALUES (1, 0, 0);
      CREATE TABLE channels (
        name text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('update', 'news')),
        title text NOT NULL,
        head bigint NOT NULL,
        newest_created bigint NOT NULL,
        created bigint NOT NULL
      );
      CREATE TABLE messages (
        seq bigint PRIMARY KEY,
        id text NOT NULL UNIQUE,
        channel text NOT NULL REFERENCES channels(name),
        kind text NOT NULL CHECK (kind IN ('release', 'news', 'retraction')),
        created bigint NOT NULL,
        version text,
        payload text NOT NULL,
        record text NOT NULL,
        content text NOT NULL,
        retracted_by bigint
      );
      CREATE INDEX messages_channel_seq ON messages(channel, seq) WHERE retracted_by IS NULL;
      CREATE INDEX messages_created ON messages(created, seq);
      CREATE INDEX messages_channel_created ON messages(channel, created, seq);
      CREATE INDEX messages_release ON messages(channel, version) WHERE version IS NOT NULL;
      CREATE TABLE tokens (
        id text PRIMARY KEY,
        name text NOT NULL,
        hash bytea NOT NULL,
        scopes text NOT NULL,
        channels text,
        created bigint NOT NULL,
        revoked bigint
      );
      CREATE TABLE publisher_keys (key_id text PRIMARY KEY, public_key text NOT NULL, name text NOT NULL, added bigint NOT NULL);
      -- Live-only messages in transit between nodes (deleted after a minute; never served to readers).
      CREATE TABLE live_messages (id bigserial PRIMARY KEY, channel text NOT NULL, json text NOT NULL, at timestamptz NOT NULL DEFAULT now());
    `,
  },
  {
    version: 2,
    name: 'live-only messages travel in the notification, never in a table',
    sql: `DROP TABLE IF EXISTS live_messages;`,
  },
  {
    version: 3,
    name: 'failed-start reports, aggregated (no install, address or time finer than a day)',
    sql: `
      CREATE TABLE failed_starts (
        channel text NOT NULL,
        version text NOT NULL,
        platform text NOT NULL,
        reason text NOT NULL CHECK (reason IN ('exited', 'crashed', 'timeout')),
        day int NOT NULL,
        count bigint NOT NULL,
        max_bucket int NOT NULL,
        PRIMARY KEY (channel, version, platform, reason, day)
      );
    `,
  },
  {
    version: 4,
    name: 'key rotation statements (docs/key-rotation.md), one linear chain',
    sql: `CREATE TABLE key_statements (seq int PRIMARY KEY, json text NOT NULL, added bigint NOT NULL);`,
  },
  {
    version: 5,
    name: 'publisher console: sessions (id hashed), audit log, halted rollouts (docs/console.md)',
    sql: `
      CREATE TABLE console_sessions (hash bytea PRIMARY KEY, token_id text NOT NULL, created bigint NOT NULL, expires bigint NOT NULL);
      CREATE TABLE console_audit (id bigserial PRIMARY KEY, at bigint NOT NULL, who text NOT NULL, action text NOT NULL, channel text, detail text NOT NULL);
      CREATE TABLE console_rollouts (channel text NOT NULL, version text NOT NULL, halted boolean NOT NULL, reason text NOT NULL, at bigint NOT NULL, by_name text NOT NULL, PRIMARY KEY (channel, version));
    `,
  },
  {
    version: 6,
    name: 'adoption reports, aggregated like failed starts (docs/protocol.md "Adoption reports")',
    sql: `
      CREATE TABLE adoption (
        channel text NOT NULL,
        version text NOT NULL,
        platform text NOT NULL,
        day int NOT NULL,
        count bigint NOT NULL,
        updated bigint NOT NULL,
        max_bucket int NOT NULL,
        PRIMARY KEY (channel, version, platform, day)
      );
    `,
  },
  {
    version: 7,
    name: 'self-halting rollouts: halt policies, automatic halts with the resume baseline, the hold generation',
    sql: `
      ALTER TABLE console_rollouts ADD COLUMN automatic boolean NOT NULL DEFAULT false,
        ADD COLUMN base_failed bigint NOT NULL DEFAULT 0, ADD COLUMN base_tried bigint NOT NULL DEFAULT 0;
      CREATE TABLE console_halt_policies (channel text PRIMARY KEY, fail_percent double precision NOT NULL, min_reports int NOT NULL, at bigint NOT NULL, by_name text NOT NULL);
      INSERT INTO meta (key, value) SELECT 'hold_generation', count(*)::text FROM console_rollouts;
    `,
  },
  {
    version: 8,
    name: 'console drafts, kept per channel',
    sql: `
      CREATE TABLE console_drafts (id text PRIMARY KEY, channel text NOT NULL, kind text NOT NULL CHECK (kind IN ('news', 'release')),
        title text NOT NULL, body text NOT NULL, version text, rollout int, critical boolean NOT NULL,
        created bigint NOT NULL, updated bigint NOT NULL, by_name text NOT NULL);
      CREATE INDEX console_drafts_channel ON console_drafts(channel, updated);
    `,
  },
];
