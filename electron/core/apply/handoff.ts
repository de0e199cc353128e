// The hand-off from the running (old) version to the watchdog (docs/rollback.md). After the new version is in
// place, the old app writes a plan and starts the watchdog as a detached process, then quits. The watchdog
// waits for it to exit, starts the new version, waits for its health report and restores the previous version
// if it never comes. The plan and the outcome are plain JSON files in a state folder, written atomically, so
// the three processes (old app, watchdog, new app) share nothing else.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * How the watchdog puts the previous version back; data, not code, because the watchdog is another process.
 * 'none': this install can't be restored by the app (deb/rpm, NSIS: the package manager or installer owns
 * the files); `why` is what the outcome reports.
 */
export type RestoreSpec =
  | { kind: 'appimage'; target: string }
  /** macOS: the kept `.<name>.app.tidings-previous` bundle is renamed back (apply/mac.ts restoreMac). */
  | { kind: 'mac'; appBundle: string }
  | { kind: 'none'; why: string };

/** What the user had, so the relaunched version (new or restored) opens the same way. */
export interface ResumeState {
  windowVisible: boolean;
}

export interface LaunchSpec {
  /** The program to start: for an AppImage the AppImage file itself (the target), not the mounted binary. */
  cmd: string;
  /** The arguments the old version was started with (without the program). */
  args: string[];
  cwd: string;
  /** Set on top of the watchdog's environment (which is the old app's, minus the watchdog's own variables). */
  env: Record<string, string>;
}

export interface HandoffPlan {
  v: 1;
  /** Random; names this hand-off's health file so a stale report can't count. */
  id: string;
  stateDir: string;
  /** The old app's pid; the new version starts only after it has exited. null: nothing to wait for. */
  waitPid: number | null;
  /** Linux: the old process's start time (/proc/<pid>/stat field 22), so a reused pid isn't mistaken for it. */
  waitPidStart: string | null;
  /** How long the old app may take to quit; past it the watchdog gives up and starts nothing. */
  waitExitMs: number;
  launch: LaunchSpec;
  /** The version now in place. */
  version: string;
  /** The version it replaced (restored on failure). */
  previousVersion: string;
  restore: RestoreSpec;
  /** How long the new version has to report healthy. */
  healthDeadlineMs: number;
  /** After SIGTERM, how long before SIGKILL. */
  killGraceMs: number;
  resume: ResumeState | null;
}

export type HandoffInput = Omit<HandoffPlan, 'v' | 'id' | 'waitPidStart' | 'waitExitMs' | 'healthDeadlineMs' | 'killGraceMs' | 'resume'>
  & Partial<Pick<HandoffPlan, 'waitExitMs' | 'healthDeadlineMs' | 'killGraceMs' | 'resume'>>;

export type FailReason = 'exited' | 'crashed' | 'timeout';

/** What the watchdog did; read (once) by whichever version starts next (health.ts takeOutcome). `at`: unix seconds. */
export type WatchdogOutcome =
  | { updated: { from: string; to: string; at: number } }
  /** The new version failed; the previous one is back in place. relaunched: false only if the failed one
   * couldn't be stopped (then starting another copy would make two). */
  | { rolledBack: { bad: string; restored: string; reason: FailReason; detail: string; relaunched: boolean; at: number } }
  /** The new version failed and the previous one couldn't be put back; whatever is installed was started again. */
  | { restoreFailed: { bad: string; previous: string; reason: FailReason; detail: string; error: string; relaunched: boolean; at: number } }
  /** The old app didn't quit in time (or the plan was unreadable): nothing was started. The new version is
   * installed and runs at the next start, without a health check. */
  | { gaveUp: { version: string; previous: string; reason: 'old-still-running' | 'bad-plan'; at: number } };

export const DEFAULTS = { healthDeadlineMs: 30_000, waitExitMs: 60_000, killGraceMs: 5_000 } as const;

/** Environment variables between the watchdog and the app it starts. */
export const ENV = {
  health: 'TIDINGS_HEALTH_FILE',
  updatedFrom: 'TIDINGS_UPDATED_FROM',
  resume: 'TIDINGS_RESUME',
} as const;

export function handoffPaths(stateDir: string) {
  return {
    plan: join(stateDir, 'update-handoff.json'),
    outcome: join(stateDir, 'update-outcome.json'),
    lock: join(stateDir, 'update-watchdog.lock'),
    log: join(stateDir, 'update-watchdog.log'),
    health: (id: string) => join(stateDir, `update-health-${id}`),
  };
}

