// The watchdog (docs/rollback.md): a short-lived detached process between the old version quitting and the new
// one proving it starts. It never runs two copies of the app: it starts the new version only once the old
// process is gone, and the previous version only once the failed one is gone. Every step is guarded, so an
// error of its own still ends with an outcome written and the installed app started (at most once).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { ENV, handoffPaths, procStat, readPlan, type FailReason, type HandoffPlan, type RestoreSpec, type WatchdogOutcome } from './handoff.ts';

export type Restorer = (spec: RestoreSpec) => void | Promise<void>;

export interface WatchdogDeps {
  /** How often the old pid and the health file are looked at. */
  pollMs?: number;
  log?: (line: string) => void;
  /** Per restore kind; the default puts an AppImage's kept previous file back (apply/appimage.ts). */
  restorers?: Partial<Record<RestoreSpec['kind'], Restorer>>;
}

const defaultRestorers: Record<RestoreSpec['kind'], Restorer> = {
  // Loaded only when needed, inside the guarded restore step: a problem in it must not stop the watchdog
  // from starting the app.
  appimage: async (spec) => {
    const { restoreAppImage } = await import('./appimage.ts');
    restoreAppImage((spec as { target: string }).target);
  },
  mac: async (spec) => {
    const { restoreMac } = await import('./mac.ts');
    restoreMac((spec as { appBundle: string }).appBundle);
  },
  none: (spec) => {
    throw new Error((spec as { why: string }).why);
  },
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowSec = () => Math.floor(Date.now() / 1000);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Whether pid is still the process we were told to wait for (a zombie, or a reused pid, counts as gone). */
export function stillRunning(pid: number, start: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists but isn't ours to signal; keep waiting.
  }
  const st = procStat(pid);
  if (st && (st.state === 'Z' || st.state === 'X')) return false;
  if (st && start !== null && st.start !== start) return false;
  return true;
}

/** The watchdog's own variables never reach the app, nor ELECTRON_RUN_AS_NODE (it would start as plain Node). */
function appEnv(plan: HandoffPlan, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['ELECTRON_RUN_AS_NODE', ENV.health, ENV.updatedFrom, ENV.resume]) delete env[k];
  Object.assign(env, plan.launch.env, extra);
  if (plan.resume) env[ENV.resume] = JSON.stringify(plan.resume);
  return env;
}

/** Starts the app in its own session (so it outlives the watchdog and its helpers form one group to stop). */
function launch(plan: HandoffPlan, extra: Record<string, string>): ChildProcess {
  return spawn(plan.launch.cmd, plan.launch.args, { cwd: plan.launch.cwd, env: appEnv(plan, extra), detached: true, stdio: 'ignore' });
}

/** Exit codes a shell wrapper gives for a program killed by a crash signal (128 + SEGV, ABRT, BUS, ILL, FPE). */
const CRASH_CODES = new Set([128 + 11, 128 + 6, 128 + 7, 128 + 4, 128 + 8]);

type Verdict = { healthy: true } | { healthy: false; reason: FailReason; detail: string };

function awaitHealth(child: ChildProcess, plan: HandoffPlan, healthFile: string, pollMs: number): Promise<Verdict> {
  const reported = () => {
    try {
      return readFileSync(healthFile, 'utf8').trim() === plan.version;
    } catch {
      return false;
    }
  };
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: Verdict) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(deadline);
      resolve(v);
    };
    const poll = setInterval(() => reported() && finish({ healthy: true }), pollMs);
    const deadline = setTimeout(() => finish(reported() ? { healthy: true } : { healthy: false, reason: 'timeout', detail: `no health report within ${plan.healthDeadlineMs} ms` }), plan.healthDeadlineMs);
    child.once('error', (err) => finish({ healthy: false, reason: 'exited', detail: `could not be started: ${message(err)}` }));
    child.once('exit', (code, signal) => {
      // A version that reported and then quit (the user closed it at once) did start.
      if (reported()) return finish({ healthy: true });
      if (signal) return finish({ healthy: false, reason: 'crashed', detail: `killed by ${signal}` });
      finish({ healthy: false, reason: code !== null && CRASH_CODES.has(code) ? 'crashed' : 'exited', detail: `exited with code ${code}` });
    });
  });
}

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig); // the whole group: Electron's helper processes too
  } catch {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child) || child.pid === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(exited(child)), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Stops a version that failed: SIGTERM, then SIGKILL after the grace time. True once it is gone. */
async function stop(child: ChildProcess, graceMs: number): Promise<boolean> {
  if (child.pid === undefined) return true; // never started
  if (exited(child)) {
    signalGroup(child, 'SIGKILL'); // leftovers of a failed start
    return true;
  }
  signalGroup(child, 'SIGTERM');
  if (await waitExit(child, graceMs)) {
    signalGroup(child, 'SIGKILL');
    return true;
  }
  signalGroup(child, 'SIGKILL');
  return waitExit(child, Math.max(1000, graceMs));
}

