// Opening the feed service's database for key and token commands, with plain-words failures.
import { existsSync } from 'node:fs';
import { openStore, isPostgresUrl } from '../store/index.ts';
import type { FeedStore } from '../store/types.ts';
import { CliError, UsageError } from './errors.ts';

/**
 * Opens --db. Commands that only read or change existing rows pass `mustExist`, so a mistyped path is an
 * error instead of a new, empty database.
 */
export async function openDb(db: string | undefined, what: string, mustExist: boolean): Promise<FeedStore> {
  if (!db) throw new UsageError(`${what} needs --db <feed database file or postgres:// URL> (or TIDINGS_DB)`);
  if (mustExist && !isPostgresUrl(db) && !existsSync(db)) throw new CliError(`no feed database at ${db}`, 'db');
  try {
    return await openStore(db);
  } catch (err) {
    throw new CliError(`cannot open the feed database ${isPostgresUrl(db) ? 'at the postgres:// URL' : db}: ${(err as Error).message}`, 'db');
  }
}
