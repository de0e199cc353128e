// The whole feed-service suite again, on PostgreSQL. `npm test` starts a throw-away cluster
// (scripts/pg-cluster.ts) and passes its URL in TIDINGS_TEST_PG; CI sets REQUIRE_POSTGRES=1 so these can
// never be skipped there.
import { test } from 'node:test';

const url = process.env.TIDINGS_TEST_PG;
if (!url) {
  const why = process.env.TIDINGS_TEST_PG_ERROR ?? 'TIDINGS_TEST_PG is not set';
  if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here but unavailable: ${why}`);
  test('feed-service suite on PostgreSQL', { skip: `PostgreSQL unavailable: ${why}` }, () => {});
} else {
  process.env.TIDINGS_TEST_BACKEND = 'postgres';
  await import('../server/v1-read.test.ts');
  await import('../server/v1-publish.test.ts');
  await import('../server/auth.test.ts');
  await import('../server/token-cache.test.ts');
  await import('../server/bad-input.test.ts');
  await import('../server/events.test.ts');
  await import('../server/cryptolens.test.ts');
  await import('../server/fuzz.test.ts');
  await import('../server/export.test.ts');
  await import('../server/legacy-feeds.test.ts');
  await import('../server/shutdown.test.ts');
  await import('../server/failed-start.test.ts');
  await import('../server/console.test.ts');
  await import('../server/key-rotation.test.ts');
  await import('../server/self-halt.test.ts');
  await import('../server/adoption.test.ts');
  await import('../server/console-admin.test.ts');
  await import('../server/routine-lane.test.ts');
}
