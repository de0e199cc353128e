// Contract tests for the appliers that can't run here (docs/updates.md): deb/rpm through pkexec, Windows NSIS,
// macOS zip. The decision logic (which installer, when, with which privileges) and every file step run for
// real on real folders; only the external programs are a recording fake (helpers/recording-runner.ts) that
// receives exactly the programs, arguments, environment and files they would, in order. For macOS the fake
// plays `ditto` (it unpacks by creating the bundle) and the renames around it are real.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ApplyError } from '../../electron/core/apply/errors.ts';
import { createApplier, type ApplierDeps } from '../../electron/core/apply/applier.ts';
import { assetPackage, detectInstall, realProbes, type FsProbes, type InstallKind } from '../../electron/core/apply/kinds.ts';
import { macPreviousPath, restoreMac, sweepMac } from '../../electron/core/apply/mac.ts';
import { recordingRunner, startError, type RecordedCall, type Respond } from './helpers/recording-runner.ts';
import { tempDir } from './helpers/tmp.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const WRONG = 'f'.repeat(64);

interface World {
  dir: string;
  staging: string;
  bin: string;
  /** The verified download. */
  payload: string;
  payloadSha: string;
}

function world(t: TestContext, name = 'Tidings_2.0.0_amd64.deb', tools: string[] = ['pkexec', 'apt-get', 'dpkg', 'rpm', 'dnf']): World {
  const dir = tempDir(t, 'tidings-contract-');
  const staging = join(dir, 'downloads');
  const bin = join(dir, 'bin');
  mkdirSync(staging);
  mkdirSync(bin);
  // Real executables on a real search path: the lookup (an X_OK probe) runs for real; the fake never runs them.
  for (const tool of tools) {
    writeFileSync(join(bin, tool), '#!/bin/sh\nexit 99\n');
    chmodSync(join(bin, tool), 0o755);
  }
  const payload = join(staging, name);
  const body = Buffer.from(`package ${name} ${'x'.repeat(5000)}`);
  writeFileSync(payload, body);
  return { dir, staging, bin, payload, payloadSha: sha(body) };
}

