// Small files the update hand-off shares between processes (the plan, the health report, the outcome) are
// written whole or not at all: a temporary file in the same folder, fsynced, renamed over the name, then the
// folder fsynced so the rename itself survives a power cut. A reader never sees half a file.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(path: string, data: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dirname(path));
}

/** fsync a folder so a rename in it is durable; some filesystems refuse to open or sync a folder: best effort. */
export function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here (e.g. some network or Windows filesystems); the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
