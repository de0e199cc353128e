// Replacing a running AppImage in place (docs/updates.md). The new file is written beside the installed one
// (same folder, so the same filesystem and an atomic rename), hash-checked as it is copied, made executable and
// fsynced; the installed file keeps a second name for rollback; then one rename puts the new file over the old
// name. At every instant the target name holds either the old or the new complete executable: kill -9 anywhere
// leaves a runnable app and at most a temporary file, which the next start sweeps. Never delete-then-move.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants as fsc, copyFileSync, fsyncSync, openSync, existsSync, linkSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { access, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDir } from './atomic-file.ts';
import { ApplyError } from './errors.ts';

/** The kept previous version of `target`, for the watchdog's rollback. */
export const previousPath = (target: string) => join(dirname(target), `.${basename(target)}.tidings-previous`);
const newPrefix = (target: string) => `.${basename(target)}.tidings-new-`;

// ApplyError lives in errors.ts (shared by every applier); re-exported for existing importers.
export { ApplyError };

export interface AppImageApplyOptions {
  /** Test hook called between steps (the fault test kills the process at random moments instead). */
  step?: (name: 'copied' | 'kept-previous' | 'renamed') => void;
}

/** Puts `source` (a verified download) over `target`; re-checks the hash while copying. */
export async function applyAppImage(source: string, target: string, sha256: string, opts: AppImageApplyOptions = {}): Promise<void> {
  const dir = dirname(target);
  await checkTarget(target);
  const tmp = join(dir, newPrefix(target) + randomBytes(6).toString('hex'));
  try {
    await copyHashed(source, tmp, sha256);
    opts.step?.('copied');
    keepPrevious(target);
    opts.step?.('kept-previous');
    await rename(tmp, target);
    syncDir(dir);
    opts.step?.('renamed');
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw plain(err, dir, source, target);
  }
}

/** Puts the kept previous version back over `target` (the watchdog's rollback); one rename. */
export function restoreAppImage(target: string): void {
  const prev = previousPath(target);
  if (!existsSync(prev)) throw new ApplyError(`The previous version is no longer at ${dirname(target)}, so it couldn't be restored.`, 'missing');
  renameSync(prev, target);
  syncDir(dirname(target));
}

/** Removes temporary files an interrupted apply left beside `target`; returns how many. Safe to call at every start. */
export function sweepAppImage(target: string): number {
  const dir = dirname(target);
  const prefix = newPrefix(target);
  let swept = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    try {
      rmSync(join(dir, name), { force: true });
      swept++;
    } catch {
      // Not ours to remove (another user's file?): leave it.
    }
  }
  return swept;
}

async function checkTarget(target: string): Promise<void> {
  try {
    const st = await stat(target);
    if (!st.isFile()) throw new ApplyError(`${target} is not a file, so the update can't replace it.`, 'failed');
  } catch (err) {
    if (err instanceof ApplyError) throw err;
    throw new ApplyError(`The installed app isn't at ${target} any more, so the update can't be installed.`, 'missing');
  }
  try {
    await access(dirname(target), fsc.W_OK);
  } catch {
    throw new ApplyError(`The app's folder ${dirname(target)} is read-only, so the update can't be installed there. Move the app to a folder you can write to, or download the new version yourself.`, 'read-only');
  }
}

/** Copies while hashing; the copy is executable and on disk before it is trusted. */
async function copyHashed(source: string, dest: string, sha256: string): Promise<void> {
  const hash = createHash('sha256');
  const from = await open(source, 'r');
  try {
    const to = await open(dest, 'wx', 0o700);
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await from.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        hash.update(chunk);
        let off = 0;
        while (off < bytesRead) off += (await to.write(chunk, off, bytesRead - off)).bytesWritten;
      }
      await to.chmod(0o755);
      await to.sync();
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  if (hash.digest('hex') !== sha256.toLowerCase()) {
    throw new ApplyError("The downloaded update doesn't match its signature, so it wasn't installed.", 'mismatch');
  }
}

/** The installed file gets a second name (a hard link: the target never goes away); a copy where links aren't allowed. */
function keepPrevious(target: string): void {
  const prev = previousPath(target);
  rmSync(prev, { force: true });
  try {
    linkSync(target, prev);
  } catch {
    // Filesystems without hard links (some FUSE/network mounts): copy beside it, then rename into place.
    const tmp = join(dirname(target), newPrefix(target) + 'prev-' + randomBytes(4).toString('hex'));
    try {
      copyFileSync(target, tmp);
      chmodSync(tmp, 0o755);
      const fd = openSync(tmp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, prev);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }
}

function plain(err: unknown, dir: string, source: string, target: string): Error {
  if (err instanceof ApplyError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && !existsSync(source)) return new ApplyError("The downloaded update is gone, so it wasn't installed. Download it again.", 'missing');
  if (code === 'ENOENT' && !existsSync(target)) return new ApplyError(`The installed app isn't at ${target} any more, so the update can't be installed.`, 'missing');
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ApplyError(`There isn't enough free space in ${dir} to install the update. Free some space and try again.`, 'no-space');
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new ApplyError(`The app's folder ${dir} can't be written to, so the update can't be installed there.`, 'read-only');
  // The cause (with its error code) goes to the log through `cause`; the user reads one sentence.
  const e = new ApplyError("The update couldn't be installed. Your current version is unchanged.", 'failed');
  (e as Error & { cause?: unknown }).cause = err;
  return e;
}
