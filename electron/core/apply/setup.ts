// The core's InstallSetup (electron/core/api.ts) from a platform applier and the watchdog hand-off: the one
// place that joins "put the new version in place" (apply/*.ts) with "relaunch into it and roll back a failed
// start" (handoff.ts, watchdog.ts). The shell, the preview and the tests build their setup here, so all three
// run the same install path (docs/updates.md, docs/rollback.md).
import type { InstallSetup, UpdateOutcome } from '../api.ts';
import type { PackageKind } from '../../../shared/protocol/schemas.ts';
import { applyAppImage, sweepAppImage } from './appimage.ts';
import { startHandoff, type LaunchSpec, type ResumeState, type RestoreSpec, type WatchdogCommand, type WatchdogOutcome } from './handoff.ts';
import { reportHealthy, takeOutcome } from './health.ts';

/** How one kind of install puts a verified file in place (applier.ts createApplier makes one per platform). */
export interface Applier {
  /** The package kind of asset this install takes. */
  package: PackageKind;
  /** 'quit': apply starts an installer that replaces the app once it has quit and relaunches it (NSIS): no
   * watchdog hand-off. Default 'restart'. */
  when?: 'restart' | 'quit';
  /** false: never at quit (a permission prompt would appear after the user left). Default true. */
  atQuit?: boolean;
  apply(file: string, version: string, sha256: string, opts?: { relaunch?: boolean }): Promise<void>;
  /** What the watchdog does to put the previous version back (data: it runs in another process). */
  restore: RestoreSpec;
  /** The installed file a patch applies to, if there is one. */
  installedFile: string | null;
  /** Removes what an interrupted apply left behind; called once at start. */
  sweep(): unknown;
}

export function appImageApplier(target: string): Applier {
  return {
    package: 'appimage',
    when: 'restart',
    atQuit: true,
    apply: (file, _version, sha256) => applyAppImage(file, target, sha256),
    restore: { kind: 'appimage', target },
    installedFile: target,
    sweep: () => void sweepAppImage(target),
  };
}

export interface SetupInput {
  applier: Applier;
  /** Where the plan, health file and outcome live (the app's data folder). */
  stateDir: string;
  /** How to start the app again: the same program, arguments and working directory the user started. */
  launch: LaunchSpec;
  /** The process the watchdog waits for before starting the new version. Default: this one. */
  waitPid?: number;
  /** Default: this runtime running the watchdog script (a packaged app passes its own binary and flag). */
  watchdog?: WatchdogCommand;
  /** The window/tray state to resume into, asked at hand-off time. */
  resume?: () => ResumeState | null;
  healthDeadlineMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function createInstallSetup(i: SetupInput): InstallSetup {
  try {
    i.applier.sweep();
  } catch {
    // A leftover we can't remove is harmless; the next start tries again.
  }
  return {
    package: i.applier.package,
    installedFile: i.applier.installedFile,
    atQuit: i.applier.atQuit !== false,
    // An installer that runs after quit relaunches the app itself on Restart to Update, not at a plain quit.
    apply: (file, version, sha256, mode = 'restart') => i.applier.apply(file, version, sha256, { relaunch: mode === 'restart' }),
    async handoff(version, from) {
      if (i.applier.when === 'quit') return;
      await startHandoff({
        stateDir: i.stateDir, waitPid: i.waitPid ?? process.pid, launch: i.launch, version, previousVersion: from,
        restore: i.applier.restore, resume: i.resume?.() ?? null,
        ...(i.healthDeadlineMs !== undefined ? { healthDeadlineMs: i.healthDeadlineMs } : {}),
      }, i.watchdog);
    },
    reportHealthy: (version) => reportHealthy(version, i.env ?? process.env),
    takeOutcome: () => outcomeFor(takeOutcome(i.stateDir)),
  };
}

/** The watchdog's outcome as the core tells it; a hand-off that started nothing has nothing to tell. */
export function outcomeFor(w: WatchdogOutcome | null): UpdateOutcome | null {
  if (!w) return null;
  if ('updated' in w) return { updated: { from: w.updated.from, to: w.updated.to } };
  if ('rolledBack' in w) return { rolledBack: { bad: w.rolledBack.bad, restored: w.rolledBack.restored, reason: w.rolledBack.reason } };
  if ('restoreFailed' in w) {
    const r = w.restoreFailed;
    return { restoreFailed: { bad: r.bad, previous: r.previous, reason: r.reason, error: r.error } };
  }
  // gaveUp: the old app didn't quit in time (the new version is installed and simply starts next time) or the
  // plan was unreadable; neither is a failed start.
  return null;
}
