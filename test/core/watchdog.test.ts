// The update hand-off for real (docs/rollback.md): real `#!/bin/sh` test executables in an AppImage-like
// layout, the real watchdog process started by startHandoff, real renames for the restore (apply/appimage.ts).
// Each test app appends "<version> start ..." to a log when it starts, so the log is what the user would have
// seen: which version ran, how often, with which arguments.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handoffPaths, startHandoff, type HandoffInput } from '../../electron/core/apply/handoff.ts';
import { takeOutcome } from '../../electron/core/apply/health.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// What each kind of test version does when started. $WD_LOG comes from the plan's launch env.
const LOGLINE = 'echo "$V start args=[$*] cwd=$(pwd) from=${TIDINGS_UPDATED_FROM:-} resume=${TIDINGS_RESUME:-} health=${TIDINGS_HEALTH_FILE:+set} asnode=${ELECTRON_RUN_AS_NODE:-}" >> "$WD_LOG"';
const BEHAVIOUR = {
  // Reports healthy (as the real app does once the first window shows), then keeps running.
  healthy: `if [ -n "$TIDINGS_HEALTH_FILE" ]; then printf '%s\\n' "$V" > "$TIDINGS_HEALTH_FILE"; fi\necho $$ >> "$WD_LOG.pids"\nexec sleep 20`,
  exits: 'exit 1',
  // Shows its window, and the user closes it at once: it did start.
  reportsThenQuits: `printf '%s\\n' "$V" > "$TIDINGS_HEALTH_FILE"\nexit 0`,
  hangs: 'echo $$ >> "$WD_LOG.pids"\nexec sleep 20',
  crashes: 'ulimit -c 0\nkill -SEGV $$\nsleep 5',
} as const;

function app(file: string, version: string, behaviour: keyof typeof BEHAVIOUR): void {
  writeFileSync(file, `#!/bin/sh\nV=${version}\n${LOGLINE}\n${BEHAVIOUR[behaviour]}\n`);
  chmodSync(file, 0o755);
}

interface World {
  dir: string;
  target: string;
  previous: string;
  cwd: string;
  state: string;
  log: string;
  lines: () => string[];
  started: (version: string) => string[];
  input: (over?: Partial<HandoffInput>) => HandoffInput;
}

function world(t: TestContext, newApp: keyof typeof BEHAVIOUR, opts: { previous?: boolean } = {}): World {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-watchdog-'));
  const appDir = join(dir, 'Applications');
  const cwd = join(dir, 'home');
  mkdirSync(appDir);
  mkdirSync(cwd);
  const target = join(appDir, 'Tidings.AppImage');
  const previous = join(appDir, '.Tidings.AppImage.tidings-previous');
  // As the apply leaves it: the new version at the target, the one it replaced kept beside it.
  app(target, '1.2.0', newApp);
  if (opts.previous !== false) app(previous, '1.1.0', 'healthy');
  const log = join(dir, 'apps.log');
  writeFileSync(log, '');
  const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  t.after(() => {
    for (const pid of existsSync(`${log}.pids`) ? readFileSync(`${log}.pids`, 'utf8').split('\n').filter(Boolean) : []) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir, target, previous, cwd, state: join(dir, 'state'), log, lines,
    started: (version) => lines().filter((l) => l.startsWith(`${version} start`)),
    input: (over = {}) => ({
      stateDir: join(dir, 'state'),
      waitPid: null,
      launch: { cmd: target, args: ['--hidden', 'two words'], cwd, env: { WD_LOG: log } },
      version: '1.2.0',
      previousVersion: '1.1.0',
      restore: { kind: 'appimage', target },
      healthDeadlineMs: 5000,
      killGraceMs: 300,
      resume: { windowVisible: false },
      ...over,
    }),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the watchdog process to end (it is our child, so Node reaps it), within a bound. */
async function watchdogDone(pid: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) assert.fail(`watchdog ${pid} still running after ${ms} ms`);
    await sleep(30);
  }
}

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) return;
    await sleep(30);
  }
}

