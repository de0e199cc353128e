// The AppImage apply for real (docs/updates.md): real files, real renames, and small `#!/bin/sh` test executables
// that print their version, so "the app still runs" is checked by running it. Faults that need a mount (a
// read-only folder, a full disk, a second filesystem) use a tmpfs where this machine allows mounting, and report
// themselves skipped with the reason where it doesn't (an unprivileged CI container).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplyError, applyAppImage, previousPath, restoreAppImage, sweepAppImage } from '../../electron/core/apply/appimage.ts';
import { Scratch, mode, runApp, sha256, testApp, writeApp } from './helpers/appimage-fixture.ts';

const MB = 1 << 20;

interface Install {
  scratch: Scratch;
  appDir: string;
  target: string;
  old: Buffer;
  next: Buffer;
  /** The verified download, in a downloads folder beside the app folder unless told otherwise. */
  source: string;
}

/** 1.0.0 installed at <appDir>/Tidings.AppImage, 1.1.0 downloaded. */
function install(t: TestContext, opts: { appDir?: string; scratch?: Scratch; size?: number; downloads?: string } = {}): Install {
  const scratch = opts.scratch ?? new Scratch(t);
  const appDir = opts.appDir ?? join(scratch.dir, 'Applications');
  mkdirSync(appDir, { recursive: true });
  const target = join(appDir, 'Tidings.AppImage');
  const old = testApp('1.0.0', opts.size ?? 64 * 1024);
  const next = testApp('1.1.0', opts.size ?? 64 * 1024);
  writeApp(target, old);
  const downloads = opts.downloads ?? join(scratch.dir, 'downloads');
  mkdirSync(downloads, { recursive: true });
  const source = join(downloads, 'Tidings-1.1.0.AppImage');
  writeFileSync(source, next); // as the downloader leaves it: not executable
  return { scratch, appDir, target, old, next, source };
}

/** One sentence or two for a person: no error codes, no stack, no "Error:" prefix, ends with a full stop. */
function assertPlain(err: unknown, kind: ApplyError['kind']): ApplyError {
  assert.ok(err instanceof ApplyError, `an ApplyError, got ${String(err)}`);
  assert.equal(err.kind, kind, err.message);
  assert.match(err.message, /^[A-Z].*\.$/s, err.message);
  // Paths are left out: a temporary directory's random suffix (say "-ESZKJT") looks like an error code.
  assert.doesNotMatch(err.message.replace(/\S*\/\S*/g, ''), /\b(E[A-Z]{3,}|errno|syscall)\b|Error:|\n/, err.message);
  return err;
}

async function rejects(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return assert.fail('the apply should have failed');
}

const listing = (dir: string) => readdirSync(dir).sort();

test('apply: the target becomes the new bytes, 0755, and runs the new version; the previous is kept with the old bytes and still runs', async (t) => {
  const w = install(t, { size: 2 * MB });
  const steps: string[] = [];
  await applyAppImage(w.source, w.target, sha256(w.next).toUpperCase(), { step: (s) => steps.push(s) });

  assert.deepEqual(steps, ['copied', 'kept-previous', 'renamed']);
  assert.ok(readFileSync(w.target).equals(w.next), 'the target holds exactly the new bytes');
  assert.equal(mode(w.target), 0o755);
  assert.equal(runApp(w.target), '1.1.0');
  const prev = previousPath(w.target);
  assert.equal(prev, join(w.appDir, '.Tidings.AppImage.tidings-previous'));
  assert.ok(readFileSync(prev).equals(w.old), 'the previous holds exactly the old bytes');
  assert.equal(runApp(prev), '1.0.0');
  assert.deepEqual(listing(w.appDir), ['.Tidings.AppImage.tidings-previous', 'Tidings.AppImage'], 'no temporary file left');
  assert.ok(existsSync(w.source), 'the download is the caller\'s to remove');
});

test('a second apply keeps the version it replaces as the previous (1.1.0), not the one before (1.0.0)', async (t) => {
  const w = install(t);
  await applyAppImage(w.source, w.target, sha256(w.next));
  const third = testApp('1.2.0', 64 * 1024);
  const src = join(w.scratch.dir, 'downloads', 'Tidings-1.2.0.AppImage');
  writeFileSync(src, third);
  await applyAppImage(src, w.target, sha256(third));
  assert.equal(runApp(w.target), '1.2.0');
  assert.equal(runApp(previousPath(w.target)), '1.1.0');
  assert.equal(listing(w.appDir).length, 2);
});

