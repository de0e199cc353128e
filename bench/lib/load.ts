// HTTP load in a separate process pinned to core 1: wrk (C, never the bottleneck), installed with apt-get
// when missing; autocannon only for the smoke run or when wrk cannot be had, and then nothing is judged.
import { spawn, spawnSync } from 'node:child_process';
import { benchDir, commandFor } from './proc.ts';

export interface LoadResult {
  /** Responses per second with the expected status. */
  rps: number;
  requests: number;
  /** Responses with another status, socket errors and timeouts. */
  bad: number;
}

let genCache: { name: 'wrk' | 'autocannon'; why: string } | undefined;

const hasCommand = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).error === undefined;

/**
 * Installs a Debian package the benchmarks need (wrk, nginx-light) when it is missing and we may:
 * as root with apt-get (CI machines, containers). Returns whether it is there afterwards.
 */
export function aptInstall(pkg: string, present: () => boolean): boolean {
  if (present()) return true;
  if (process.env.BENCH_NO_INSTALL === '1' || process.getuid?.() !== 0 || !hasCommand('apt-get', '--help')) return false;
  console.log(`bench: installing ${pkg} (apt-get install -y ${pkg})`);
  const opts = { stdio: 'ignore' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  if (spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], opts).status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], opts);
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], opts);
  }
  return present();
}

/**
 * wrk for every judged run (installed with apt-get when missing and possible). Without it the figures
 * come from autocannon, which saturates near the anchors' speed and flattens every ratio to about 1: rows
 * 1 and 2 then print their figures but judge nothing (`judged` below). The smoke run uses autocannon
 * unless BENCH_LOADGEN=wrk: it only proves the rows run.
 */
export function loadGenerator(smoke: boolean): { name: 'wrk' | 'autocannon'; why: string } {
  if (genCache) return genCache;
  const want = process.env.BENCH_LOADGEN;
  if (want === 'autocannon' || (want !== 'wrk' && smoke)) return (genCache = { name: 'autocannon', why: smoke ? 'smoke run' : 'BENCH_LOADGEN=autocannon' });
  if (aptInstall('wrk', () => hasCommand('wrk'))) return (genCache = { name: 'wrk', why: 'wrk installed' });
  return (genCache = { name: 'autocannon', why: 'wrk not installed and could not be (apt-get install wrk): nothing is judged' });
}

/** Why rows 1 and 2 are not judged with this load generator, or undefined when they are. */
export function notJudged(smoke: boolean): string | undefined {
  return loadGenerator(smoke).name === 'wrk' ? undefined : 'load from autocannon, which saturates before the servers (judged only with wrk)';
}

function run(cmd: string, args: string[]): Promise<string> {
  const [c, a] = commandFor(cmd, args, 1);
  return new Promise((resolve, reject) => {
    const p = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err.trim() || out.trim()}`))));
  });
}

export async function load(opts: { url: string; headers?: Record<string, string>; connections: number; seconds: number; expect: number; smoke: boolean }): Promise<LoadResult> {
  const headers = opts.headers ?? {};
  if (loadGenerator(opts.smoke).name === 'wrk') {
    const args = ['-t1', `-c${opts.connections}`, `-d${Math.max(1, Math.round(opts.seconds))}s`, '--timeout', '10s'];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
    const out = await run('wrk', [...args, opts.url]);
    const total = Number(/(\d+) requests in ([\d.]+)(m?s)/.exec(out)?.[1] ?? NaN);
    const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
    const secs = m ? Number(m[2]) / (m[3] === 'ms' ? 1000 : 1) : NaN;
    const non = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0;
    return { rps: (total - non) / secs, requests: total, bad: non + errors };
  }
  const out = await run(process.execPath, [benchDir + 'lib/autocannon-child.ts', JSON.stringify({ url: opts.url, headers, connections: opts.connections, seconds: opts.seconds })]);
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { requests: number; seconds: number; codes: Record<string, number>; errors: number; timeouts: number };
  const ok = r.codes[String(opts.expect)] ?? 0;
  return { rps: ok / r.seconds, requests: r.requests, bad: r.requests - ok + r.errors + r.timeouts };
}