async function rejects(p: Promise<unknown>, kind: ApplyError['kind']): Promise<ApplyError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApplyError, `an ApplyError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.message, /^[A-Z].*[.!]$/, 'one plain sentence (or two), ending with a full stop');
    // Paths are left out: a temporary directory's random suffix (say "-ESZKJT") looks like an error code.
    assert.doesNotMatch(err.message.replace(/\S*\/\S*/g, ''), /\bE[A-Z]{3,}\b/, 'no error codes');
    return err;
  }
  assert.fail(`expected an ApplyError (${kind})`);
}

/** What is in the staging folder besides the download itself. */
const leftovers = (w: World) => readdirSync(w.staging).filter((n) => n !== basename(w.payload));

/** The one staged copy the call received (the last argument for the package tools). */
function stagedArg(w: World, call: RecordedCall, index = call.args.length - 1): string {
  const staged = call.args[index] as string;
  assert.equal(dirname(dirname(staged)), w.staging, 'a private copy inside the staging folder');
  assert.equal(call.files[staged], w.payloadSha, 'the copy is present, complete and verified when the program runs');
  return staged;
}

// ---------------------------------------------------------------------------------------------------- deb / rpm

function linuxApplier(w: World, kind: 'deb' | 'rpm', respond: Respond, extra: Partial<ApplierDeps> = {}) {
  const runner = recordingRunner(respond);
  const applier = createApplier({ kind }, { runner, stagingDir: w.staging, path: w.bin, uid: 1000, ...extra });
  return { runner, applier };
}

test('deb with a prompt agent: one pkexec run of apt-get install on a verified private copy, nothing left behind', async (t) => {
  const w = world(t);
  const { runner, applier } = linuxApplier(w, 'deb', () => ({ code: 0 }));
  assert.deepEqual([applier.kind, applier.package, applier.when, applier.elevation, applier.atQuit], ['deb', 'deb', 'restart', 'pkexec', false]);
  assert.equal(applier.restore.kind, 'none');
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  assert.equal(runner.calls.length, 1);
  const [call] = runner.calls as [RecordedCall];
  const staged = stagedArg(w, call);
  assert.match(staged, /\.deb$/, 'apt-get takes a local package only by a path ending in .deb');
  assert.deepEqual({ how: call.how, cmd: call.cmd, args: call.args, env: call.env },
    { how: 'run', cmd: join(w.bin, 'pkexec'), args: ['--disable-internal-agent', join(w.bin, 'apt-get'), 'install', '-y', '--allow-downgrades', staged], env: {} });
  assert.deepEqual(leftovers(w), [], 'the private copy is removed after the install');
});

test('deb without apt-get falls back to dpkg -i; as root no prompt at all (and then it may install at quit)', async (t) => {
  const w = world(t, 'Tidings.deb', ['pkexec', 'dpkg']);
  const { runner, applier } = linuxApplier(w, 'deb', () => ({ code: 0 }));
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  assert.deepEqual(runner.calls.map((c) => [c.cmd, ...c.args.slice(0, -1)]), [[join(w.bin, 'pkexec'), '--disable-internal-agent', join(w.bin, 'dpkg'), '-i']]);

  const root = linuxApplier(w, 'deb', () => ({ code: 0 }), { uid: 0 });
  assert.deepEqual([root.applier.elevation, root.applier.atQuit], ['none', true]);
  await root.applier.apply(w.payload, '2.0.0', w.payloadSha);
  assert.deepEqual(root.runner.calls.map((c) => [c.cmd, ...c.args.slice(0, -1)]), [[join(w.bin, 'dpkg'), '-i']]);
  stagedArg(w, root.runner.calls[0] as RecordedCall);
});

test('deb: the user dismissed the prompt (pkexec 126) → a plain message, nothing installed, copy removed', async (t) => {
  const w = world(t);
  const { runner, applier } = linuxApplier(w, 'deb', () => ({ code: 126, stderr: 'Error executing command as another user: Request dismissed\n' }));
  const err = await rejects(applier.apply(w.payload, '2.0.0', w.payloadSha), 'cancelled');
  assert.match(err.message, /permission request was cancelled/);
  assert.equal(runner.calls.length, 1);
  assert.deepEqual(leftovers(w), []);
});

test('deb without a polkit agent (pkexec 127) → the exact command to install it by hand', async (t) => {
  const w = world(t, 'Tidings 2.0.0.deb');
  const { applier } = linuxApplier(w, 'deb', () => ({ code: 127, stderr: 'Error executing command as another user: No authentication agent found.\n' }));
  const err = await rejects(applier.apply(w.payload, '2.0.0', w.payloadSha), 'no-prompt');
  const command = `sudo apt-get install '${w.payload}'`;
  assert.equal(err.command, command, 'quoted for the shell (the name has spaces); the download, which stays');
  assert.equal(err.message, `There's no password prompt available on this desktop, so the update wasn't installed. To install it yourself, run ${command} in a terminal.`);
  assert.deepEqual(leftovers(w), []);
});

test('deb: pkexec not installed → the command by hand, before anything is copied or run', async (t) => {
  const w = world(t, 'Tidings.deb', ['apt-get', 'dpkg']);
  const { runner, applier } = linuxApplier(w, 'deb', () => ({ code: 0 }));
  const err = await rejects(applier.apply(w.payload, '2.0.0', w.payloadSha), 'no-prompt');
  assert.match(err.message, /no pkexec/);
  assert.equal(err.command, `sudo apt-get install ${w.payload}`);
  assert.equal(runner.calls.length, 0);
  assert.deepEqual(leftovers(w), []);
});

test('deb: another program holds the package lock → "try again when it has finished"', async (t) => {
  const w = world(t);
  const { applier } = linuxApplier(w, 'deb', () => ({ code: 100, stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (unattended-upgr)\n' }));
  const err = await rejects(applier.apply(w.payload, '2.0.0', w.payloadSha), 'busy');
  assert.match(err.message, /Another program is installing software/);
});

test('rpm with a prompt agent: pkexec rpm -U --oldpackage on the verified copy', async (t) => {
  const w = world(t, 'tidings-2.0.0.x86_64.rpm');
  const { runner, applier } = linuxApplier(w, 'rpm', () => ({ code: 0 }));
  assert.deepEqual([applier.package, applier.when, applier.elevation, applier.atQuit], ['rpm', 'restart', 'pkexec', false]);
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  const [call] = runner.calls as [RecordedCall];
  const staged = stagedArg(w, call);
  assert.deepEqual({ how: call.how, cmd: call.cmd, args: call.args, env: call.env },
    { how: 'run', cmd: join(w.bin, 'pkexec'), args: ['--disable-internal-agent', join(w.bin, 'rpm'), '-U', '--oldpackage', staged], env: {} });
  assert.equal(runner.calls.length, 1);
  assert.deepEqual(leftovers(w), []);
});

test('rpm: dismissed, no agent, missing dependencies → each its own plain message; the by-hand command uses dnf', async (t) => {
  const w = world(t, 'tidings-2.0.0.x86_64.rpm');
  const dismissed = linuxApplier(w, 'rpm', () => ({ code: 126 }));
  await rejects(dismissed.applier.apply(w.payload, '2.0.0', w.payloadSha), 'cancelled');

  const noAgent = linuxApplier(w, 'rpm', () => ({ code: 127, stderr: 'Error executing command as another user: No authentication agent found.' }));
  const e1 = await rejects(noAgent.applier.apply(w.payload, '2.0.0', w.payloadSha), 'no-prompt');
  assert.equal(e1.command, `sudo dnf install ${w.payload}`);

  const notAllowed = linuxApplier(w, 'rpm', () => ({ code: 127, stderr: 'Error executing command as another user: Not authorized\n' }));
  const e2 = await rejects(notAllowed.applier.apply(w.payload, '2.0.0', w.payloadSha), 'no-prompt');
  assert.match(e2.message, /isn't allowed to install software/);

  const deps = linuxApplier(w, 'rpm', () => ({ code: 1, stderr: 'error: Failed dependencies:\n\tlibsecret-1.so.0()(64bit) is needed by tidings-2.0.0-1.x86_64\n' }));
  const e3 = await rejects(deps.applier.apply(w.payload, '2.0.0', w.payloadSha), 'failed');
  assert.match(e3.message, /needs other packages/);
  assert.equal(e3.command, `sudo dnf install ${w.payload}`);
  assert.deepEqual(leftovers(w), []);
});

test('a system without the package tool says so plainly', async (t) => {
  const w = world(t, 'x.rpm', ['pkexec']);
  const { runner, applier } = linuxApplier(w, 'rpm', () => ({ code: 0 }));
  const err = await rejects(applier.apply(w.payload, '2.0.0', w.payloadSha), 'unsupported');
  assert.match(err.message, /no rpm/);
  assert.equal(runner.calls.length, 0);
});

// ---------------------------------------------------------------------------------------------------- NSIS

function nsisApplier(w: World, perMachine: boolean, elevateExe: string | null, respond: Respond = () => undefined) {
  const runner = recordingRunner(respond);
  const applier = createApplier({ kind: 'nsis', perMachine, installDir: join(w.dir, 'app'), elevateExe }, { runner, stagingDir: w.staging });
  return { runner, applier };
}

test('NSIS per-user: the verified installer starts detached at quit with --updated /S --force-run, no elevation', async (t) => {
  const w = world(t, 'Tidings Setup 2.0.0.exe');
  const { runner, applier } = nsisApplier(w, false, join(w.dir, 'elevate.exe'));
  assert.deepEqual([applier.package, applier.when, applier.elevation, applier.atQuit], ['nsis', 'quit', 'none', true]);
  assert.equal(applier.restore.kind, 'none');
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  const [call] = runner.calls as [RecordedCall];
  assert.equal(runner.calls.length, 1);
  assert.equal(call.how, 'detached');
  assert.equal(call.files[call.cmd], w.payloadSha, 'the program started is the verified copy itself');
  assert.equal(dirname(dirname(call.cmd)), w.staging);
  assert.deepEqual(call.args, ['--updated', '/S', '--force-run']);
  assert.deepEqual(call.env, {});
  assert.equal(leftovers(w).length, 1, 'the copy waits for the installer (it runs after the app has quit)');

  // Install When I Quit: no relaunch.
  await applier.apply(w.payload, '2.0.0', w.payloadSha, { relaunch: false });
  assert.deepEqual(runner.calls[1]?.args, ['--updated', '/S']);
  // The next start sweeps the copies.
  assert.equal(applier.sweep(), 2);
  assert.deepEqual(leftovers(w), []);
});

test('NSIS per-machine: through electron-builder\'s elevate.exe (a UAC prompt), never at quit unasked', async (t) => {
  const w = world(t, 'Tidings Setup 2.0.0.exe');
  const elevate = join(w.dir, 'elevate.exe');
  writeFileSync(elevate, 'MZ');
  const { runner, applier } = nsisApplier(w, true, elevate);
  assert.deepEqual([applier.when, applier.elevation, applier.atQuit], ['quit', 'uac', false]);
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  const [call] = runner.calls as [RecordedCall];
  assert.equal(call.how, 'detached');
  assert.equal(call.cmd, elevate);
  const installer = stagedArg(w, call, 0);
  assert.deepEqual(call.args, [installer, '--updated', '/S', '--force-run']);
});

test('NSIS per-machine without elevate.exe: the installer itself (its own UAC); a refused start → plain message, copy removed', async (t) => {
  const w = world(t, 'Tidings Setup 2.0.0.exe');
  const { runner, applier } = nsisApplier(w, true, null);
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  assert.equal(runner.calls[0]?.files[runner.calls[0].cmd], w.payloadSha);
  assert.deepEqual(runner.calls[0]?.args, ['--updated', '/S', '--force-run']);
  applier.sweep();

  const refused = nsisApplier(w, true, null, () => {
    throw startError('EACCES');
  });
  const err = await rejects(refused.applier.apply(w.payload, '2.0.0', w.payloadSha), 'no-prompt');
  assert.match(err.message, /Windows didn't allow the installer/);
  assert.deepEqual(leftovers(w), []);
});

// ---------------------------------------------------------------------------------------------------- macOS

const plist = (version: string, exe = 'Tidings') => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>CFBundleExecutable</key>
  <string>${exe}</string>
  <key>CFBundleShortVersionString</key>
  <string>${version}</string>
</dict></plist>
`;