test('apply over a running executable: the running process carries on (no "text file busy"), the next start runs the new version', async (t) => {
  const w = install(t);
  // A real ELF binary as the installed app, running while the update is applied.
  copyFileSync(realpathSync('/bin/sleep'), w.target);
  const running = spawn(w.target, ['5'], { stdio: 'ignore' });
  t.after(() => running.kill('SIGKILL'));
  await new Promise((r) => running.once('spawn', r));
  await applyAppImage(w.source, w.target, sha256(w.next));
  assert.equal(running.exitCode, null, 'the running old version is still running');
  assert.equal(runApp(w.target), '1.1.0');
});

test('a hash mismatch installs nothing: the target is unchanged and runs, no temporary file, no previous touched', async (t) => {
  const w = install(t, { size: 2 * MB });
  const before = listing(w.appDir);
  const stBefore = statSync(w.target);
  const err = assertPlain(await rejects(applyAppImage(w.source, w.target, sha256(testApp('1.1.0', 10)))), 'mismatch');
  assert.match(err.message, /doesn't match/);
  assert.deepEqual(listing(w.appDir), before, 'no temporary file and no previous left');
  assert.ok(readFileSync(w.target).equals(w.old));
  assert.equal(statSync(w.target).ino, stBefore.ino, 'the very same file is installed');
  assert.equal(runApp(w.target), '1.0.0');
});

test('a corrupt download (one byte flipped at the end) is refused the same way', async (t) => {
  const w = install(t, { size: 2 * MB });
  const bad = Buffer.from(w.next);
  bad[bad.length - 1] = (bad.at(-1) ?? 0) ^ 0xff;
  writeFileSync(w.source, bad);
  assertPlain(await rejects(applyAppImage(w.source, w.target, sha256(w.next))), 'mismatch');
  assert.deepEqual(listing(w.appDir), ['Tidings.AppImage']);
  assert.equal(runApp(w.target), '1.0.0');
});

test('a vanished installed file: one plain sentence, nothing written in its folder', async (t) => {
  const w = install(t);
  rmSync(w.target);
  const err = assertPlain(await rejects(applyAppImage(w.source, w.target, sha256(w.next))), 'missing');
  assert.ok(err.message.includes(w.target), 'says where it looked');
  assert.deepEqual(listing(w.appDir), []);
});

test('a read-only app folder: one plain sentence, the app unchanged and runnable', async (t) => {
  const scratch = new Scratch(t);
  let w: Install;
  if (process.getuid?.() !== 0) {
    // Not root: the folder's permissions are enough to stop us.
    w = install(t, { scratch });
    chmodSync(w.appDir, 0o555);
  } else {
    // Root writes through permissions: a tmpfs remounted read-only stops it.
    const why = scratch.mountTmpfs('ro-apps', 8 * MB);
    if (why) return t.skip(why);
    w = install(t, { scratch, appDir: join(scratch.dir, 'ro-apps') });
    const roWhy = scratch.remountReadOnly('ro-apps');
    if (roWhy) return t.skip(roWhy);
  }
  try {
    const err = assertPlain(await rejects(applyAppImage(w.source, w.target, sha256(w.next))), 'read-only');
    assert.ok(err.message.includes(w.appDir), 'names the folder');
    assert.deepEqual(listing(w.appDir), ['Tidings.AppImage']);
    assert.ok(readFileSync(w.target).equals(w.old));
    assert.equal(runApp(w.target), '1.0.0');
  } finally {
    // So the scratch folder can be removed (a read-only mount is simply unmounted).
    if (process.getuid?.() !== 0) chmodSync(w.appDir, 0o755);
  }
});

test('a full disk (a 3 MB tmpfs, a 2 MB installed app, a 2 MB update): one plain sentence, no partial file left, the app unchanged and runnable', async (t) => {
  const scratch = new Scratch(t);
  const why = scratch.mountTmpfs('small-apps', 3 * MB);
  if (why) return t.skip(why);
  const w = install(t, { scratch, appDir: join(scratch.dir, 'small-apps'), size: 2 * MB });
  const err = assertPlain(await rejects(applyAppImage(w.source, w.target, sha256(w.next))), 'no-space');
  assert.ok(err.message.includes(w.appDir), 'names the folder');
  assert.deepEqual(listing(w.appDir), ['Tidings.AppImage'], 'the partial copy was removed');
  assert.ok(readFileSync(w.target).equals(w.old));
  assert.equal(runApp(w.target), '1.0.0');
  // The failed copy gave its space back: a smaller update (512 KB) fits and installs.
  const small = testApp('1.1.1', 512 * 1024);
  const src = join(scratch.dir, 'downloads', 'Tidings-1.1.1.AppImage');
  writeFileSync(src, small);
  await applyAppImage(src, w.target, sha256(small));
  assert.equal(runApp(w.target), '1.1.1');
});

test('the download folder on another filesystem than the app: the apply still works, and its last step is a rename in the app folder', async (t) => {
  const scratch = new Scratch(t);
  const appDir = join(scratch.dir, 'Applications');
  mkdirSync(appDir);
  const other = scratch.otherFilesystem(appDir, 4 * MB);
  if ('skip' in other) return t.skip(other.skip);
  assert.notEqual(statSync(other.dir).dev, statSync(appDir).dev, 'really two filesystems');
  const w = install(t, { scratch, appDir, downloads: other.dir, size: 2 * MB });
  let inodeBeforeRename = -1;
  await applyAppImage(w.source, w.target, sha256(w.next), {
    step: (s) => {
      if (s !== 'kept-previous') return;
      const tmp = readdirSync(appDir).filter((n) => n.startsWith('.Tidings.AppImage.tidings-new-'));
      assert.equal(tmp.length, 1, 'the new file is written beside the app');
      inodeBeforeRename = statSync(join(appDir, tmp[0]!)).ino;
    },
  });
  assert.equal(statSync(w.target).ino, inodeBeforeRename, 'the file written beside the app is the one renamed into place');
  assert.ok(readFileSync(w.target).equals(w.next));
  assert.equal(runApp(w.target), '1.1.0');
  assert.equal(runApp(previousPath(w.target)), '1.0.0');
});

test('restoreAppImage puts the old version back by one rename (the same file, not a copy); a vanished previous gives one sentence', async (t) => {
  const w = install(t);
  await applyAppImage(w.source, w.target, sha256(w.next));
  const prev = previousPath(w.target);
  const prevIno = statSync(prev).ino;
  restoreAppImage(w.target);
  assert.equal(statSync(w.target).ino, prevIno, 'renamed, not copied');
  assert.ok(readFileSync(w.target).equals(w.old));
  assert.equal(mode(w.target), 0o755);
  assert.equal(runApp(w.target), '1.0.0');
  assert.deepEqual(listing(w.appDir), ['Tidings.AppImage']);

  let err: unknown;
  try {
    restoreAppImage(w.target);
  } catch (e) {
    err = e;
  }
  assertPlain(err, 'missing');
  assert.equal(runApp(w.target), '1.0.0', 'the installed app is left as it was');
});

test('sweepAppImage removes this app\'s .tidings-new-* leftovers and nothing else', async (t) => {
  const w = install(t);
  await applyAppImage(w.source, w.target, sha256(w.next));
  const keep = [
    'Tidings.AppImage',
    '.Tidings.AppImage.tidings-previous',
    '.Other.AppImage.tidings-new-0a1b2c', // another app's apply in progress
    'Tidings.AppImage.tidings-new-0a1b2c', // not our name (no leading dot)
    'notes.txt',
  ];
  const leftovers = ['.Tidings.AppImage.tidings-new-3f9a0c1d2e4b', '.Tidings.AppImage.tidings-new-prev-9e8d7c6b'];
  for (const name of [...keep.slice(2), ...leftovers]) writeFileSync(join(w.appDir, name), 'x');
  assert.equal(sweepAppImage(w.target), 2);
  assert.deepEqual(listing(w.appDir), [...keep].sort());
  assert.equal(runApp(w.target), '1.1.0');
  assert.equal(sweepAppImage(w.target), 0, 'nothing to do the second time');
  assert.equal(sweepAppImage(join(w.scratch.dir, 'gone', 'Tidings.AppImage')), 0, 'a missing folder is not an error');
});

test('the verified download vanished before the restart: one sentence, nothing installed, no temporary file', async (t) => {
  const i = install(t);
  rmSync(i.source);
  await assert.rejects(applyAppImage(i.source, i.target, sha256(i.next)), (e: unknown) =>
    e instanceof ApplyError && e.kind === 'missing' && e.message === "The downloaded update is gone, so it wasn't installed. Download it again.");
  assert.deepEqual(readFileSync(i.target), i.old);
  assert.deepEqual(readdirSync(i.appDir), ['Tidings.AppImage']);
});
