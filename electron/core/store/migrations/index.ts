// The ordered list of schema migrations. Version N is at index N-1; user_version records the last applied.
import * as m001 from './001-initial.ts';
import * as m002 from './002-derived-rollback-floor.ts';
import * as m003 from './003-check-log-added.ts';
import * as m004 from './004-user-state.ts';
import * as m005 from './005-bad-versions.ts';
import * as m006 from './006-key-statements.ts';
import * as m007 from './007-folded-records.ts';

export interface Migration {
  version: number;
  statements: readonly string[];
}

export const migrations: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007];
export const latestVersion = migrations.length;