/** One watchdog per state folder: a lock file holding its pid (taken over when that pid is gone). */
function lock(path: string): boolean {
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && stillRunning(pid, null)) return false;
      rmSync(path, { force: true });
    }
  }
  return false;
}

/**
 * Runs the hand-off described by the plan at planPath; resolves with the outcome it wrote (null when another
 * watchdog already handles this state folder).
 */
export async function runWatchdog(planPath: string, deps: WatchdogDeps = {}): Promise<WatchdogOutcome | null> {
  const pollMs = deps.pollMs ?? 100;
  const log = deps.log ?? ((line: string) => console.log(`${new Date().toISOString()} watchdog[${process.pid}] ${line}`));
  const restorers = { ...defaultRestorers, ...deps.restorers };

  let plan: HandoffPlan;
  try {
    plan = readPlan(planPath);
  } catch (err) {
    log(`unreadable plan, starting nothing: ${message(err)}`);
    const outcome: WatchdogOutcome = { gaveUp: { version: '', previous: '', reason: 'bad-plan', at: nowSec() } };
    try {
      writeFileAtomic(handoffPaths(dirname(planPath)).outcome, JSON.stringify(outcome));
    } catch (e) {
      log(`could not write the outcome: ${message(e)}`);
    }
    return outcome;
  }
  const paths = handoffPaths(plan.stateDir);
  const write = (outcome: WatchdogOutcome) => {
    try {
      writeFileAtomic(paths.outcome, JSON.stringify(outcome));
    } catch (err) {
      log(`could not write the outcome: ${message(err)}`);
    }
    return outcome;
  };

  let locked = false;
  try {
    locked = lock(paths.lock);
    if (!locked) {
      log('another watchdog handles this state folder; doing nothing');
      return null;
    }
  } catch (err) {
    log(`no lock (${message(err)}); going on`);
  }

  try {
    log(`plan ${plan.id}: ${plan.previousVersion} -> ${plan.version}, waiting for pid ${plan.waitPid}`);
    if (plan.waitPid !== null) {
      const until = Date.now() + plan.waitExitMs;
      while (stillRunning(plan.waitPid, plan.waitPidStart)) {
        if (Date.now() >= until) {
          log(`pid ${plan.waitPid} still running after ${plan.waitExitMs} ms; starting nothing`);
          return write({ gaveUp: { version: plan.version, previous: plan.previousVersion, reason: 'old-still-running', at: nowSec() } });
        }
        await sleep(pollMs);
      }
    }

    const healthFile = paths.health(plan.id);
    rmSync(healthFile, { force: true });
    const child = launch(plan, { [ENV.health]: healthFile, [ENV.updatedFrom]: plan.previousVersion });
    log(`started ${plan.version} (pid ${child.pid ?? 'none'})`);
    const verdict = await awaitHealth(child, plan, healthFile, pollMs);
    rmSync(healthFile, { force: true });
    if (verdict.healthy) {
      child.unref();
      log(`${plan.version} reported healthy`);
      return write({ updated: { from: plan.previousVersion, to: plan.version, at: nowSec() } });
    }

    log(`${plan.version} failed to start: ${verdict.reason} (${verdict.detail})`);
    const gone = await stop(child, plan.killGraceMs);
    let restoreError: string | null = null;
    try {
      await restorers[plan.restore.kind](plan.restore);
      log(`restored ${plan.previousVersion}`);
    } catch (err) {
      restoreError = message(err);
      log(`could not restore ${plan.previousVersion}: ${restoreError}`);
    }
    const base = { reason: verdict.reason, detail: verdict.detail, relaunched: gone, at: nowSec() };
    // Written before the relaunch, so the version that starts finds it.
    const outcome = write(restoreError === null
      ? { rolledBack: { bad: plan.version, restored: plan.previousVersion, ...base } }
      : { restoreFailed: { bad: plan.version, previous: plan.previousVersion, error: restoreError, ...base } });
    if (!gone) {
      log(`${plan.version} could not be stopped; not starting a second copy`);
      return outcome;
    }
    // Once, with no health wait and no second rollback.
    const again = launch(plan, {});
    await new Promise<void>((resolve) => {
      again.once('spawn', () => {
        log(`relaunched what is installed (pid ${again.pid})`);
        resolve();
      });
      again.once('error', (err) => {
        log(`could not relaunch: ${message(err)}`);
        resolve();
      });
    });
    again.unref();
    return outcome;
  } finally {
    if (locked) rmSync(paths.lock, { force: true });
    rmSync(planPath, { force: true });
  }
}
