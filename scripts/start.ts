// `npm start`: the real app when an Electron binary is installed (electron-vite dev: Vite dev server +
// Electron, against the embedded demo feed); otherwise one clear line saying so, then the browser preview.
// The probe never requires 'electron' (that triggers a download, docs: toolchain.md): it reads path.txt,
// which Electron's installer writes only after a successful download, and checks the executable exists.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronProbe = { found: true; path: string } | { found: false; reason: string };

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): ElectronProbe {
  if (env['ELECTRON_EXEC_PATH']) {
    const p = env['ELECTRON_EXEC_PATH'];
    return existsSync(p) ? { found: true, path: p } : { found: false, reason: `ELECTRON_EXEC_PATH=${p} does not exist` };
  }
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed' };
  }
  const pathTxt = join(pkgDir, 'path.txt');
  const exe = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null;
  const distDir = env['ELECTRON_OVERRIDE_DIST_PATH'] || join(pkgDir, 'dist');
  if (!exe && !env['ELECTRON_OVERRIDE_DIST_PATH']) return { found: false, reason: 'Electron was never downloaded (node_modules/electron/path.txt is missing)' };
  const full = join(distDir, exe ?? 'electron');
  return existsSync(full) ? { found: true, path: full } : { found: false, reason: `${full} does not exist` };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => child.kill(s));
}

function main(): void {
  const probe = findElectronBinary();
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  if (probe.found) {
    // package.json has no "main" (it also hosts the server and CLI), so name the built entry for Electron.
    run(npx, ['electron-vite', 'dev'], { ...process.env, ELECTRON_ENTRY: 'out/main/index.js' });
    return;
  }
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.['preview']) {
    console.log(`No Electron binary here: ${probe.reason}. The browser preview isn't available yet either (no "preview" script).`);
    process.exit(1);
  }
  console.log(`No Electron binary here: ${probe.reason}. Starting the browser preview instead.`);
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'preview'], process.env);
}

if (import.meta.main) main();
