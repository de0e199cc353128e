// How this copy of the app was installed, which decides how an update is applied (docs/updates.md,
// "Choosing the applier"). Everything is read from the process (platform, executable path, environment,
// resources folder) and a few file probes, injected so each layout is tested with real folders.
//
// The signals are the ones electron-builder leaves (checked against electron-updater's own detection):
// - AppImage: the AppImage runtime sets APPIMAGE (the file) and APPDIR (its mount, where our executable is).
// - deb/rpm/pacman: electron-builder's FpmTarget writes `resources/package-type` containing the target name
//   when the build has publish settings; electron-updater reads the same file to pick Deb/Rpm/PacmanUpdater.
// - NSIS: its installer writes `resources/package-type` = `nsis` / `nsis-web` (newer electron-builder); older
//   installs are recognised by the `Uninstall <product>.exe` it always puts beside the executable.
//   Per-machine: electron-updater knows it from the build (`isAdminRightsRequired`, set for perMachine
//   installers) and the installer from the registry hive it used (HKLM vs HKCU); at run time the observable
//   equivalent is where the app lives: under Program Files (any of the ProgramFiles variables), or in a
//   folder this user can't write, is a per-machine install.
// - macOS: the `.app` bundle whose Contents/MacOS holds the executable.
import { accessSync, constants as fsc, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { PackageKind } from '../../../shared/protocol/schemas.ts';

export type InstallKind =
  | { kind: 'appimage'; target: string }
  | { kind: 'deb' }
  | { kind: 'rpm' }
  | {
    kind: 'nsis';
    /** Installed for all users: the installer needs elevation (a UAC prompt). */
    perMachine: boolean;
    /** The folder holding the app's executable. */
    installDir: string;
    /** electron-builder's elevation helper in resources/ (packed for per-machine installers), or null. */
    elevateExe: string | null;
  }
  | { kind: 'mac'; appBundle: string }
  | { kind: 'none'; why: string };

export interface FsProbes {
  /** The file's text, or null when it can't be read. */
  readText(path: string): string | null;
  isFile(path: string): boolean;
  isDir(path: string): boolean;
  /** Names in a folder ([] when unreadable). */
  list(dir: string): string[];
  /** Whether this user may create files in dir. */
  writable(dir: string): boolean;
}

export const realProbes: FsProbes = {
  readText: (p) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  },
  isFile: (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  },
  isDir: (p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false;
    }
  },
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  },
  writable: (d) => {
    try {
      accessSync(d, fsc.W_OK);
      return existsSync(d);
    } catch {
      return false;
    }
  },
};

export interface DetectInput {
  platform: NodeJS.Platform;
  /** process.execPath */
  execPath: string;
  env: Record<string, string | undefined>;
  /** process.resourcesPath (the folder holding app.asar). */
  resourcesPath: string;
  /** app.isPackaged: a development run never updates itself. Default true. */
  isPackaged?: boolean;
  probes?: FsProbes;
}

/** Path helpers that keep the input's own separator, so Windows layouts can be tested on real folders here. */
const sepOf = (p: string) => (p.includes('\\') ? '\\' : '/');
const join2 = (base: string, name: string) => (base.endsWith(sepOf(base)) ? base + name : base + sepOf(base) + name);
const parentOf = (p: string) => {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i <= 0 ? p : p.slice(0, i);
};
/** Windows paths compare case-insensitively, either separator, no trailing separator. */
const winNorm = (p: string) => p.replace(/\\/g, '/').replace(/\/+$/, '').toLowerCase();
const isUnder = (p: string, dir: string) => winNorm(p).startsWith(winNorm(dir) + '/');

export function detectInstall(i: DetectInput): InstallKind {
  const fs = i.probes ?? realProbes;
  if (i.isPackaged === false) return { kind: 'none', why: 'This is a development run, so it doesn’t update itself.' };
  const marker = fs.readText(join2(i.resourcesPath, 'package-type'))?.trim() ?? null;

  if (i.platform === 'linux') {
    const appImage = i.env.APPIMAGE;
    // APPIMAGE is inherited by anything an AppImage starts; it describes us only if we run from its mount.
    const fromMount = !i.env.APPDIR || i.execPath.startsWith(i.env.APPDIR.replace(/\/+$/, '') + '/');
    if (appImage && fromMount) {
      if (!fs.isFile(appImage)) return { kind: 'none', why: `The AppImage this app was started from (${appImage}) is no longer there, so it can’t update itself.` };
      return { kind: 'appimage', target: appImage };
    }
    if (i.env.SNAP) return { kind: 'none', why: 'This app was installed as a snap, which the Snap Store keeps up to date.' };
    if (i.env.FLATPAK_ID || fs.isFile('/.flatpak-info')) return { kind: 'none', why: 'This app was installed with Flatpak, which keeps it up to date.' };
    if (marker === 'deb') return { kind: 'deb' };
    if (marker === 'rpm') return { kind: 'rpm' };
    if (marker === 'pacman') return { kind: 'none', why: 'This app was installed with pacman; update it with your package manager.' };
    return { kind: 'none', why: 'This copy wasn’t installed from an AppImage or a package, so it can’t update itself.' };
  }

  if (i.platform === 'win32') {
    const installDir = parentOf(i.execPath);
    if (i.env.PORTABLE_EXECUTABLE_FILE) return { kind: 'none', why: 'This is the portable version, which doesn’t update itself. Download the new version instead.' };
    const uninstaller = fs.list(installDir).some((n) => /^Uninstall .+\.exe$/i.test(n));
    if (marker !== 'nsis' && marker !== 'nsis-web' && !uninstaller) {
      return { kind: 'none', why: 'This copy wasn’t installed with the app’s installer, so it can’t update itself.' };
    }
    const programFiles = [i.env.ProgramFiles, i.env['ProgramFiles(x86)'], i.env.ProgramW6432].filter((d): d is string => !!d);
    const perMachine = programFiles.some((d) => isUnder(installDir, d)) || !fs.writable(installDir);
    const elevate = join2(i.resourcesPath, 'elevate.exe');
    return { kind: 'nsis', perMachine, installDir, elevateExe: fs.isFile(elevate) ? elevate : null };
  }

  if (i.platform === 'darwin') {
    const appBundle = /^(.*?\.app)\/Contents\/MacOS\/[^/]+$/.exec(i.execPath)?.[1];
    if (!appBundle || !fs.isDir(appBundle)) return { kind: 'none', why: 'This copy isn’t running from an app bundle, so it can’t update itself.' };
    return { kind: 'mac', appBundle };
  }

  return { kind: 'none', why: `Updating in place isn’t supported on ${i.platform}.` };
}

/** The kind of release asset each install takes (shared/protocol `package`); null: none. */
export function assetPackage(install: InstallKind): PackageKind | null {
  switch (install.kind) {
    case 'appimage': return 'appimage';
    case 'deb': return 'deb';
    case 'rpm': return 'rpm';
    case 'nsis': return 'nsis';
    case 'mac': return 'zip';
    case 'none': return null;
  }
}
