// The one place that decides how this install applies an update (docs/updates.md, "Choosing the applier"):
// which installer, when it runs, with which privileges, and what the watchdog can restore. The shell detects
// the install (kinds.ts detectInstall) and builds the applier here; the platform files do the work.
import type { PackageKind } from '../../../shared/protocol/schemas.ts';
import { applyAppImage, sweepAppImage } from './appimage.ts';
import type { RestoreSpec } from './handoff.ts';
import { assetPackage, type InstallKind } from './kinds.ts';
import { applyLinuxPackage, STAGE_PREFIX } from './linux-package.ts';
import { applyMacZip, restoreMac, sweepMac } from './mac.ts';
import { applyNsis, NSIS_STAGE_PREFIX, sweepStaging } from './nsis.ts';
import { systemRunner, type Runner } from './runner.ts';

export { restoreMac };

/** How the watchdog restores (handoff.ts RestoreSpec, which includes macOS's bundle rename). */
export type ApplierRestore = RestoreSpec;

export interface ApplyOptions {
  /** Start the app again once installed. Only an installer that runs after quit does this itself (NSIS);
   * elsewhere the watchdog hand-off relaunches. Default true. */
  relaunch?: boolean;
}

export interface PlatformApplier {
  kind: Exclude<InstallKind['kind'], 'none'>;
  /** The release asset this install takes. */
  package: PackageKind;
  /**
   * 'restart': apply() puts the new version in place while the app still runs; then hand off to the watchdog
   * (Restart to Update) or just quit (it runs at the next start).
   * 'quit': apply() must be the app's last act before exiting (after the host app agreed to quit): it starts
   * the installer, which replaces the app once it is gone and relaunches it if asked. No watchdog hand-off.
   */
  when: 'restart' | 'quit';
  /** What the install asks the user for: nothing, the polkit password prompt, or Windows' UAC prompt. */
  elevation: 'none' | 'pkexec' | 'uac';
  /**
   * Whether "Install updates when I quit" may use it. False where a permission prompt would appear after the
   * user has left (deb/rpm not running as root, NSIS per-machine): those install only on Restart to Update.
   */
  atQuit: boolean;
  /** The installed file a patch applies to (an AppImage), else null. */
  installedFile: string | null;
  /** Re-checks the file's sha256 before any program runs; throws ApplyError (one plain sentence). */
  apply(file: string, version: string, sha256: string, opts?: ApplyOptions): Promise<void>;
  /** For the hand-off plan: how the watchdog puts the previous version back, or why it can't. */
  restore: ApplierRestore;
  /** At start: removes what an interrupted or finished apply left behind; returns how many. */
  sweep(): number;
}

export interface ApplierDeps {
  runner?: Runner;
  /** A folder of ours for verified copies waiting to be installed (e.g. the download folder). */
  stagingDir: string;
  /** Linux: the search path for pkexec and the package tools (default PATH plus the sbin folders). */
  path?: string;
  /** Linux: default process.getuid(); 0 skips pkexec. */
  uid?: number | null;
  /** Linux: how a program on the path is recognised (default: executable file). */
  isExecutable?: (path: string) => boolean;
}

const PACKAGE_NO_RESTORE = "The package manager replaced the app's files and keeps no copy of the previous version; install the previous package to go back.";
const NSIS_NO_RESTORE = "The installer replaced the app's files and keeps no copy of the previous version; install the previous version to go back.";

export function createApplier(install: Exclude<InstallKind, { kind: 'none' }>, deps: ApplierDeps): PlatformApplier {
  const runner = deps.runner ?? systemRunner;
  const pkg = assetPackage(install) as PackageKind;
  switch (install.kind) {
    case 'appimage': {
      const { target } = install;
      return {
        kind: 'appimage', package: pkg, when: 'restart', elevation: 'none', atQuit: true, installedFile: target,
        apply: (file, _version, sha256) => applyAppImage(file, target, sha256),
        restore: { kind: 'appimage', target },
        sweep: () => sweepAppImage(target),
      };
    }
    case 'deb':
    case 'rpm': {
      const kind = install.kind;
      const uid = deps.uid === undefined ? (process.getuid?.() ?? null) : deps.uid;
      const root = uid === 0;
      return {
        kind, package: pkg, when: 'restart', elevation: root ? 'none' : 'pkexec', atQuit: root, installedFile: null,
        apply: (file, _version, sha256) => applyLinuxPackage(file, sha256, { kind, runner, stagingDir: deps.stagingDir, path: deps.path, uid, isExecutable: deps.isExecutable }),
        restore: { kind: 'none', why: PACKAGE_NO_RESTORE },
        sweep: () => sweepStaging(deps.stagingDir, STAGE_PREFIX),
      };
    }
    case 'nsis': {
      const { perMachine, elevateExe } = install;
      return {
        kind: 'nsis', package: pkg, when: 'quit', elevation: perMachine ? 'uac' : 'none', atQuit: !perMachine, installedFile: null,
        apply: (file, _version, sha256, opts) => applyNsis(file, sha256, { runner, install: { perMachine, elevateExe }, stagingDir: deps.stagingDir, relaunch: opts?.relaunch ?? true }),
        restore: { kind: 'none', why: NSIS_NO_RESTORE },
        sweep: () => sweepStaging(deps.stagingDir, NSIS_STAGE_PREFIX),
      };
    }
    case 'mac': {
      const { appBundle } = install;
      return {
        kind: 'mac', package: pkg, when: 'restart', elevation: 'none', atQuit: true, installedFile: null,
        apply: (file, version, sha256) => applyMacZip(file, version, sha256, { runner, appBundle }),
        restore: { kind: 'mac', appBundle },
        sweep: () => sweepMac(appBundle),
      };
    }
  }
}