function makeBundle(app: string, version: string): void {
  mkdirSync(join(app, 'Contents', 'MacOS'), { recursive: true });
  writeFileSync(join(app, 'Contents', 'Info.plist'), plist(version));
  writeFileSync(join(app, 'Contents', 'MacOS', 'Tidings'), `#!/bin/sh\necho ${version}\n`);
  chmodSync(join(app, 'Contents', 'MacOS', 'Tidings'), 0o755);
}

const bundleVersion = (app: string) => /<string>(\d[^<]*)<\/string>/.exec(readFileSync(join(app, 'Contents', 'Info.plist'), 'utf8'))?.[1];

/** The fake ditto: `ditto -x -k <zip> <out>` unpacks by creating what `unpack` says. */
const ditto = (unpack: (out: string) => void): Respond => (call) => {
  if (call.cmd !== '/usr/bin/ditto') return { code: 1, stderr: 'unexpected program' };
  unpack(call.args[3] as string);
  return { code: 0 };
};

function macWorld(t: TestContext, folder = 'Applications') {
  const w = world(t, 'Tidings-2.0.0-mac.zip');
  const apps = join(w.dir, folder);
  const app = join(apps, 'Tidings.app');
  makeBundle(app, '1.0.0');
  return { ...w, apps, app };
}

