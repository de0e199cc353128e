// A throw-away PostgreSQL cluster for the test run, from Debian's packages: initdb into a temp dir, start on
// a free loopback port, trust auth, fsync off (test data only). Run as the `postgres` user when we are root,
// because PostgreSQL refuses to run as root.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Cluster {
  url: string;
  dir: string;
  stop(): void;
  /** Stops the server but keeps its data (fault tests): 'fast' ends sessions with an error, 'immediate' drops them. */
  pause(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  resume(): Promise<void>;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function postgresUid(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Starts a cluster, or explains in one line why it cannot. */
export async function startCluster(): Promise<Cluster | { error: string }> {
  const bin = binDir();
  if (!bin) return { error: 'PostgreSQL is not installed (apt-get install postgresql)' };
  const root = process.getuid?.() === 0;
  const owner = root ? postgresUid() : null;
  if (root && !owner) return { error: 'running as root and there is no postgres user to run PostgreSQL as' };
  const dir = mkdtempSync(join(tmpdir(), 'tidings-pg-'));
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const command = (cmd: string, args: string[]) => (root ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] as const : [join(bin, cmd), args] as const);
  const run = (cmd: string, args: string[]) => {
    const full = command(cmd, args);
    return spawnSync(full[0], [...full[1]], { encoding: 'utf8', cwd: tmpdir() });
  };
  // Asynchronous, so the caller's event loop (feed nodes in the same process) keeps running meanwhile.
  const runAsync = async (cmd: string, args: string[]) => {
    const full = command(cmd, args);
    await promisify(execFile)(full[0], [...full[1]], { cwd: tmpdir() });
  };
  const init = run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  if (init.status !== 0) return { error: `initdb failed: ${(init.stderr || init.stdout).trim().split('\n').at(-1)}` };
  const port = await freePort();
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  const start = run('pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  if (start.status !== 0) return { error: `PostgreSQL did not start: ${(start.stderr || start.stdout).trim().split('\n').at(-1)}` };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    stop: () => {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
    pause: (mode) => runAsync('pg_ctl', ['-D', join(dir, 'data'), '-m', mode, '-w', 'stop']),
    resume: () => runAsync('pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']),
  };
}
