// Schema version 7: a stored record may be "folded" (issue 17, performance.md rows 4 and 11). A v1 record's
// JSON starts with the fields the row already keeps in columns — {"seq":…,"created":…,"id":…,"channel":…,"kind":…,
// as the feed serves it — so that prefix is not stored twice: folded = 1 means the record column holds what follows
// the prefix, and the reader puts the prefix back from the columns, byte for byte (rows.ts). Existing rows keep
// folded = 0 and are read as before. One statement, so a crash leaves version 6 and the restart runs it again.
export const version = 7;

export const statements: readonly string[] = [
  `ALTER TABLE messages ADD COLUMN folded INTEGER NOT NULL DEFAULT 0`,
];