test('macOS: ditto unpacks the verified zip beside the app, the bundle is checked, two renames swap it in; restore renames back', async (t) => {
  const w = macWorld(t);
  const runner = recordingRunner(ditto((out) => makeBundle(join(out, 'Tidings.app'), '2.0.0')));
  const applier = createApplier({ kind: 'mac', appBundle: w.app }, { runner, stagingDir: w.staging });
  assert.deepEqual([applier.package, applier.when, applier.elevation, applier.atQuit], ['zip', 'restart', 'none', true]);
  assert.deepEqual(applier.restore, { kind: 'mac', appBundle: w.app });
  await applier.apply(w.payload, '2.0.0', w.payloadSha);

  assert.equal(runner.calls.length, 1);
  const [call] = runner.calls as [RecordedCall];
  const [, , zip, out] = call.args as [string, string, string, string];
  assert.deepEqual({ how: call.how, cmd: call.cmd, args: call.args, env: call.env }, { how: 'run', cmd: '/usr/bin/ditto', args: ['-x', '-k', zip, out], env: {} });
  assert.equal(dirname(dirname(zip)), w.apps, 'staged beside the installed app: the same volume, so the renames are atomic');
  assert.equal(call.files[zip], w.payloadSha, 'ditto reads a verified copy');
  assert.equal(call.files[out], undefined, 'ditto creates the output folder');

  assert.equal(bundleVersion(w.app), '2.0.0');
  assert.equal(bundleVersion(macPreviousPath(w.app)), '1.0.0', 'the installed bundle is kept for the rollback');
  assert.deepEqual(readdirSync(w.apps).sort(), ['.Tidings.app.tidings-previous', 'Tidings.app'], 'no staging left');

  restoreMac(w.app);
  assert.equal(bundleVersion(w.app), '1.0.0');
  assert.deepEqual(readdirSync(w.apps), ['Tidings.app'], 'the failed bundle is removed after the rename back');

  // The next update keeps only the version it replaces.
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  const again = recordingRunner(ditto((out) => makeBundle(join(out, 'Tidings.app'), '3.0.0')));
  await createApplier({ kind: 'mac', appBundle: w.app }, { runner: again, stagingDir: w.staging }).apply(w.payload, '3.0.0', w.payloadSha);
  assert.deepEqual([bundleVersion(w.app), bundleVersion(macPreviousPath(w.app))], ['3.0.0', '2.0.0']);
  assert.deepEqual(readdirSync(w.apps).sort(), ['.Tidings.app.tidings-previous', 'Tidings.app']);
});

