// Picks the store from the --db value: a postgres:// URL means PostgreSQL, anything else a SQLite file.
import type { FeedStore } from './types.ts';
import { SqliteFeedStore } from './sqlite.ts';

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export async function openStore(db: string): Promise<FeedStore> {
  if (isPostgresUrl(db)) {
    const { PostgresFeedStore } = await import('./postgres.ts');
    return PostgresFeedStore.open(db);
  }
  return new SqliteFeedStore(db);
}
