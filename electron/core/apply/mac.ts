// macOS (docs/updates.md, "macOS"): the update is a zip of the `.app` bundle. It is unpacked with `ditto`
// (which keeps the bundle's symlinks, permissions, extended attributes and code signature intact, unlike a
// generic unzip) into a staging folder beside the installed bundle, so on the same volume; the bundle is
// checked (there, complete, the expected version); then two renames swap it in and the installed bundle is
// kept as `.<name>.app.tidings-previous` for the watchdog's rollback. Nothing is deleted before the new
// bundle is in place, and every failure before the first rename leaves the installed app exactly as it was.
// A translocated app (macOS runs a quarantined app from a random read-only mount under /AppTranslocation/)
// and a read-only volume (a mounted disk image) get a clear message and nothing changes.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { access, constants as fsc, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from './atomic-file.ts';
import { ApplyError, plainFsError } from './errors.ts';
import type { Runner } from './runner.ts';
import { copyVerified } from './stage.ts';

export interface MacOptions {
  runner: Runner;
  /** The installed bundle, e.g. /Applications/Tidings.app. */
  appBundle: string;
  /** Default /usr/bin/ditto; /usr/bin/plutil reads a binary Info.plist. */
  ditto?: string;
  plutil?: string;
}

/** The kept previous bundle, for the watchdog's rollback. Not ending in .app, so Finder doesn't list it as an app. */
export const macPreviousPath = (appBundle: string) => join(dirname(appBundle), `.${basename(appBundle)}.tidings-previous`);
const stagePrefix = (appBundle: string) => `.${basename(appBundle)}.tidings-staging-`;

export const isTranslocated = (appBundle: string) => appBundle.includes('/AppTranslocation/');

async function checkInstalled(appBundle: string): Promise<void> {
  const name = basename(appBundle, '.app');
  if (isTranslocated(appBundle)) {
    throw new ApplyError(`${name} is running from a temporary read-only copy that macOS made, so it can't update itself. Move ${name} to your Applications folder in Finder, open it from there and try again.`, 'read-only');
  }
  try {
    if (!(await stat(appBundle)).isDirectory()) throw new Error('not a bundle');
  } catch {
    throw new ApplyError(`The app isn't at ${appBundle} any more, so the update can't be installed.`, 'missing');
  }
  try {
    await access(dirname(appBundle), fsc.W_OK);
  } catch {
    throw new ApplyError(`${name} is on a read-only disk or in a folder you can't change (${dirname(appBundle)}), so it can't update itself. Copy it to your Applications folder, open it from there and try again.`, 'read-only');
  }
}

/** CFBundleShortVersionString of a bundle's Info.plist (XML, or binary through plutil); null when unreadable. */
async function bundleInfo(app: string, runner: Runner, plutil: string): Promise<{ version: string | null; executable: string | null }> {
  const plist = join(app, 'Contents', 'Info.plist');
  let text: string;
  try {
    const raw = await readFile(plist);
    if (raw.subarray(0, 8).toString('latin1') === 'bplist00') {
      const r = await runner.run(plutil, ['-convert', 'xml1', '-o', '-', plist]);
      if (r.code !== 0) return { version: null, executable: null };
      text = r.stdout;
    } else {
      text = raw.toString('utf8');
    }
  } catch {
    return { version: null, executable: null };
  }
  const key = (k: string) => new RegExp(`<key>${k}</key>\\s*<string>([^<]*)</string>`).exec(text)?.[1]?.trim() ?? null;
  return { version: key('CFBundleShortVersionString'), executable: key('CFBundleExecutable') };
}

