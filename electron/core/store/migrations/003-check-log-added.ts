// Schema version 3: the check log says how many new items each check stored, so Status can tell
// "2 new posts" from "No change" (issue 12: it said "Checked." for every check).
export const version = 3;

export const statements: readonly string[] = [
  `ALTER TABLE check_log ADD COLUMN added INTEGER NOT NULL DEFAULT 0`,
];
