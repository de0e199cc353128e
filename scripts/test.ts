// `npm test`: typecheck, lint, then every node:test suite. node's test runner prints its summary last,
// which is what CI reads.
import { spawnSync } from 'node:child_process';

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
run('lint', npx, ['eslint', '--max-warnings=0', '.']);
const only = process.argv.slice(2);
const globs = only.length > 0 ? only : ['test/**/*.test.ts'];
run('tests', process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', ...globs], true);