const pids = (w: World) => (existsSync(`${w.log}.pids`) ? readFileSync(`${w.log}.pids`, 'utf8').split('\n').filter(Boolean).map(Number) : []);

/** The outcome the next start reads, with its time checked and left out. */
function outcome(w: World): unknown {
  const o = takeOutcome(w.state) as Record<string, { at?: number }> | null;
  if (!o) return null;
  const body = Object.values(o)[0] as { at?: number };
  assert.ok(typeof body.at === 'number' && Math.abs(body.at - Date.now() / 1000) < 60, 'outcome carries the time (unix s)');
  delete body.at;
  return o;
}

test('healthy update: the new version runs exactly once, with the same arguments, cwd and window state, and keeps running after the watchdog is gone', async (t) => {
  const w = world(t, 'healthy');
  const { pid } = await startHandoff(w.input());
  await watchdogDone(pid);

  assert.deepEqual(outcome(w), { updated: { from: '1.1.0', to: '1.2.0' } });
  await sleep(300);
  assert.deepEqual(w.lines(), [`1.2.0 start args=[--hidden two words] cwd=${w.cwd} from=1.1.0 resume={"windowVisible":false} health=set asnode=`]);
  const [appPid] = pids(w);
  assert.ok(appPid && alive(appPid), 'the new version survives the watchdog exiting');
  assert.match(readFileSync(w.target, 'utf8'), /V=1\.2\.0/, 'the new version stays installed');
  assert.equal(takeOutcome(w.state), null, 'the outcome is told once');
  assert.deepEqual(readdirSync(w.state).filter((f) => !f.endsWith('.log')), [], 'no plan, lock or health file left behind');
});

/** After a failed start: the previous version is back at the target and was started once, as the user had it. */
async function assertRestoredOnce(w: World): Promise<void> {
  assert.match(readFileSync(w.target, 'utf8'), /V=1\.1\.0/, 'the previous version is back at the target');
  assert.equal(existsSync(w.previous), false, 'renamed back, not copied');
  await until(() => w.started('1.1.0').length > 0);
  await sleep(400); // long enough for a second start or another rollback to show up
  assert.deepEqual(w.started('1.1.0'), [`1.1.0 start args=[--hidden two words] cwd=${w.cwd} from= resume={"windowVisible":false} health= asnode=`],
    'relaunched exactly once, with the same arguments, without a health check');
  assert.equal(w.started('1.2.0').length, 1, 'the bad version was started once');
  const running = pids(w).filter(alive);
  assert.equal(running.length, 1, 'one copy of the app runs');
}

test('a new version that exits on start: the previous one is restored and relaunched once; the outcome says "exited"', async (t) => {
  const w = world(t, 'exits');
  const { pid } = await startHandoff(w.input());
  await watchdogDone(pid);
  assert.deepEqual(outcome(w), { rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'exited', detail: 'exited with code 1', relaunched: true } });
  await assertRestoredOnce(w);
});

test('a new version that never reports healthy is stopped at the deadline and rolled back ("timeout")', async (t) => {
  const w = world(t, 'hangs');
  const began = Date.now();
  const { pid } = await startHandoff(w.input({ healthDeadlineMs: 700 }));
  await watchdogDone(pid);
  assert.ok(Date.now() - began >= 700, 'not before the deadline');
  assert.deepEqual(outcome(w), { rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'timeout', detail: 'no health report within 700 ms', relaunched: true } });
  const [hung] = pids(w);
  assert.ok(hung && !alive(hung), 'the hanging version was stopped');
  await assertRestoredOnce(w);
});

test('a new version that crashes on start (SIGSEGV) is rolled back ("crashed")', async (t) => {
  const w = world(t, 'crashes');
  const { pid } = await startHandoff(w.input());
  await watchdogDone(pid);
  assert.deepEqual(outcome(w), { rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'crashed', detail: 'killed by SIGSEGV', relaunched: true } });
  await assertRestoredOnce(w);
});