test('macOS: a translocated app → a clear message, nothing run, nothing changed', async (t) => {
  const w = world(t, 'Tidings-2.0.0-mac.zip');
  const apps = join(w.dir, 'private/var/folders/zz/T/AppTranslocation/4B2C0F7E-2C44-4A36-9F3E-6B5F1D6E2D11/d');
  const app = join(apps, 'Tidings.app');
  makeBundle(app, '1.0.0');
  const runner = recordingRunner(ditto((out) => makeBundle(join(out, 'Tidings.app'), '2.0.0')));
  const err = await rejects(createApplier({ kind: 'mac', appBundle: app }, { runner, stagingDir: w.staging }).apply(w.payload, '2.0.0', w.payloadSha), 'read-only');
  assert.match(err.message, /temporary read-only copy.*Move Tidings to your Applications folder/);
  assert.equal(runner.calls.length, 0);
  assert.deepEqual(readdirSync(apps), ['Tidings.app']);
  assert.equal(bundleVersion(app), '1.0.0');
});

/** Makes `dir` really read-only: a read-only bind mount as root, else a folder without write permission. */
function makeReadOnly(dir: string): { skip: string } | { undo: () => void } {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return { undo: () => chmodSync(dir, 0o755) };
  }
  const umount = () => {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // wasn't mounted
    }
  };
  try {
    execFileSync('mount', ['--bind', dir, dir], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: 'ignore' });
  } catch (err) {
    umount();
    return { skip: `a read-only mount isn't possible here (${(err as Error).message.split('\n')[0]}), and as root permissions don't stop writes` };
  }
  return { undo: umount };
}

