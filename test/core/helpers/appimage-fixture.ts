// Test executables standing in for AppImages, and the mounts the apply tests need (a small or read-only tmpfs,
// a second filesystem for the download folder). Mounting needs root and a container that allows it; where it
// isn't allowed the helpers return the reason, and the test reports itself skipped with it.
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * A `#!/bin/sh` program that prints `version` and exits, padded to `size` bytes with random data after its
 * `exit` (the shell never reads that far), like an AppImage's runtime followed by its squashfs payload.
 */
export function testApp(version: string, size = 0): Buffer {
  const script = Buffer.from(`#!/bin/sh\necho ${version}\nexit 0\n`);
  return size > script.length ? Buffer.concat([script, randomBytes(size - script.length)]) : script;
}

export function writeApp(file: string, bytes: Buffer): void {
  writeFileSync(file, bytes);
  chmodSync(file, 0o755);
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs the installed file as the user's launcher would; what it printed, or the failure. */
export function runApp(file: string): string {
  const r = spawnSync(file, [], { encoding: 'utf8', timeout: 5000 });
  if (r.error) return `failed to run: ${r.error.message}`;
  return r.status === 0 ? r.stdout.trim() : `exit ${r.status ?? r.signal}: ${r.stderr.trim()}`;
}

export const mode = (file: string) => statSync(file).mode & 0o777;

function sh(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return r.error.message;
  // The first line says why (mount adds a hint about dmesg on the next).
  return r.status === 0 ? null : (r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.status}`;
}

/**
 * A scratch folder for one test, where tmpfs mounts can be made. When the test ends the mounts are undone first
 * (lazily if something still holds one), then the folder is removed: one hook, so the order can't go wrong.
 */
export class Scratch {
  readonly dir: string;
  private readonly mounts: string[] = [];
  private readonly extra: string[] = [];

  constructor(t: TestContext, prefix = 'tidings-apply-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    t.after(() => {
      for (const m of this.mounts.reverse()) if (sh('umount', [m])) sh('umount', ['-l', m]);
      for (const d of [...this.extra, this.dir]) rmSync(d, { recursive: true, force: true });
    });
  }

  /** Mounts a fresh tmpfs of `size` bytes on a new folder `name`; returns why not, or null when mounted. */
  mountTmpfs(name: string, size: number): string | null {
    const uid = process.getuid?.() ?? -1;
    if (uid !== 0) return `mounting a tmpfs needs root (running as uid ${uid})`;
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    const err = sh('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tidings-test', dir]);
    if (err) return `mount -t tmpfs isn't allowed here: ${err}`;
    this.mounts.push(dir);
    return null;
  }

  /** Makes a tmpfs mounted by mountTmpfs read-only; returns why not, or null. */
  remountReadOnly(name: string): string | null {
    const err = sh('mount', ['-o', 'remount,ro', join(this.dir, name)]);
    return err ? `remounting read-only isn't allowed here: ${err}` : null;
  }

  /**
   * A download folder on another filesystem than `appDir`, with room for `need` bytes: /dev/shm when it is
   * one, else a tmpfs mounted for the test. Returns the folder, or why there is none here.
   */
  otherFilesystem(appDir: string, need: number): { dir: string } | { skip: string } {
    const appDev = statSync(appDir).dev;
    let shmWhy: string;
    try {
      const fs = statfsSync('/dev/shm');
      if (statSync('/dev/shm').dev === appDev) shmWhy = `/dev/shm is on the same filesystem as ${appDir}`;
      else if (fs.bavail * fs.bsize < need * 2) shmWhy = `/dev/shm has less than ${Math.round((need * 2) / 2 ** 20)} MB free`;
      else {
        const dir = mkdtempSync('/dev/shm/tidings-download-');
        this.extra.push(dir);
        return { dir };
      }
    } catch (err) {
      shmWhy = `no /dev/shm (${(err as Error).message})`;
    }
    const why = this.mountTmpfs('download-fs', need * 2 + (1 << 20));
    if (why) return { skip: `no second filesystem for the download folder: ${shmWhy}, and ${why}` };
    const dir = join(this.dir, 'download-fs');
    if (statSync(dir).dev === appDev) return { skip: `the mounted tmpfs reports the same device as ${appDir}` };
    return { dir };
  }
}
