// Schema version 1: everything the companion keeps on disk. Never edit a shipped migration; add 002-….ts.
export const version = 1;

export const statements: readonly string[] = [
  // Small key/value facts: the per-install random id, notices for the UI.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`,
  // One row per configured feed. needs_attention is set by 401/403 (token revoked) until a check succeeds.
  `CREATE TABLE sources (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     url TEXT NOT NULL,
     heads_etag TEXT,
     needs_attention INTEGER NOT NULL DEFAULT 0,
     last_check INTEGER,
     last_success INTEGER,
     failing_since INTEGER,
     last_error TEXT
   ) STRICT`,
  `CREATE TABLE channels (
     source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     PRIMARY KEY (source_id, name)
   ) STRICT`,
  // cursor: highest seq applied (feed v1) or newest server 'created' seen (Cryptolens).
  // floor: Cryptolens only; messages created at or below it are ignored (first-run "from now", installed release time).
  `CREATE TABLE cursors (
     source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
     channel TEXT NOT NULL,
     cursor INTEGER NOT NULL DEFAULT 0,
     floor INTEGER,
     etag TEXT,
     last_check INTEGER,
     last_error TEXT,
     PRIMARY KEY (source_id, channel)
   ) STRICT`,
  // kind: release | news | retraction | note (an untyped "new version" text from an unsigned source).
  // trusted: 1 when the Ed25519 signature verified against a built-in key.
  `CREATE TABLE messages (
     rowid INTEGER PRIMARY KEY,
     source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     seq INTEGER,
     channel TEXT NOT NULL,
     kind TEXT NOT NULL,
     trusted INTEGER NOT NULL,
     version TEXT,
     critical INTEGER NOT NULL DEFAULT 0,
     retracts TEXT,
     title TEXT NOT NULL,
     link TEXT,
     expires INTEGER,
     record TEXT NOT NULL,
     created INTEGER NOT NULL,
     received INTEGER NOT NULL,
     read INTEGER NOT NULL DEFAULT 0,
     dismissed INTEGER NOT NULL DEFAULT 0,
     notified INTEGER NOT NULL DEFAULT 0,
     retracted INTEGER NOT NULL DEFAULT 0,
     UNIQUE (source_id, id)
   ) STRICT`,
  // Partial indexes over what the inbox shows; the queries repeat the same WHERE terms so SQLite uses them.
  `CREATE INDEX messages_inbox ON messages (created DESC, rowid DESC)
     WHERE retracted = 0 AND dismissed = 0 AND kind <> 'retraction'`,
  `CREATE INDEX messages_inbox_channel ON messages (channel, created DESC, rowid DESC)
     WHERE retracted = 0 AND dismissed = 0 AND kind <> 'retraction'`,
  // Unread counts per channel, kept by triggers in the same transaction as every change to a message, so they
  // cannot drift from the rows (a cache outside SQL could). Reading them is O(channels), not O(unread).
  `CREATE TABLE unread_counts (channel TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT`,
  `CREATE TRIGGER messages_unread_insert AFTER INSERT ON messages
     WHEN NEW.read = 0 AND NEW.retracted = 0 AND NEW.dismissed = 0 AND NEW.kind <> 'retraction'
   BEGIN
     INSERT INTO unread_counts (channel, n) VALUES (NEW.channel, 1) ON CONFLICT (channel) DO UPDATE SET n = n + 1;
   END`,
  `CREATE TRIGGER messages_unread_delete AFTER DELETE ON messages
     WHEN OLD.read = 0 AND OLD.retracted = 0 AND OLD.dismissed = 0 AND OLD.kind <> 'retraction'
   BEGIN
     UPDATE unread_counts SET n = n - 1 WHERE channel = OLD.channel;
   END`,
  `CREATE TRIGGER messages_unread_update AFTER UPDATE OF read, retracted, dismissed ON messages
     WHEN (OLD.read = 0 AND OLD.retracted = 0 AND OLD.dismissed = 0 AND OLD.kind <> 'retraction')
       <> (NEW.read = 0 AND NEW.retracted = 0 AND NEW.dismissed = 0 AND NEW.kind <> 'retraction')
   BEGIN
     INSERT INTO unread_counts (channel, n)
       VALUES (NEW.channel, CASE WHEN NEW.read = 0 AND NEW.retracted = 0 AND NEW.dismissed = 0 THEN 1 ELSE -1 END)
       ON CONFLICT (channel) DO UPDATE SET n = n + excluded.n;
   END`,
  // Unread messages that carry an expiry: subtracted from the counts once expired (usually very few rows).
  `CREATE INDEX messages_expiring ON messages (expires, channel)
     WHERE expires IS NOT NULL AND read = 0 AND retracted = 0 AND dismissed = 0 AND kind <> 'retraction'`,
  `CREATE INDEX messages_retracts ON messages (source_id, retracts) WHERE retracts IS NOT NULL`,
  `CREATE INDEX messages_release ON messages (channel, version) WHERE version IS NOT NULL`,
  // Update state per update channel: highest verified version ever seen (rollback protection).
  `CREATE TABLE update_state (channel TEXT PRIMARY KEY, highest_version TEXT NOT NULL) STRICT`,
  `CREATE TABLE skipped_versions (version TEXT PRIMARY KEY, at INTEGER NOT NULL) STRICT`,
  // A short log of recent checks and dropped records for the diagnostics view (trimmed on insert).
  `CREATE TABLE check_log (
     n INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     source_id TEXT NOT NULL,
     ok INTEGER NOT NULL,
     detail TEXT NOT NULL
   ) STRICT`,
];
