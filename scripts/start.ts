// `npm start`: the real app when an Electron binary is installed (electron-vite dev: Vite dev server +
// Electron, against the embedded demo feed); otherwise one clear line saying so, then the browser preview.
// The probe never requires 'electron' (that triggers a download, docs: toolchain.md): it reads path.txt,
// which Electron's installer writes only after a successful download, and checks the executable exists.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

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

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cleanup: () => Promise<void> = async () => {}): void {
  const child = spawn(cmd, args, { stdio: 'inherit', env });
  child.on('exit', (code, signal) => void cleanup().finally(() => process.exit(code ?? (signal ? 1 : 0))));
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => child.kill(s));
}

/** The embedded demo feed (the preview's, seeded with releases and news), handed to Electron's main. */
async function startDemo(): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const demoPath = join(import.meta.dirname, '..', 'preview', 'demo-feed.ts');
  if (!existsSync(demoPath)) return { env: {}, close: async () => {} };
  const { startDemoFeed } = (await import(pathToFileURL(demoPath).href)) as {
    startDemoFeed(o: { dir: string; platform: string }): Promise<{ url: string; publicKey: string; publishToken: string; close(): Promise<void> }>;
  };
  const feed = await startDemoFeed({ dir: mkdtempSync(join(tmpdir(), 'tidings-dev-feed-')), platform: `${process.platform}-${process.arch}` });
  console.log(`Demo feed: ${feed.url}`);
  // Read only by an unpackaged main (electron/main/index.ts); a packaged app ignores it.
  return { env: { TIDINGS_DEV_FEED: JSON.stringify({ url: feed.url, publicKey: feed.publicKey, token: feed.publishToken }) }, close: () => feed.close() };
}

/**
 * Electron 45 downloads its binary on first use, not at `npm install`. So on a first `npm start` with
 * the package but no binary, fetch it once with Electron's own installer; where that cannot work (offline,
 * or CI machines like ours), this fails fast and we fall back to the preview.
 */
function fetchElectron(): Promise<string | null> {
  const installer = join(dirname(createRequire(import.meta.url).resolve('electron/package.json')), 'install.js');
  if (!existsSync(installer)) return Promise.resolve('the electron package has no installer');
  // Said only once the download is really under way: offline it fails at once, and then the one line
  // that matters is the fallback to the preview.
  const notice = setTimeout(() => console.log('Electron has not been downloaded yet: fetching it once (about 100 MB)…'), 2000);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15 * 60_000 });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => { clearTimeout(notice); resolve(e.message); });
    child.on('exit', (code) => {
      clearTimeout(notice);
      const last = err.trim().split('\n').find((l) => /error/i.test(l)) ?? err.trim().split('\n')[0] ?? '';
      resolve(code === 0 ? null : `it couldn't be downloaded (${last.replace(/^\w*Error:\s*/, '').slice(0, 160) || `exit ${code}`})`);
    });
  });
}

async function main(): Promise<void> {
  let probe = findElectronBinary();
  const neverDownloaded = !probe.found && probe.reason.startsWith('Electron was never downloaded');
  const mayFetch = process.env['TIDINGS_NO_ELECTRON_FETCH'] !== '1' && process.env['CI'] !== 'true' && process.env['ELECTRON_SKIP_BINARY_DOWNLOAD'] !== '1';
  if (neverDownloaded && mayFetch && process.env['TIDINGS_START_DRY_RUN'] !== '1') {
    const failure = await fetchElectron();
    probe = failure === null ? findElectronBinary() : { found: false, reason: failure };
  }
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  // TIDINGS_START_DRY_RUN=1: say what would start and stop there (tests of this decision).
  const dry = process.env['TIDINGS_START_DRY_RUN'] === '1';
  if (probe.found && dry) {
    console.log(`Electron found at ${probe.path}: would run electron-vite dev with the demo feed.`);
    return;
  }
  if (probe.found) {
    const demo = await startDemo();
    // package.json has no "main" (it also hosts the server and CLI), so name the built entry for Electron.
    // electron-vite finds the binary only through ELECTRON_EXEC_PATH or path.txt, so hand it the one the
    // probe found (ELECTRON_OVERRIDE_DIST_PATH would otherwise end in its "Electron uninstall").
    run(npx, ['electron-vite', 'dev'], { ...process.env, ...demo.env, ELECTRON_ENTRY: 'out/main/index.js', ELECTRON_EXEC_PATH: probe.path }, demo.close);
    return;
  }
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.['preview']) {
    console.log(`No Electron binary here: ${probe.reason}. The browser preview isn't available yet either (no "preview" script).`);
    process.exit(1);
  }
  console.log(`No Electron binary here: ${probe.reason}. Starting the browser preview instead.`);
  if (dry) return;
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'preview'], process.env);
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    console.error(`npm start failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
