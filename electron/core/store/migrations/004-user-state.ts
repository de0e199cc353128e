// Schema version 4: what the user chose is stored, never held in a shell's memory (issue 12). Dismissals
// keep their time so Settings can list them and undo them; the sources the user follows (added, edited or
// removed in Settings → Sources) live here, so the preview and the desktop app restart with the same ones.
export const version = 4;

export const statements: readonly string[] = [
  `ALTER TABLE messages ADD COLUMN dismissed_at INTEGER`,
  // One row per followed source. token is sealed by the shell where it can (the OS keychain); 'plain:' prefix
  // otherwise. channels: JSON array of news channels (feed v1). edited: the user changed it, so a built-in
  // default with the same id no longer overrides it at start.
  `CREATE TABLE source_config (
     id TEXT PRIMARY KEY,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     url TEXT NOT NULL,
     token TEXT,
     channels TEXT NOT NULL DEFAULT '[]',
     update_channel TEXT,
     news_channel TEXT,
     publisher INTEGER NOT NULL DEFAULT 0,
     edited INTEGER NOT NULL DEFAULT 0
   ) STRICT`,
  // Built-in sources the user removed: not brought back at the next start.
  `CREATE TABLE source_removed (id TEXT PRIMARY KEY) STRICT`,
];
