// nginx anchor: the Debian package's binary, 1 worker, pinned to core 0, serving one static file from a
// temp prefix. Returns why when nginx is missing or cannot start; the row then prints it as skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFor, stopProcess } from './proc.ts';
import { aptInstall } from './load.ts';
import { sleep } from './stats.ts';

export type Nginx = { ok: true; url: string; stop(): Promise<void> } | { ok: false; why: string };

function findNginx(): string | null {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...(process.env.PATH ?? '').split(':')];
  for (const d of dirs) {
    try {
      accessSync(join(d, 'nginx'), constants.X_OK);
      return join(d, 'nginx');
    } catch { /* next */ }
  }
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    }).on('error', reject);
  });
}

const canConnect = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); }).on('error', () => resolve(false));
});

export async function startNginx(files: Record<string, string>): Promise<Nginx> {
  if (process.env.BENCH_NO_NGINX === '1') return { ok: false, why: 'BENCH_NO_NGINX=1' };
  // Installed with apt-get when missing and possible (root); else the anchor is skipped and says why.
  const bin = aptInstall('nginx-light', () => findNginx() !== null) ? findNginx() : null;
  if (!bin) return { ok: false, why: 'nginx is not installed and could not be (apt-get install nginx-light)' };
  const dir = mkdtempSync(join(tmpdir(), 'tidings-nginx-'));
  // The worker may run as `nobody`: the prefix must be readable by it.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'www'), { mode: 0o755 });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'www', name), text, { mode: 0o644 });
  const port = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  types { application/json json; }
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }
}
`);
  const [cmd, args] = commandFor(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], 0);
  let proc: ChildProcess;
  let stderr = '';
  try {
    proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { ok: false, why: `nginx could not be spawned: ${(err as Error).message}` };
  }
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const cleanup = async () => {
    await stopProcess(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 60; i++) {
    if (proc.exitCode !== null) break;
    if (await canConnect(port)) return { ok: true, url: `http://127.0.0.1:${port}`, stop: cleanup };
    await sleep(50);
  }
  let log = '';
  try { log = readFileSync(join(dir, 'error.log'), 'utf8'); } catch { /* none */ }
  await cleanup();
  const why = (stderr + log).trim().split('\n').filter(Boolean).pop() ?? 'did not listen within 3 s';
  return { ok: false, why: `nginx did not start: ${why}` };
}
