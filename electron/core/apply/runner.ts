// Running the external programs an install needs (pkexec + dpkg/rpm, the NSIS installer, ditto), behind one
// small interface so the decision logic runs for real in tests while a recording fake stands in for programs
// that don't exist here (test/core/helpers/recording-runner.ts).
import { spawn } from 'node:child_process';
import { constants as osc } from 'node:os';

export interface RunResult {
  /** The exit code; a program killed by a signal reports 128 + its number, like a shell. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Set on top of this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface Runner {
  /**
   * Runs a program to completion. Resolves with its exit code and output whatever the code; rejects only
   * when the program can't be started at all (the error's `code` is ENOENT, EACCES…).
   */
  run(cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * Starts a program that outlives this one (its own session, no shared stdio, not waited for): the installer
   * that replaces the app after it quits. Resolves once the process exists; rejects if it can't be started.
   */
  startDetached(cmd: string, args: readonly string[], opts?: RunOptions): Promise<{ pid: number }>;
}

/** Output kept per stream: enough for the error lines, bounded so a chatty tool can't grow memory. */
const KEEP = 64 * 1024;

export const systemRunner: Runner = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, [...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      let stdout = '';
      let stderr = '';
      const keep = (have: string, chunk: Buffer) => (have.length < KEEP ? have + chunk.toString('utf8').slice(0, KEEP - have.length) : have);
      child.stdout.on('data', (c: Buffer) => (stdout = keep(stdout, c)));
      child.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
      let settled = false;
      child.once('error', (err) => {
        if (settled) return;
        settled = true;
        reject(err);
      });
      child.once('close', (code, signal) => {
        if (settled) return;
        settled = true;
        const sig = signal ? (osc.signals as Record<string, number>)[signal] ?? 0 : 0;
        resolve({ code: code ?? 128 + sig, stdout, stderr });
      });
    });
  },
  startDetached(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, [...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, detached: true, stdio: 'ignore', windowsHide: true });
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve({ pid: child.pid as number });
      });
    });
  },
};