test('the new version starts only after the old process has exited', async (t) => {
  const w = world(t, 'healthy');
  // The "old app": still busy quitting for a while, and says when it is gone.
  const old = spawn('sh', ['-c', 'sleep 0.8; echo "1.1.0 exits" >> "$WD_LOG"'], { env: { ...process.env, WD_LOG: w.log }, stdio: 'ignore' });
  const { pid } = await startHandoff(w.input({ waitPid: old.pid as number }));
  await sleep(400);
  assert.deepEqual(w.lines(), [], 'nothing started while the old process runs');
  await watchdogDone(pid);
  assert.deepEqual(outcome(w), { updated: { from: '1.1.0', to: '1.2.0' } });
  assert.deepEqual(w.lines().map((l) => l.split(' ').slice(0, 2).join(' ')), ['1.1.0 exits', '1.2.0 start']);
});

test('an old process that never exits: the watchdog gives up and starts nothing (never two copies)', async (t) => {
  const w = world(t, 'healthy');
  const old = spawn('sleep', ['20'], { stdio: 'ignore' });
  t.after(() => old.kill('SIGKILL'));
  const { pid } = await startHandoff(w.input({ waitPid: old.pid as number, waitExitMs: 600 }));
  await watchdogDone(pid);
  assert.deepEqual(outcome(w), { gaveUp: { version: '1.2.0', previous: '1.1.0', reason: 'old-still-running' } });
  await sleep(200);
  assert.deepEqual(w.lines(), [], 'no version was started');
  assert.ok(alive(old.pid as number));
});

test('previous version vanished: the outcome says it could not be restored, what is installed is started once more, nothing loops', async (t) => {
  const w = world(t, 'exits', { previous: false });
  const { pid } = await startHandoff(w.input());
  await watchdogDone(pid);
  const o = outcome(w) as { restoreFailed: Record<string, unknown> };
  assert.ok(o?.restoreFailed, `restoreFailed, got ${JSON.stringify(o)}`);
  assert.deepEqual({ ...o.restoreFailed, error: typeof o.restoreFailed.error },
    { bad: '1.2.0', previous: '1.1.0', reason: 'exited', detail: 'exited with code 1', relaunched: true, error: 'string' });
  assert.ok(String(o.restoreFailed.error).length > 0);
  await until(() => w.started('1.2.0').length >= 2);
  await sleep(500);
  assert.equal(w.started('1.2.0').length, 2, 'the start and one relaunch, no loop');
  assert.equal(takeOutcome(w.state), null);
});

test('an install the app cannot restore (deb/rpm, NSIS): reported as such, the installed version is started once more', async (t) => {
  const w = world(t, 'exits');
  const { pid } = await startHandoff(w.input({ restore: { kind: 'none', why: 'The package manager owns this install.' } }));
  await watchdogDone(pid);
  assert.deepEqual(outcome(w), { restoreFailed: { bad: '1.2.0', previous: '1.1.0', reason: 'exited', detail: 'exited with code 1', error: 'The package manager owns this install.', relaunched: true } });
  await until(() => w.started('1.2.0').length >= 2);
  await sleep(300);
  assert.equal(w.started('1.2.0').length, 2);
  assert.match(readFileSync(w.previous, 'utf8'), /V=1\.1\.0/, 'nothing was renamed');
});

test('a version that reports healthy and then quits at once (the user closed it) is not rolled back', async (t) => {
  const w = world(t, 'reportsThenQuits');
  const { pid } = await startHandoff(w.input());
  await watchdogDone(pid);
  assert.deepEqual(outcome(w), { updated: { from: '1.1.0', to: '1.2.0' } });
  assert.deepEqual(w.lines().length, 1);
  assert.match(readFileSync(w.target, 'utf8'), /V=1\.2\.0/);
});

test('a watchdog already handling the state folder: a second one does nothing', async (t) => {
  const w = world(t, 'healthy');
  mkdirSync(w.state, { recursive: true });
  const holder = spawn('sleep', ['20'], { stdio: 'ignore' });
  t.after(() => holder.kill('SIGKILL'));
  writeFileSync(handoffPaths(w.state).lock, String(holder.pid));
  const { pid } = await startHandoff(w.input());
  await watchdogDone(pid);
  await sleep(200);
  assert.deepEqual(w.lines(), []);
  assert.equal(takeOutcome(w.state), null);
});
