// Windows NSIS (docs/updates.md, "Windows NSIS"): the verified installer runs silently once the app quits,
// started detached as its last act, the way electron-updater's NsisUpdater does:
//   <installer> --updated /S [--force-run]
// `--updated` tells electron-builder's installer this is an update (it skips its pages, keeps shortcuts and
// user data, waits briefly for the app to exit and closes it if needed); `/S` is NSIS's silent mode;
// `--force-run` makes it start the app again when done (Restart to Update; not for Install When I Quit).
// No `/D=`: the installer reads its previous install folder from the registry.
// Privileges: a per-user install (under %LOCALAPPDATA%\Programs) needs none, so the installer runs as the
// user and no prompt appears. A per-machine one needs elevation: through electron-builder's `elevate.exe`
// (packed in resources/ for per-machine builds, as electron-updater uses it) which asks Windows for the UAC
// prompt; without it the installer is started directly and its own manifest or UAC plug-in asks.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApplyError } from './errors.ts';
import type { Runner } from './runner.ts';
import { stageVerified } from './stage.ts';

export interface NsisInstall {
  perMachine: boolean;
  elevateExe: string | null;
}

export interface NsisOptions {
  runner: Runner;
  install: NsisInstall;
  /** Where the verified installer copy waits until the app has quit (swept at the next start). */
  stagingDir: string;
  /** Start the app again after installing (Restart to Update). */
  relaunch: boolean;
}

export const NSIS_STAGE_PREFIX = 'tidings-installer-';

/** The decision: what is started, with which arguments, for this install. */
export function nsisCommand(installer: string, install: NsisInstall, relaunch: boolean): { cmd: string; args: string[]; elevated: boolean } {
  const args = ['--updated', '/S', ...(relaunch ? ['--force-run'] : [])];
  if (install.perMachine && install.elevateExe) return { cmd: install.elevateExe, args: [installer, ...args], elevated: true };
  return { cmd: installer, args, elevated: install.perMachine };
}

/**
 * Verifies and stages the installer, then starts it detached. Call it as the app quits (after the host app
 * agreed to quit): the installer waits for the app to exit, then replaces it.
 */
export async function applyNsis(file: string, sha256: string, o: NsisOptions): Promise<void> {
  const staged = await stageVerified(file, o.stagingDir, NSIS_STAGE_PREFIX, 'installer.exe', sha256, 0o755);
  const { cmd, args } = nsisCommand(staged.file, o.install, o.relaunch);
  try {
    await o.runner.startDetached(cmd, args);
  } catch {
    rmSync(staged.dir, { recursive: true, force: true });
    throw new ApplyError(
      o.install.perMachine
        ? "Windows didn't allow the installer to run with the permission it needs, so the update wasn't installed. Open the downloaded installer yourself to install it."
        : "The installer couldn't be started, so the update wasn't installed. Open the downloaded installer yourself to install it.",
      o.install.perMachine ? 'no-prompt' : 'failed',
    );
  }
}

/** Removes staged installers from earlier updates (each has run by the next start); returns how many. */
export function sweepStaging(stagingDir: string, prefix: string): number {
  let swept = 0;
  let names: string[];
  try {
    names = readdirSync(stagingDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    try {
      rmSync(join(stagingDir, name), { recursive: true, force: true });
      swept++;
    } catch {
      // Still in use (an installer running right now): the next start removes it.
    }
  }
  return swept;
}
