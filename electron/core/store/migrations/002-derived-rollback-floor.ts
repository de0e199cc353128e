// Schema version 2: the rollback floor is no longer stored. Version 1 kept update_state.highest_version, the
// highest trusted version per channel over every record, including releases this install can never take (outside
// its rollout bucket, or targeted at other installed versions or platforms): a 2.2.0 rolled out to 10 % then hid
// 2.1.0 from the other 90 %. The floor now follows the policy's rule (policy/update.ts rollbackFloors) and is
// derived from the stored release records, which are never pruned and keep their retracted/expired copies. It
// depends on the installed version, which changes with every update, so a stored value would go stale; a cache
// of it could also drift from the rows. Nothing else read the table, so dropping it loses nothing: an existing
// database keeps every record and gets the same protection from them.
export const version = 2;

export const statements: readonly string[] = [
  `DROP TABLE update_state`,
];