/** Linux /proc/<pid>/stat: state (field 3) and start time (field 22); null where there is no /proc. */
export function procStat(pid: number): { state: string; start: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const start = rest[19];
    return state && start ? { state, start } : null;
  } catch {
    return null;
  }
}

export function makePlan(input: HandoffInput): HandoffPlan {
  return {
    v: 1,
    id: randomBytes(8).toString('hex'),
    stateDir: input.stateDir,
    waitPid: input.waitPid,
    waitPidStart: input.waitPid === null ? null : procStat(input.waitPid)?.start ?? null,
    waitExitMs: input.waitExitMs ?? DEFAULTS.waitExitMs,
    launch: { cmd: input.launch.cmd, args: [...input.launch.args], cwd: input.launch.cwd, env: { ...input.launch.env } },
    version: input.version,
    previousVersion: input.previousVersion,
    restore: input.restore,
    healthDeadlineMs: input.healthDeadlineMs ?? DEFAULTS.healthDeadlineMs,
    killGraceMs: input.killGraceMs ?? DEFAULTS.killGraceMs,
    resume: input.resume ?? null,
  };
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Reads and checks a plan; throws on anything that isn't a complete plan (the watchdog then starts nothing). */
export function readPlan(path: string): HandoffPlan {
  const p = JSON.parse(readFileSync(path, 'utf8')) as HandoffPlan;
  const l = p?.launch;
  const r = p?.restore;
  const ok = p?.v === 1 && isStr(p.id) && /^[0-9a-f]+$/.test(p.id) && isStr(p.stateDir)
    && (p.waitPid === null || (Number.isInteger(p.waitPid) && p.waitPid > 0))
    && (p.waitPidStart === null || isStr(p.waitPidStart))
    && isMs(p.waitExitMs) && isMs(p.healthDeadlineMs) && isMs(p.killGraceMs)
    && isStr(p.version) && isStr(p.previousVersion)
    && !!l && isStr(l.cmd) && Array.isArray(l.args) && l.args.every(isStr) && isStr(l.cwd)
    && !!l.env && typeof l.env === 'object' && Object.values(l.env).every(isStr)
    && !!r && ((r.kind === 'appimage' && isStr(r.target)) || (r.kind === 'mac' && isStr(r.appBundle)) || (r.kind === 'none' && isStr(r.why)))
    && (p.resume === null || typeof p.resume?.windowVisible === 'boolean');
  if (!ok) throw new Error(`not a complete update hand-off plan: ${path}`);
  return p;
}

/** How to start the watchdog; the plan's path is appended as the last argument. */
export interface WatchdogCommand {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/** The watchdog entry point next to this file (source runs and tests; a bundled shell passes its own path). */
export const watchdogScript = fileURLToPath(new URL('./watchdog-main.ts', import.meta.url));

/**
 * This runtime running the watchdog script: plain Node, or the Electron binary as Node. Note a packaged app
 * with the RunAsNode fuse off ignores ELECTRON_RUN_AS_NODE: there the shell passes its own command (the app
 * binary with a watchdog flag) instead (docs/rollback.md).
 */
export function nodeWatchdogCommand(script = watchdogScript): WatchdogCommand {
  return { cmd: process.execPath, args: [script], env: process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {} };
}

/**
 * Writes the plan and starts the watchdog, detached from this process (its own session, no shared stdio,
 * unref'd) so it outlives the app quitting. Resolves once the watchdog process exists; throws (one plain
 * sentence) if it can't be started, and then the caller should not quit into the new version.
 */
export async function startHandoff(input: HandoffInput, command: WatchdogCommand = nodeWatchdogCommand()): Promise<{ pid: number; planPath: string; plan: HandoffPlan }> {
  mkdirSync(input.stateDir, { recursive: true });
  const paths = handoffPaths(input.stateDir);
  const plan = makePlan(input);
  writeFileAtomic(paths.plan, JSON.stringify(plan, null, 2));
  const log = openSync(paths.log, 'a', 0o600);
  try {
    const child = spawn(command.cmd, [...command.args, paths.plan], {
      // The state folder, not ours: our cwd may be inside a mount (an AppImage) that goes away when we quit.
      cwd: input.stateDir,
      env: { ...process.env, ...command.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return { pid: child.pid as number, planPath: paths.plan, plan };
  } catch (err) {
    // No error codes in the sentence (the user reads it); the cause keeps them for the log.
    throw new Error('The update is installed, but the app couldn’t restart into it. It will start the next time you open the app.', { cause: err });
  } finally {
    closeSync(log);
  }
}