test('macOS: an app on a read-only volume → a clear message, nothing run, nothing changed', async (t) => {
  const w = macWorld(t, 'Volumes/Tidings');
  const ro = makeReadOnly(w.apps);
  if ('skip' in ro) return t.skip(ro.skip);
  try {
    const runner = recordingRunner(ditto((out) => makeBundle(join(out, 'Tidings.app'), '2.0.0')));
    const err = await rejects(createApplier({ kind: 'mac', appBundle: w.app }, { runner, stagingDir: w.staging }).apply(w.payload, '2.0.0', w.payloadSha), 'read-only');
    assert.match(err.message, /read-only disk or in a folder you can't change/);
    assert.equal(runner.calls.length, 0);
    assert.deepEqual(readdirSync(w.apps), ['Tidings.app']);
    assert.equal(bundleVersion(w.app), '1.0.0');
  } finally {
    ro.undo();
  }
});

test('macOS: a zip without an .app, an incomplete bundle, another version, or ditto failing → message, installed app untouched', async (t) => {
  const w = macWorld(t);
  const cases: Array<[Respond, ApplyError['kind'], RegExp]> = [
    [ditto((out) => {
      mkdirSync(out);
      writeFileSync(join(out, 'README.txt'), 'no app here');
    }), 'failed', /doesn't contain the app/],
    [ditto((out) => mkdirSync(join(out, 'Tidings.app', 'Contents'), { recursive: true })), 'failed', /incomplete/],
    [ditto((out) => makeBundle(join(out, 'Tidings.app'), '1.9.0')), 'mismatch', /contains version 1\.9\.0 instead of 2\.0\.0/],
    [() => ({ code: 1, stderr: 'ditto: Couldn\'t read PKZip signature' }), 'failed', /couldn't be unpacked/],
  ];
  for (const [respond, kind, message] of cases) {
    const runner = recordingRunner(respond);
    const err = await rejects(createApplier({ kind: 'mac', appBundle: w.app }, { runner, stagingDir: w.staging }).apply(w.payload, '2.0.0', w.payloadSha), kind);
    assert.match(err.message, message);
    assert.equal(runner.calls.length, 1);
    assert.deepEqual(readdirSync(w.apps), ['Tidings.app'], 'no staging, no kept copy: nothing was swapped');
    assert.equal(bundleVersion(w.app), '1.0.0');
  }
});

test('macOS: a kill between the two renames is repaired by sweep (the kept bundle goes back), staging removed', async (t) => {
  const w = macWorld(t);
  renameSync(w.app, macPreviousPath(w.app));
  mkdirSync(join(w.apps, '.Tidings.app.tidings-staging-abc123', 'unpacked', 'Tidings.app'), { recursive: true });
  assert.equal(sweepMac(w.app), 2);
  assert.equal(bundleVersion(w.app), '1.0.0');
  assert.deepEqual(readdirSync(w.apps), ['Tidings.app']);
});

// ---------------------------------------------------------------------------------------------------- any platform

test('a payload whose hash does not match is refused before any program runs, on every platform', async (t) => {
  const w = macWorld(t);
  const elevate = join(w.dir, 'elevate.exe');
  writeFileSync(elevate, 'MZ');
  const target = join(w.dir, 'Tidings.AppImage');
  writeFileSync(target, '#!/bin/sh\necho 1.0.0\n');
  chmodSync(target, 0o755);
  const installs: Array<Exclude<InstallKind, { kind: 'none' }>> = [
    { kind: 'deb' }, { kind: 'rpm' },
    { kind: 'nsis', perMachine: false, installDir: w.dir, elevateExe: null },
    { kind: 'nsis', perMachine: true, installDir: w.dir, elevateExe: elevate },
    { kind: 'mac', appBundle: w.app },
    { kind: 'appimage', target },
  ];
  for (const install of installs) {
    const runner = recordingRunner(ditto((out) => makeBundle(join(out, 'Tidings.app'), '2.0.0')));
    const applier = createApplier(install, { runner, stagingDir: w.staging, path: w.bin, uid: 1000 });
    const err = await rejects(applier.apply(w.payload, '2.0.0', WRONG), 'mismatch');
    assert.equal(err.message, "The downloaded update doesn't match its signature, so it wasn't installed.");
    assert.equal(runner.calls.length, 0, `${install.kind}: no program ran`);
    assert.deepEqual(leftovers(w), [], `${install.kind}: no copy left`);
    assert.deepEqual(readdirSync(w.apps), ['Tidings.app']);
    assert.equal(readFileSync(target, 'utf8'), '#!/bin/sh\necho 1.0.0\n');
  }
});

test('the AppImage applier through createApplier: real apply, restore spec, sweep', async (t) => {
  const w = world(t, 'Tidings-2.0.0.AppImage');
  const target = join(w.dir, 'Tidings.AppImage');
  writeFileSync(target, 'old');
  const applier = createApplier({ kind: 'appimage', target }, { runner: recordingRunner(), stagingDir: w.staging });
  assert.deepEqual([applier.package, applier.when, applier.elevation, applier.atQuit, applier.installedFile], ['appimage', 'restart', 'none', true, target]);
  assert.deepEqual(applier.restore, { kind: 'appimage', target });
  await applier.apply(w.payload, '2.0.0', w.payloadSha);
  assert.equal(sha(readFileSync(target)), w.payloadSha);
  writeFileSync(join(w.dir, '.Tidings.AppImage.tidings-new-dead'), 'partial');
  assert.equal(applier.sweep(), 1);
});

// ---------------------------------------------------------------------------------------------------- detectInstall

function layout(t: TestContext, files: string[]): string {
  const root = tempDir(t, 'tidings-layout-');
  for (const f of files) {
    const [path, content = ''] = f.split('=');
    mkdirSync(dirname(join(root, path as string)), { recursive: true });
    if (!path?.endsWith('/')) writeFileSync(join(root, path as string), content);
  }
  return root;
}

test('detectInstall on Linux: AppImage (and an inherited APPIMAGE ignored), deb, rpm, pacman, snap, unknown, dev run', (t) => {
  const r = layout(t, ['Tidings.AppImage', 'opt/Tidings/resources/package-type=deb\n', 'rpm/resources/package-type=rpm', 'pac/resources/package-type=pacman', 'bare/resources/app.asar']);
  const base = { platform: 'linux' as const, execPath: '/tmp/.mount_TidingXYZ/tidings', resourcesPath: '/tmp/.mount_TidingXYZ/resources' };
  assert.deepEqual(detectInstall({ ...base, env: { APPIMAGE: join(r, 'Tidings.AppImage'), APPDIR: '/tmp/.mount_TidingXYZ' } }), { kind: 'appimage', target: join(r, 'Tidings.AppImage') });
  const deb = { platform: 'linux' as const, execPath: '/opt/Tidings/tidings', resourcesPath: join(r, 'opt/Tidings/resources') };
  assert.deepEqual(detectInstall({ ...deb, env: { APPIMAGE: join(r, 'Tidings.AppImage'), APPDIR: '/tmp/.mount_Other' } }), { kind: 'deb' }, 'started by an AppImage, but not running from it');
  assert.deepEqual(detectInstall({ ...deb, env: {} }), { kind: 'deb' });
  assert.deepEqual(detectInstall({ ...deb, resourcesPath: join(r, 'rpm/resources'), env: {} }), { kind: 'rpm' });
  assert.equal(detectInstall({ ...deb, resourcesPath: join(r, 'pac/resources'), env: {} }).kind, 'none');
  assert.match((detectInstall({ ...deb, env: { SNAP: '/snap/tidings/12' } }) as { why: string }).why, /snap/);
  assert.match((detectInstall({ ...deb, resourcesPath: join(r, 'bare/resources'), env: {} }) as { why: string }).why, /wasn’t installed from an AppImage or a package/);
  assert.match((detectInstall({ ...base, env: { APPIMAGE: join(r, 'gone.AppImage') } }) as { why: string }).why, /no longer there/);
  assert.match((detectInstall({ ...deb, env: {}, isPackaged: false }) as { why: string }).why, /development run/);
});

test('detectInstall on Windows: per-user and per-machine NSIS, elevate.exe, older installs without the marker, portable', (t) => {
  const r = layout(t, [
    'Users/ann/AppData/Local/Programs/tidings/Tidings.exe', 'Users/ann/AppData/Local/Programs/tidings/resources/package-type=nsis',
    'Program Files/Tidings/Tidings.exe', 'Program Files/Tidings/Uninstall Tidings.exe', 'Program Files/Tidings/resources/elevate.exe',
    'Portable/Tidings.exe',
  ]);
  const env = { ProgramFiles: join(r, 'Program Files'), 'ProgramFiles(x86)': join(r, 'Program Files (x86)') };
  const perUser = join(r, 'Users/ann/AppData/Local/Programs/tidings');
  assert.deepEqual(detectInstall({ platform: 'win32', execPath: join(perUser, 'Tidings.exe'), resourcesPath: join(perUser, 'resources'), env }),
    { kind: 'nsis', perMachine: false, installDir: perUser, elevateExe: null });
  const pf = join(r, 'Program Files/Tidings');
  assert.deepEqual(detectInstall({ platform: 'win32', execPath: join(pf, 'Tidings.exe'), resourcesPath: join(pf, 'resources'), env }),
    { kind: 'nsis', perMachine: true, installDir: pf, elevateExe: join(pf, 'resources', 'elevate.exe') });
  const portable = join(r, 'Portable');
  assert.equal(detectInstall({ platform: 'win32', execPath: join(portable, 'Tidings.exe'), resourcesPath: join(portable, 'resources'), env }).kind, 'none');
  assert.match((detectInstall({ platform: 'win32', execPath: join(pf, 'Tidings.exe'), resourcesPath: join(pf, 'resources'), env: { ...env, PORTABLE_EXECUTABLE_FILE: 'x' } }) as { why: string }).why, /portable/);
});

test('detectInstall on Windows paths: case-insensitive Program Files, and a folder the user can\'t write counts as per-machine', () => {
  const probes = (writable: boolean): FsProbes => ({ ...realProbes, readText: () => null, isFile: (p) => p.endsWith('elevate.exe'), list: () => ['Tidings.exe', 'Uninstall Tidings.exe'], writable: () => writable });
  const pf = { platform: 'win32' as const, execPath: 'C:\\Program Files\\Tidings\\Tidings.exe', resourcesPath: 'C:\\Program Files\\Tidings\\resources', env: { ProgramFiles: 'c:\\program files\\' } };
  assert.deepEqual(detectInstall({ ...pf, probes: probes(true) }), { kind: 'nsis', perMachine: true, installDir: 'C:\\Program Files\\Tidings', elevateExe: 'C:\\Program Files\\Tidings\\resources\\elevate.exe' });
  const custom = { platform: 'win32' as const, execPath: 'D:\\Apps\\Tidings\\Tidings.exe', resourcesPath: 'D:\\Apps\\Tidings\\resources', env: { ProgramFiles: 'C:\\Program Files' } };
  assert.equal((detectInstall({ ...custom, probes: probes(false) }) as { perMachine: boolean }).perMachine, true);
  assert.equal((detectInstall({ ...custom, probes: probes(true) }) as { perMachine: boolean }).perMachine, false);
  assert.equal((detectInstall({ ...pf, execPath: 'C:\\Program Files Extra\\Tidings\\Tidings.exe', probes: probes(true) }) as { perMachine: boolean }).perMachine, false, 'a prefix of the name is not the folder');
});

test('detectInstall on macOS, other platforms, and the asset each install wants', (t) => {
  const r = layout(t, ['Applications/Tidings.app/Contents/MacOS/Tidings', 'Applications/Tidings.app/Contents/Frameworks/Tidings Helper.app/Contents/MacOS/Tidings Helper']);
  const app = join(r, 'Applications/Tidings.app');
  assert.deepEqual(detectInstall({ platform: 'darwin', execPath: join(app, 'Contents/MacOS/Tidings'), resourcesPath: join(app, 'Contents/Resources'), env: {} }), { kind: 'mac', appBundle: app });
  assert.equal(detectInstall({ platform: 'darwin', execPath: '/usr/local/bin/node', resourcesPath: '/x', env: {} }).kind, 'none');
  assert.equal(detectInstall({ platform: 'freebsd', execPath: '/usr/local/bin/tidings', resourcesPath: '/x', env: {} }).kind, 'none');
  assert.deepEqual(
    ([{ kind: 'appimage', target: '/a' }, { kind: 'deb' }, { kind: 'rpm' }, { kind: 'nsis', perMachine: false, installDir: 'C:\\x', elevateExe: null }, { kind: 'mac', appBundle: '/A.app' }, { kind: 'none', why: 'x' }] as InstallKind[]).map(assetPackage),
    ['appimage', 'deb', 'rpm', 'nsis', 'zip', null]);
});
