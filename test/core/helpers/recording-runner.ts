// A Runner (electron/core/apply/runner.ts) that runs nothing and records exactly what would have been run:
// how (to completion or detached), the program, its arguments, the extra environment, and for every argument
// (and the program) that names an existing path, what was there at that moment: 'dir' or the file's sha256.
// A test's `respond` plays the program (an exit code and output, a thrown start error, or side effects such
// as unpacking a zip), so the apply logic around it runs for real.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { RunOptions, RunResult, Runner } from '../../../electron/core/apply/runner.ts';

export interface RecordedCall {
  how: 'run' | 'detached';
  cmd: string;
  args: string[];
  env: Record<string, string>;
  /** Existing paths among cmd and args at call time: 'dir', or the file's sha256. */
  files: Record<string, string>;
}

export type Respond = (call: RecordedCall) => Partial<RunResult> | void | Promise<Partial<RunResult> | void>;

export interface RecordingRunner extends Runner {
  calls: RecordedCall[];
}

function snapshot(paths: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    try {
      const st = statSync(p);
      out[p] = st.isDirectory() ? 'dir' : createHash('sha256').update(readFileSync(p)).digest('hex');
    } catch {
      // not a path, or nothing there
    }
  }
  return out;
}

export function recordingRunner(respond: Respond = () => undefined): RecordingRunner {
  const calls: RecordedCall[] = [];
  const record = (how: RecordedCall['how'], cmd: string, args: readonly string[], opts?: RunOptions): RecordedCall => {
    const call = { how, cmd, args: [...args], env: { ...opts?.env }, files: snapshot([cmd, ...args]) };
    calls.push(call);
    return call;
  };
  return {
    calls,
    async run(cmd, args, opts) {
      const r = (await respond(record('run', cmd, args, opts))) ?? {};
      return { code: r.code ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    async startDetached(cmd, args, opts) {
      await respond(record('detached', cmd, args, opts));
      return { pid: 424242 };
    },
  };
}

/** A start error as child_process gives it (the program can't be started). */
export function startError(code: 'ENOENT' | 'EACCES'): Error {
  return Object.assign(new Error(`spawn ${code}`), { code });
}
