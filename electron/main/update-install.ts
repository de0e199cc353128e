// How the packaged app installs its own updates (docs/updates.md, docs/rollback.md): detect how it was
// installed, build that platform's applier and the watchdog hand-off, and say how the watchdog is started.
// The packaged app has the runAsNode fuse off (reliability P16), so the watchdog is the app's own binary with a
// flag, handled first thing in index.ts; on an AppImage it is the kept previous AppImage file, because the
// mounted binary goes away when the app quits.
import { dirname, join } from 'node:path';
import type { InstallSetup } from '../core/api.ts';
import { detectInstall, type InstallKind } from '../core/apply/kinds.ts';
import { createApplier } from '../core/apply/applier.ts';
import { createInstallSetup } from '../core/apply/setup.ts';
import { previousPath } from '../core/apply/appimage.ts';
import type { WatchdogCommand } from '../core/apply/handoff.ts';

export const WATCHDOG_FLAG = '--tidings-watchdog';

/** The plan path when this process was started as the update watchdog, else null. */
export function watchdogPlan(argv: readonly string[]): string | null {
  const i = argv.indexOf(WATCHDOG_FLAG);
  return i < 0 ? null : argv[i + 1] ?? '';
}

export function watchdogCommand(kind: InstallKind, execPath: string): WatchdogCommand {
  return { cmd: kind.kind === 'appimage' ? previousPath(kind.target) : execPath, args: [WATCHDOG_FLAG] };
}

export interface InstallContext {
  platform: NodeJS.Platform;
  execPath: string;
  /** process.argv: the program, then the arguments the user started it with. */
  argv: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** process.resourcesPath (undefined outside Electron). */
  resourcesPath: string | undefined;
  isPackaged: boolean;
  /** The companion's data folder: the hand-off's state and the staging copies live there. */
  dataDir: string;
  /** Whether the window is open now (the relaunched version opens the same way). */
  windowVisible: () => boolean;
  log: (msg: string) => void;
}

/** The install setup for this app, or undefined where it can't update itself (then the user opens the installer). */
export function installSetupFor(c: InstallContext): InstallSetup | undefined {
  try {
    return setupFor(c);
  } catch (e) {
    // Never a reason not to start: without a setup the update screen offers the installer file instead.
    c.log(`updates are installed by hand here: the install couldn't be recognised (${String(e)})`);
    return undefined;
  }
}

function setupFor(c: InstallContext): InstallSetup | undefined {
  const kind = detectInstall({ platform: c.platform, execPath: c.execPath, env: c.env, resourcesPath: c.resourcesPath ?? join(dirname(c.execPath), 'resources'), isPackaged: c.isPackaged });
  if (kind.kind === 'none') {
    c.log(`updates are installed by hand here: ${kind.why}`);
    return undefined;
  }
  const applier = createApplier(kind, { stagingDir: join(c.dataDir, 'downloads') });
  // An AppImage is started again through its file ($APPIMAGE), in the folder the user started it from ($OWD).
  const cmd = kind.kind === 'appimage' ? kind.target : c.execPath;
  const cwd = kind.kind === 'appimage' ? c.env['OWD'] ?? c.cwd : c.cwd;
  return createInstallSetup({
    applier, stateDir: c.dataDir,
    launch: { cmd, args: c.argv.slice(1), cwd, env: {} },
    watchdog: watchdogCommand(kind, c.execPath),
    resume: () => ({ windowVisible: c.windowVisible() }),
  });
}
