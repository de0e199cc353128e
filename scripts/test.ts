// `npm test`: typecheck, lint, then every node:test suite. node's test runner prints its summary last,
// which is what CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startCluster, type Cluster } from './pg-cluster.ts';

function run(label: string, cmd: string, args: string[], quietOnSuccess = false): void {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`✖ ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  // The test runner's own summary must stay the last thing printed (CI reads it).
  if (!quietOnSuccess) console.log(`✔ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
run('typecheck', npx, ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
run('typecheck (web)', npx, ['tsc', '-p', 'tsconfig.web.json', '--noEmit']);
run('typecheck (examples/embed)', npx, ['tsc', '-p', 'examples/embed/tsconfig.json', '--noEmit']);
run('lint', npx, ['eslint', '--max-warnings=0', '.']);
// The publisher console's bundle (out/console), which the feed service serves and the console tests load.
run('console bundle', process.execPath, ['scripts/build-console.ts']);
const only = process.argv.slice(2);
const globs = only.length > 0 ? only : ['test/**/*.test.ts'];
// Browser tests (Playwright on Debian's Chromium). Without Chromium they are skipped with a reason, except
// under REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (only.length === 0) {
  if (existsSync(chromium)) run('browser tests', npx, ['playwright', 'test']);
  else if (process.env.REQUIRE_BROWSER === '1') {
    console.error(`✖ browser tests: no Chromium at ${chromium}, and REQUIRE_BROWSER=1`);
    process.exit(1);
  } else console.log(`↷ browser tests skipped: no Chromium at ${chromium} (apt-get install -y chromium fonts-liberation)`);
}
// The feed-service suite runs a second time on PostgreSQL (test/server-pg). Start a throw-away cluster
// unless one is given; without PostgreSQL that suite reports itself skipped with the reason, except under
// REQUIRE_POSTGRES=1 (CI), where it fails.
let cluster: Cluster | null = null;
if (!process.env.TIDINGS_TEST_PG) {
  const started = await startCluster();
  if ('url' in started) {
    cluster = started;
    process.env.TIDINGS_TEST_PG = started.url;
    console.log(`\n▶ PostgreSQL test cluster at ${started.url}`);
  } else {
    process.env.TIDINGS_TEST_PG_ERROR = started.error;
    console.log(`\n↷ PostgreSQL unavailable: ${started.error}`);
  }
}
console.log('\n▶ tests');
// A file gets 10 minutes: the benchmark smoke runs every row (about 2 min alone, more beside other suites).
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...globs], { stdio: 'inherit', env: process.env });
cluster?.stop();
process.exit(result.status ?? 1);
