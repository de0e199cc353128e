// SQLite schema migrations: one entry per version, applied in order, each in one transaction together with
// its PRAGMA user_version bump, so a crash mid-migration leaves the previous version intact.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE channels (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('update', 'news')),
        title TEXT NOT NULL,
        head INTEGER NOT NULL,
        newest_created INTEGER NOT NULL,
        created INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL REFERENCES channels(name),
        kind TEXT NOT NULL CHECK (kind IN ('release', 'news', 'retraction')),
        created INTEGER NOT NULL,
        version TEXT,
        payload TEXT NOT NULL,       -- RFC 8785 canonical signed payload: idempotency and conflict checks
        record TEXT NOT NULL,        -- JSON of the record with sig, as published (served after seq/created)
        content TEXT NOT NULL,       -- Cryptolens dialect content
        retracted_by INTEGER
      ) STRICT;
      CREATE INDEX messages_channel_seq ON messages(channel, seq) WHERE retracted_by IS NULL;
      CREATE INDEX messages_created ON messages(created, seq);
      CREATE INDEX messages_channel_created ON messages(channel, created, seq);
      CREATE INDEX messages_release ON messages(channel, version) WHERE version IS NOT NULL;
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash BLOB NOT NULL,
        scopes TEXT NOT NULL,
        channels TEXT,
        created INTEGER NOT NULL,
        revoked INTEGER
      ) STRICT;
      CREATE TABLE publisher_keys (
        key_id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        name TEXT NOT NULL,
        added INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'failed-start reports, aggregated (no install, address or time finer than a day)',
    sql: `
      CREATE TABLE failed_starts (
        channel TEXT NOT NULL,
        version TEXT NOT NULL,
        platform TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('exited', 'crashed', 'timeout')),
        day INTEGER NOT NULL,        -- days since 1970-01-01 UTC
        count INTEGER NOT NULL,
        max_bucket INTEGER NOT NULL,
        PRIMARY KEY (channel, version, platform, reason, day)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'key rotation statements (docs/key-rotation.md), one linear chain',
    sql: `
      CREATE TABLE key_statements (
        seq INTEGER PRIMARY KEY,
        json TEXT NOT NULL,
        added INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'publisher console: sessions (id hashed), audit log, halted rollouts (docs/console.md)',
    sql: `
      CREATE TABLE console_sessions (
        hash BLOB PRIMARY KEY,         -- SHA-256 of the session id in the cookie; neither the id nor the token is stored
        token_id TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE console_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        who TEXT NOT NULL,             -- the token's name
        action TEXT NOT NULL,
        channel TEXT,
        detail TEXT NOT NULL
      ) STRICT;
      CREATE TABLE console_rollouts (
        channel TEXT NOT NULL,
        version TEXT NOT NULL,
        halted INTEGER NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL,
        by_name TEXT NOT NULL,
        PRIMARY KEY (channel, version)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'adoption reports, aggregated like failed starts (docs/protocol.md "Adoption reports")',
    sql: `
      CREATE TABLE adoption (
        channel TEXT NOT NULL,
        version TEXT NOT NULL,
        platform TEXT NOT NULL,
        day INTEGER NOT NULL,        -- days since 1970-01-01 UTC
        count INTEGER NOT NULL,      -- every report
        updated INTEGER NOT NULL,    -- reports with updated: true (installs that tried the update and it started)
        max_bucket INTEGER NOT NULL,
        PRIMARY KEY (channel, version, platform, day)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'self-halting rollouts: halt policies, automatic halts with the resume baseline, the hold generation',
    sql: `
      ALTER TABLE console_rollouts ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE console_rollouts ADD COLUMN base_failed INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE console_rollouts ADD COLUMN base_tried INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE console_halt_policies (
        channel TEXT PRIMARY KEY,
        fail_percent REAL NOT NULL,
        min_reports INTEGER NOT NULL,
        at INTEGER NOT NULL,
        by_name TEXT NOT NULL
      ) STRICT;
      -- Moves with every halt or resume; part of the heads ETag once it is above 0. Halts from before start it above 0.
      INSERT INTO meta (key, value) SELECT 'hold_generation', CAST(count(*) AS TEXT) FROM console_rollouts;
    `,
  },
  {
    version: 7,
    name: 'console drafts, kept per channel',
    sql: `
      CREATE TABLE console_drafts (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('news', 'release')),
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        version TEXT,
        rollout INTEGER,
        critical INTEGER NOT NULL,
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        by_name TEXT NOT NULL
      ) STRICT;
      CREATE INDEX console_drafts_channel ON console_drafts(channel, updated);
    `,
  },
];
