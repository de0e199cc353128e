// Every applier installs a private copy of the verified download, never the download itself: the copy is
// hash-checked as it is written, so what the installer (or root, through pkexec) reads is exactly the file the
// signed release names, even if the download folder changes afterwards. A mismatch removes the copy and no
// program is run.
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplyError, plainFsError } from './errors.ts';

export const MISMATCH = "The downloaded update doesn't match its signature, so it wasn't installed.";

/** Copies `source` to `dest` (which must not exist) while hashing; throws (and removes dest) on a mismatch. */
export async function copyVerified(source: string, dest: string, sha256: string, mode = 0o644): Promise<void> {
  const hash = createHash('sha256');
  let from;
  try {
    from = await open(source, 'r');
  } catch {
    throw new ApplyError("The downloaded update is no longer there, so it wasn't installed. Download it again.", 'missing');
  }
  try {
    const to = await open(dest, 'wx', mode);
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
      await to.sync();
    } finally {
      await to.close();
    }
  } catch (err) {
    await rm(dest, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    await from.close();
  }
  if (hash.digest('hex') !== sha256.toLowerCase()) {
    await rm(dest, { force: true }).catch(() => undefined);
    throw new ApplyError(MISMATCH, 'mismatch');
  }
}

/**
 * A fresh folder `<parent>/<prefix><random>` holding a verified copy named `name`. Returns both; the caller
 * removes the folder when done (sweeps catch what a kill leaves).
 */
export async function stageVerified(source: string, parent: string, prefix: string, name: string, sha256: string, mode = 0o644): Promise<{ dir: string; file: string }> {
  let dir: string;
  try {
    dir = await mkdtemp(join(parent, prefix));
  } catch (err) {
    throw plainFsError(err, parent);
  }
  const file = join(dir, name);
  try {
    await copyVerified(source, file, sha256, mode);
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw plainFsError(err, parent);
  }
  return { dir, file };
}
