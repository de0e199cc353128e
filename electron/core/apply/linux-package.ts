// Installing a deb or rpm update through the system's privilege prompt (docs/updates.md, "Linux deb/rpm").
// Only ever called because the user chose Restart to Update: pkexec shows the desktop's password prompt
// (polkit agent), and a prompt must never appear by itself at start-up or at quit.
//
// Which tool (decided here, once):
// - deb: `apt-get install -y --allow-downgrades <file>` where apt-get exists, else `dpkg -i <file>`. apt-get
//   resolves a dependency the new version added within the same privileged run (one prompt) and refuses
//   before touching anything when it can't; `dpkg -i` unpacks first and leaves the package half-configured
//   on a missing dependency. apt-get uses its cached lists (no `update`), so no network unless a new
//   dependency must be fetched. --allow-downgrades lets a confirmed downgrade through.
// - rpm: `rpm -U --oldpackage <file>` on every rpm system. dnf/zypper would refresh repository metadata
//   first (slow, and it fails offline even when nothing is needed), while rpm checks dependencies before the
//   transaction and changes nothing when one is missing; the message then names the dnf/zypper command that
//   would fetch it. --oldpackage lets a confirmed downgrade through.
// pkexec runs with --disable-internal-agent (as electron-updater does): without a desktop agent it must fail
// (127) rather than ask for a password on a terminal nobody watches. Programs are resolved to absolute paths
// here, so the prompt shows the real program and no shell is involved. Running as root skips pkexec.
import { accessSync, constants as fsc } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { ApplyError, shellQuote } from './errors.ts';
import type { Runner } from './runner.ts';
import { stageVerified } from './stage.ts';

export type LinuxPackageKind = 'deb' | 'rpm';

export interface LinuxPackageOptions {
  kind: LinuxPackageKind;
  runner: Runner;
  /** A folder of ours for the verified copy (the download folder is fine). */
  stagingDir: string;
  /** Where programs are looked up. Default process.env.PATH (plus the sbin folders, where dpkg and rpm live). */
  path?: string;
  /** Default process.getuid(). 0: already root, no prompt. */
  uid?: number | null;
  isExecutable?: (path: string) => boolean;
}

export const STAGE_PREFIX = 'tidings-package-';

const isExecutableFile = (p: string) => {
  try {
    accessSync(p, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Finds a program on the search path; null when absent. */
export function findProgram(name: string, path: string, isExecutable: (p: string) => boolean = isExecutableFile): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

export interface PackagePlan {
  /** The absolute path of the package tool. */
  tool: string;
  /** Its arguments before the file. */
  args: string[];
  /** pkexec's absolute path, or null when running as root. */
  pkexec: string | null;
  /** What the user runs by hand when we can't (shown in the message). */
  manual: (file: string) => string;
}

/**
 * The decision: which tool, with which arguments, through which prompt. Throws ApplyError when the system
 * has no tool for this kind of package; `pkexec: undefined` means it is needed but missing.
 */
export function planPackageInstall(kind: LinuxPackageKind, opts: { path: string; uid: number | null; isExecutable?: (p: string) => boolean }): PackagePlan & { pkexecMissing: boolean } {
  const find = (n: string) => findProgram(n, opts.path, opts.isExecutable);
  const sudo = (cmd: string, file: string) => `sudo ${cmd} ${shellQuote(file)}`;
  let tool: string | null;
  let args: string[];
  let manual: (file: string) => string;
  if (kind === 'deb') {
    const aptGet = find('apt-get');
    const dpkg = aptGet ? null : find('dpkg');
    tool = aptGet ?? dpkg;
    args = aptGet ? ['install', '-y', '--allow-downgrades'] : ['-i'];
    manual = (f) => (aptGet ? sudo('apt-get install', f) : sudo('dpkg -i', f));
  } else {
    tool = find('rpm');
    args = ['-U', '--oldpackage'];
    const dnf = find('dnf') ?? find('yum');
    const zypper = find('zypper');
    manual = (f) => (dnf ? sudo(`${basename(dnf)} install`, f) : zypper ? sudo('zypper install', f) : sudo('rpm -U', f));
  }
  if (!tool) {
    const what = kind === 'deb' ? 'dpkg' : 'rpm';
    throw new ApplyError(`This system has no ${what}, so the ${kind} update can't be installed. Download the version for your system instead.`, 'unsupported');
  }
  const root = opts.uid === 0;
  const pkexec = root ? null : find('pkexec');
  return { tool, args, pkexec, manual, pkexecMissing: !root && !pkexec };
}

/** What failed, in the user's words, from the tool's exit code and output. */
function failure(code: number, stderr: string, viaPkexec: boolean, command: string): ApplyError {
  if (viaPkexec && code === 126) {
    return new ApplyError("The update wasn't installed because the permission request was cancelled. Choose Restart to Update again when you're ready.", 'cancelled');
  }
  if (viaPkexec && code === 127) {
    const why = /authentication agent/i.test(stderr)
      ? "There's no password prompt available on this desktop"
      : "This account isn't allowed to install software";
    return new ApplyError(`${why}, so the update wasn't installed. To install it yourself, run ${command} in a terminal.`, 'no-prompt', command);
  }
  if (/could not get lock|lock-frontend|dpkg.*lock|is locked|waiting for .*lock|transaction lock/i.test(stderr)) {
    return new ApplyError('Another program is installing software right now, so the update wasn\'t installed. Try again when it has finished.', 'busy', command);
  }
  if (/failed dependencies|unmet dependencies|dependency problems|depends on/i.test(stderr)) {
    return new ApplyError(`The update needs other packages this system doesn't have yet, so it wasn't installed. To install it with them, run ${command} in a terminal.`, 'failed', command);
  }
  return new ApplyError(`The package manager couldn't install the update, so your current version is unchanged. To try it yourself, run ${command} in a terminal.`, 'failed', command);
}

/** Installs the verified package `file`: a hash-checked private copy, then one privileged run of the tool. */
export async function applyLinuxPackage(file: string, sha256: string, o: LinuxPackageOptions): Promise<void> {
  const path = o.path ?? [process.env.PATH ?? '', '/usr/sbin', '/sbin', '/usr/bin', '/bin'].join(delimiter);
  const uid = o.uid === undefined ? (process.getuid?.() ?? null) : o.uid;
  const plan = planPackageInstall(o.kind, { path, uid, isExecutable: o.isExecutable });
  const command = plan.manual(file);
  if (plan.pkexecMissing) {
    throw new ApplyError(`This system has no pkexec to ask for your password, so the update wasn't installed. To install it yourself, run ${command} in a terminal.`, 'no-prompt', command);
  }
  // apt-get takes a local file only by a path that ends in .deb.
  const staged = await stageVerified(file, o.stagingDir, STAGE_PREFIX, `update.${o.kind}`, sha256);
  try {
    const argv = [...plan.args, staged.file];
    const [cmd, args] = plan.pkexec ? [plan.pkexec, ['--disable-internal-agent', plan.tool, ...argv]] : [plan.tool, argv];
    let result;
    try {
      result = await o.runner.run(cmd, args);
    } catch {
      throw plan.pkexec
        ? new ApplyError(`The password prompt couldn't be started, so the update wasn't installed. To install it yourself, run ${command} in a terminal.`, 'no-prompt', command)
        : new ApplyError(`The package manager couldn't be started, so the update wasn't installed. To install it yourself, run ${command} in a terminal.`, 'failed', command);
    }
    if (result.code !== 0) throw failure(result.code, result.stderr, plan.pkexec !== null, command);
  } finally {
    await rm(staged.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
