// The app's side of the health contract (docs/rollback.md): a version started by the watchdog reports healthy
// once the core started and the first window showed; at start any version reads (once) what the watchdog did
// and the window/tray state the user had.
import { readFileSync, rmSync } from 'node:fs';
import { ENV, handoffPaths, type FailReason, type ResumeState, type WatchdogOutcome } from './handoff.ts';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * Tells the watchdog this version is healthy. A no-op (false) when not started by a watchdog. Never throws:
 * if the report can't be written the watchdog times out and restores the previous version, which is the
 * safe side. The variable is then removed so processes the app starts later don't inherit it.
 */
export function reportHealthy(version: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const file = env[ENV.health];
  if (!file) return false;
  try {
    writeFileAtomic(file, `${version}\n`);
    delete env[ENV.health];
    return true;
  } catch {
    return false;
  }
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const reason = (v: unknown): v is FailReason => v === 'exited' || v === 'crashed' || v === 'timeout';

function valid(o: unknown): o is WatchdogOutcome {
  if (!o || typeof o !== 'object') return false;
  const x = o as Record<string, Record<string, unknown> | undefined>;
  if (x.updated) return str(x.updated.from) && str(x.updated.to) && num(x.updated.at);
  if (x.rolledBack) {
    const r = x.rolledBack;
    return str(r.bad) && str(r.restored) && reason(r.reason) && str(r.detail) && typeof r.relaunched === 'boolean' && num(r.at);
  }
  if (x.restoreFailed) {
    const r = x.restoreFailed;
    return str(r.bad) && str(r.previous) && reason(r.reason) && str(r.detail) && str(r.error) && typeof r.relaunched === 'boolean' && num(r.at);
  }
  if (x.gaveUp) {
    const r = x.gaveUp;
    return str(r.version) && str(r.previous) && (r.reason === 'old-still-running' || r.reason === 'bad-plan') && num(r.at);
  }
  return false;
}

/**
 * What the watchdog did after the last update, removed as it is read so it is told once. null when there is
 * none, or it is unreadable or malformed (then it is removed too, so it can't be misread at every start).
 * Never throws.
 */
export function takeOutcome(stateDir: string): WatchdogOutcome | null {
  const path = handoffPaths(stateDir).outcome;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    rmSync(path, { force: true });
  } catch {
    // Can't remove it: still report it; at worst the user is told twice.
  }
  try {
    const o: unknown = JSON.parse(text);
    return valid(o) ? o : null;
  } catch {
    return null;
  }
}

/**
 * The window/tray state the user had when the update restarted the app (null when this start wasn't a
 * relaunch by the watchdog). Read once: removed from the environment so a later restart doesn't reuse it.
 */
export function takeResumeState(env: NodeJS.ProcessEnv = process.env): ResumeState | null {
  const text = env[ENV.resume];
  delete env[ENV.resume];
  if (!text) return null;
  try {
    const r = JSON.parse(text) as ResumeState;
    return typeof r?.windowVisible === 'boolean' ? { windowVisible: r.windowVisible } : null;
  } catch {
    return null;
  }
}

/** The version this one was updated from, when the watchdog started it as the new version; else null. */
export function updatedFrom(env: NodeJS.ProcessEnv = process.env): string | null {
  return env[ENV.updatedFrom] || null;
}
