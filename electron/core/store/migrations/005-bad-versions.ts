// Schema version 5: versions that failed to start on this install (issue 13, docs/rollback.md). The watchdog
// restored the previous version; the failed one is never offered again, unless the publisher republishes it
// (a record of that version issued after the one that failed).
export const version = 5;

export const statements: readonly string[] = [
  `CREATE TABLE bad_versions (
     version TEXT PRIMARY KEY,
     issued INTEGER NOT NULL,
     reason TEXT NOT NULL,
     at INTEGER NOT NULL
   )`,
];
