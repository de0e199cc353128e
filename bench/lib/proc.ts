// Child processes for the benchmarks: servers and clients each run in their own process, pinned to a
// core with `taskset` where possible (servers on core 0, load generators and clients on core 1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const benchDir = fileURLToPath(new URL('..', import.meta.url));

let pinCache: { ok: boolean; why: string } | undefined;

/** Whether `taskset -c 0` / `-c 1` can pin processes here (needs taskset and at least 2 cores). */
export function pinning(): { ok: boolean; why: string } {
  if (pinCache) return pinCache;
  if (process.env.BENCH_NO_PIN === '1') return (pinCache = { ok: false, why: 'BENCH_NO_PIN=1' });
  if (availableParallelism() < 2) return (pinCache = { ok: false, why: 'fewer than 2 cores' });
  const r = spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
  pinCache = r.status === 0 ? { ok: true, why: 'taskset -c 0 (servers) / -c 1 (load, clients)' } : { ok: false, why: 'taskset not available' };
  return pinCache;
}

/** The command line for `cmd args` pinned to a core, optionally with the open-files limit raised. */
export function commandFor(cmd: string, args: string[], core: 0 | 1 | null, fds?: number): [string, string[]] {
  let line: [string, string[]] = [cmd, args];
  if (core !== null && pinning().ok) line = ['taskset', ['-c', String(core), cmd, ...args]];
  if (fds) {
    // A child shell raises the soft limit as far as the hard limit allows, then execs the real command.
    const script = `ulimit -n ${fds} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"`;
    line = ['sh', ['-c', script, 'sh', line[0], ...line[1]]];
  }
  return line;
}

export interface NodeChild<Info> {
  proc: ChildProcess;
  info: Info;
  /** Sends a request over IPC and resolves with the child's reply to it. */
  ask<R>(msg: Record<string, unknown>, timeoutMs?: number): Promise<R>;
  stop(): Promise<void>;
}

let nextId = 1;

/**
 * Starts `bench/<script>` on this Node (never the system one) with an IPC channel; resolves with the
 * child's first message `{ ready: true, ... }`.
 */
export function startNode<Info>(script: string, opts: { core?: 0 | 1 | null; env?: Record<string, string>; fds?: number; execArgv?: string[]; timeoutMs?: number } = {}): Promise<NodeChild<Info>> {
  const [cmd, args] = commandFor(process.execPath, [...(opts.execArgv ?? []), benchDir + script], opts.core ?? null, opts.fds);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'], env: { ...process.env, ...opts.env } });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 8000) stderr = stderr.slice(-8000);
  });
  const waiting = new Map<number, (m: unknown) => void>();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${script} did not start in time: ${stderr.trim()}`));
    }, opts.timeoutMs ?? 30_000);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready: ${stderr.trim()}`));
      for (const w of waiting.values()) w({ error: `${script} exited` });
    });
    proc.on('message', (raw) => {
      const m = raw as { ready?: boolean; re?: number };
      if (m.re !== undefined) {
        waiting.get(m.re)?.(m);
        waiting.delete(m.re);
        return;
      }
      if (!m.ready) return;
      clearTimeout(timer);
      resolve({
        proc,
        info: m as Info,
        ask: <R>(msg: Record<string, unknown>, timeoutMs = 60_000) => new Promise<R>((res, rej) => {
          const id = nextId++;
          const t = setTimeout(() => { waiting.delete(id); rej(new Error(`${script}: no answer to ${JSON.stringify(msg).slice(0, 80)}`)); }, timeoutMs);
          waiting.set(id, (reply) => { clearTimeout(t); res(reply as R); });
          proc.send({ ...msg, id });
        }),
        stop: () => stopProcess(proc),
      });
    });
  });
}

export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => { clearTimeout(hard); resolve(); });
    proc.kill(signal);
  });
}

/** Child side: answers IPC requests `{ id, ... }` with `{ re: id, ... }`. */
export function serveIpc(handler: (msg: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>): void {
  process.on('message', (raw) => {
    const msg = raw as Record<string, unknown> & { id: number };
    void Promise.resolve()
      .then(() => handler(msg))
      .then((reply) => process.send?.({ ...reply, re: msg.id }), (err: Error) => process.send?.({ error: err.message, re: msg.id }));
  });
  // The parent going away (crash, Ctrl-C) ends the child too.
  process.on('disconnect', () => process.exit(0));
}

/** Resident set size after full GCs (when the process runs with --expose-gc) and a short settle. */
export async function rssAfterGc(): Promise<number> {
  const g = (globalThis as { gc?: () => void }).gc;
  g?.();
  await new Promise((r) => setTimeout(r, 100));
  g?.();
  return process.memoryUsage().rss;
}

/** The soft open-files limit of this process (Linux), or null. */
export async function openFilesLimit(): Promise<number | null> {
  try {
    const { readFileSync } = await import('node:fs');
    const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return null;
    return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return null;
  }
}