/** Puts the `.app` from the verified zip `file` in place of `appBundle`; re-checks the hash first. */
export async function applyMacZip(file: string, version: string, sha256: string, o: MacOptions): Promise<void> {
  const { appBundle, runner } = o;
  await checkInstalled(appBundle);
  const parent = dirname(appBundle);
  let staging: string;
  try {
    staging = await mkdtemp(join(parent, stagePrefix(appBundle)));
  } catch (err) {
    throw plainFsError(err, parent);
  }
  try {
    const zip = join(staging, 'update.zip');
    await copyVerified(file, zip, sha256, 0o600);
    const out = join(staging, 'unpacked');
    let r;
    try {
      r = await runner.run(o.ditto ?? '/usr/bin/ditto', ['-x', '-k', zip, out]);
    } catch {
      r = { code: 127, stdout: '', stderr: 'ditto could not be started' };
    }
    if (r.code !== 0) {
      if (/no space/i.test(r.stderr)) throw plainFsError({ code: 'ENOSPC' }, parent);
      throw new ApplyError("The update couldn't be unpacked, so it wasn't installed. Your current version is unchanged.", 'failed');
    }
    const fresh = await findBundle(out, basename(appBundle));
    const info = await bundleInfo(fresh, runner, o.plutil ?? '/usr/bin/plutil');
    if (info.version === null || !info.executable || !existsSync(join(fresh, 'Contents', 'MacOS', info.executable))) {
      throw new ApplyError("The app in the update is incomplete, so it wasn't installed. Your current version is unchanged.", 'failed');
    }
    if (info.version !== version) {
      throw new ApplyError(`The update contains version ${info.version} instead of ${version}, so it wasn't installed.`, 'mismatch');
    }
    // An older kept version goes first; the installed bundle stays in place while it does.
    const prev = macPreviousPath(appBundle);
    await rm(prev, { recursive: true, force: true });
    await rename(appBundle, prev);
    try {
      await rename(fresh, appBundle);
    } catch (err) {
      renameSync(prev, appBundle);
      throw err;
    }
    syncDir(parent);
  } catch (err) {
    throw plainFsError(err, parent);
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The one `.app` folder at the top of the unpacked zip (the installed bundle's name when there are several). */
async function findBundle(dir: string, wanted: string): Promise<string> {
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    // nothing unpacked
  }
  const apps: string[] = [];
  for (const n of names) {
    if (n.endsWith('.app') && (await stat(join(dir, n)).catch(() => null))?.isDirectory()) apps.push(n);
  }
  const pick = apps.length === 1 ? apps[0] : apps.find((n) => n === wanted);
  if (!pick) throw new ApplyError("The update doesn't contain the app, so it wasn't installed. Your current version is unchanged.", 'failed');
  return join(dir, pick);
}

/** Puts the kept previous bundle back (the watchdog's rollback): renames only; the failed one is then removed. */
export function restoreMac(appBundle: string): void {
  const prev = macPreviousPath(appBundle);
  if (!existsSync(prev)) throw new ApplyError(`The previous version is no longer at ${dirname(appBundle)}, so it couldn't be restored.`, 'missing');
  const parent = dirname(appBundle);
  let failed: string | null = null;
  if (existsSync(appBundle)) {
    failed = join(parent, `.${basename(appBundle)}.tidings-failed-${randomBytes(4).toString('hex')}`);
    renameSync(appBundle, failed);
  }
  try {
    renameSync(prev, appBundle);
  } catch (err) {
    if (failed) renameSync(failed, appBundle);
    throw err;
  }
  syncDir(parent);
  if (failed) rmSync(failed, { recursive: true, force: true });
}

/**
 * At start: removes staging folders and failed bundles an interrupted apply or restore left beside the app,
 * and puts the kept bundle back if the installed name is empty (a kill between the two renames). Returns how
 * many things it cleaned up.
 */
export function sweepMac(appBundle: string): number {
  const parent = dirname(appBundle);
  let count = 0;
  const prev = macPreviousPath(appBundle);
  if (!existsSync(appBundle) && existsSync(prev)) {
    try {
      renameSync(prev, appBundle);
      count++;
    } catch {
      // Leave it for the user; the kept bundle is still there.
    }
  }
  let names: string[] = [];
  try {
    names = readdirSync(parent);
  } catch {
    return count;
  }
  const mine = [stagePrefix(appBundle), `.${basename(appBundle)}.tidings-failed-`];
  for (const n of names) {
    if (!mine.some((p) => n.startsWith(p))) continue;
    try {
      if (statSync(join(parent, n)).isDirectory()) rmSync(join(parent, n), { recursive: true, force: true });
      count++;
    } catch {
      // Not removable now; next start.
    }
  }
  return count;
}
