// The app's side of the hand-off (electron/core/apply/health.ts) and the watchdog's edges that need no app:
// the health report, the outcome told once (and never a crash at start over a broken file), the window state
// carried across the restart, a plan the watchdog can't read, a pid that was reused.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handoffPaths, makePlan, procStat, readPlan } from '../../electron/core/apply/handoff.ts';
import { reportHealthy, takeOutcome, takeResumeState, updatedFrom } from '../../electron/core/apply/health.ts';
import { runWatchdog, stillRunning } from '../../electron/core/apply/watchdog.ts';

function tmp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-health-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('reportHealthy: nothing without a watchdog; with one, writes the version once and drops the variable', (t) => {
  const dir = tmp(t);
  assert.equal(reportHealthy('1.2.0', {}), false);
  const file = join(dir, 'health');
  const env: NodeJS.ProcessEnv = { TIDINGS_HEALTH_FILE: file };
  assert.equal(reportHealthy('1.2.0', env), true);
  assert.equal(readFileSync(file, 'utf8'), '1.2.0\n');
  assert.equal(env.TIDINGS_HEALTH_FILE, undefined, 'processes the app starts later do not inherit it');
  assert.equal(reportHealthy('1.2.0', env), false);
});

test('reportHealthy never throws when the report cannot be written (the watchdog then rolls back)', (t) => {
  const dir = tmp(t);
  assert.equal(reportHealthy('1.2.0', { TIDINGS_HEALTH_FILE: join(dir, 'missing-folder', 'health') }), false);
});

test('takeOutcome: told once; none, garbage or an unknown shape is null and never throws', (t) => {
  const dir = tmp(t);
  const path = handoffPaths(dir).outcome;
  assert.equal(takeOutcome(dir), null);
  const o = { rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'exited', detail: 'exited with code 1', relaunched: true, at: 1 } };
  writeFileSync(path, JSON.stringify(o));
  assert.deepEqual(takeOutcome(dir), o);
  assert.equal(takeOutcome(dir), null);
  for (const bad of ['{"rolledBack":', '{"rolledBack":{"bad":"1.2.0"}}', '{"updated":{"from":1,"to":"2","at":1}}', '[]', 'null']) {
    writeFileSync(path, bad);
    assert.equal(takeOutcome(dir), null, bad);
    assert.equal(existsSync(path), false, `a broken outcome is removed, not misread at every start: ${bad}`);
  }
});

test('takeResumeState: the window state the user had, read once; updatedFrom names the old version', () => {
  const env: NodeJS.ProcessEnv = { TIDINGS_RESUME: '{"windowVisible":true}', TIDINGS_UPDATED_FROM: '1.1.0' };
  assert.deepEqual(takeResumeState(env), { windowVisible: true });
  assert.equal(takeResumeState(env), null);
  assert.equal(takeResumeState({ TIDINGS_RESUME: '{oops' }), null);
  assert.equal(updatedFrom(env), '1.1.0');
  assert.equal(updatedFrom({}), null);
});

test('the plan round-trips with its defaults (30 s health deadline) and the old process start time', (t) => {
  const dir = tmp(t);
  const plan = makePlan({
    stateDir: dir, waitPid: process.pid, version: '1.2.0', previousVersion: '1.1.0',
    launch: { cmd: '/x/Tidings.AppImage', args: ['--hidden'], cwd: '/', env: {} },
    restore: { kind: 'appimage', target: '/x/Tidings.AppImage' },
  });
  assert.equal(plan.healthDeadlineMs, 30_000);
  assert.equal(plan.resume, null);
  if (process.platform === 'linux') assert.equal(plan.waitPidStart, procStat(process.pid)?.start);
  const path = join(dir, 'plan.json');
  writeFileSync(path, JSON.stringify(plan));
  assert.deepEqual(readPlan(path), plan);
  writeFileSync(path, JSON.stringify({ ...plan, launch: { ...plan.launch, args: [1] } }));
  assert.throws(() => readPlan(path));
});

test('an unreadable plan: the watchdog starts nothing and says so', async (t) => {
  const dir = tmp(t);
  const path = join(dir, 'update-handoff.json');
  writeFileSync(path, '{"v":1,');
  const lines: string[] = [];
  const out = await runWatchdog(path, { log: (l) => lines.push(l) });
  assert.deepEqual(out && 'gaveUp' in out && out.gaveUp.reason, 'bad-plan');
  assert.deepEqual(takeOutcome(dir) !== null, true);
  assert.match(lines.join('\n'), /unreadable plan/);
});

test('a pid that now belongs to another process (reused) counts as exited', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  assert.equal(stillRunning(process.pid, procStat(process.pid)?.start ?? null), true);
  assert.equal(stillRunning(process.pid, 'not-its-start-time'), false);
  assert.equal(stillRunning(2 ** 22 + 12345, null), false);
});
