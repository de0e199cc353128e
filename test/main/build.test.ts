// The three bundles build without an Electron binary and run as the right module kinds (toolchain.md:
// main ESM, sandboxed preload CJS, a declared __dirname would break main silently); the built output passes
// the electronegativity gate; and electron-builder packs them with the files/asar/asarUnpack rules we set
// (offline, with a stub Electron: the fuse step needs a real binary and is checked in fuses.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as EB from 'electron-builder';
import { scan, forbidden } from './electronegativity.ts';
import builderConfig from '../../build/electron-builder.config.ts';
import viteConfig from '../../electron.vite.config.ts';
import { invokeChannels } from '../../shared/ipc/contract.ts';
import tidingsConfig from '../../build/tidings.config.json' with { type: 'json' };

const builtKeys = (tidingsConfig.publisherKeys as unknown[]).length;

const require = createRequire(import.meta.url);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

test('electron-vite build, node --check, module kinds, and a clean scan of the output', { timeout: 90_000 }, () => {
  execFileSync(npx, ['electron-vite', 'build'], { stdio: 'pipe', timeout: 90_000 });
  for (const f of ['out/main/index.js', 'out/preload/index.cjs']) execFileSync(process.execPath, ['--check', f], { stdio: 'pipe' });
  const main = readFileSync('out/main/index.js', 'utf8');
  assert.match(main, /^import .* from "electron";$/m, 'main is an ES module importing electron');
  assert.doesNotMatch(main, /\b(const|let|var)\s+__dirname\b/);
  const preload = readFileSync('out/preload/index.cjs', 'utf8');
  assert.doesNotMatch(preload, /^\s*import\s/m, 'the preload is CommonJS');
  const required = [...preload.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron'], 'a sandboxed preload can require only electron');
  assert.match(preload, /exposeInMainWorld\("tidings"/);
  if (existsSync('renderer/index.html')) assert.ok(existsSync('out/renderer/index.html'));
  // The main bundle holds every global handler (the preload alone would read as "no CSP, no handlers").
  const bad = scan(path.resolve('out/main')).filter((f) => forbidden.test(f.rule));
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
});

interface BootReport { handlers: string[]; tray: { tooltip: string; labels: string[] } | null; schemes: string[]; permissionHandler: boolean; cspHeader: boolean; quit: number; index: { status: number; csp: string; html: boolean } | null }

/** Boots out/main/index.js in plain Node with the fake electron module (test/main/boot); its report and stderr. */
function boot(env: Record<string, string>): { report: BootReport; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', './test/main/boot/loader.ts', 'out/main/index.js'], {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, TIDINGS_BOOT_USERDATA: mkdtempSync(path.join(tmpdir(), 'tidings-boot-')), ...env },
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('BOOT_REPORT '));
  assert.ok(line, `${r.stdout}\n${r.stderr}`);
  return { report: JSON.parse(line.slice('BOOT_REPORT '.length)) as BootReport, stderr: r.stderr };
}

/** A real Ed25519 public key in the form `tidings keygen` prints (base64 of the raw 32 bytes). */
const publisherKey = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

test('the built main boots in plain Node with a fake electron module: real settings store, real core, tray, IPC, app://', { timeout: 60_000 }, () => {
  assert.ok(existsSync('out/main/index.js'), 'needs the build from the test above');
  // build/tidings.config.json ships without keys (a release build adds them; beforePack refuses otherwise), so
  // this boots as a development build given one key the way `npm start` hands one over.
  const { report: r } = boot({ TIDINGS_BOOT_PACKAGED: '0', TIDINGS_DEV_PUBLISHER_KEYS: publisherKey() });
  assert.ok(r.tray, 'the app started (a tray)');
  assert.equal(r.handlers.length, invokeChannels.length);
  assert.deepEqual(r.schemes, ['app']);
  assert.equal(r.permissionHandler, true);
  assert.equal(r.cspHeader, true);
  // No network here: the baked feed can't be reached, and the tray says so instead of "up to date".
  assert.equal(r.tray.tooltip, "Tidings — Can't confirm updates");
  assert.ok(r.tray.labels.includes('Quit'));
  assert.equal(r.quit, 0);
  if (existsSync('out/renderer/index.html')) {
    assert.equal(r.index?.status, 200);
    assert.match(r.index!.csp, /default-src 'none'/);
    assert.equal(r.index!.html, true);
  }
});

test('a packaged build without publisher keys refuses to start in one sentence and quits (a development key is not honoured)', { timeout: 60_000, skip: builtKeys > 0 && 'build/tidings.config.json lists publisher keys' }, () => {
  assert.ok(existsSync('out/main/index.js'), 'needs the build from the first test');
  const { report: r, stderr } = boot({ TIDINGS_DEV_PUBLISHER_KEYS: publisherKey() });
  assert.match(stderr, /\[tidings\] failed to start: Tidings needs at least one publisher key/);
  assert.equal(r.quit, 1);
  assert.equal(r.tray, null, 'no tray');
  assert.deepEqual(r.handlers, [], 'no IPC handlers');
});

test('the built preload exposes exactly the contract on window.tidings, with electron as its only require', () => {
  assert.ok(existsSync('out/preload/index.cjs'), 'needs the build from the first test');
  const script = `
    const Module = require('node:module');
    const { isAbsolute } = require('node:path');
    const load = Module._load;
    const exposed = {};
    Module._load = function (request, ...rest) {
      if (request === 'electron') return {
        contextBridge: { exposeInMainWorld: (k, v) => { exposed[k] = v; } },
        ipcRenderer: { invoke: async (c, a) => ({ ok: true, value: [c, a] }), on() {}, removeListener() {} },
      };
      if (isAbsolute(request)) return load.call(this, request, ...rest);
      throw new Error('a sandboxed preload cannot require ' + request);
    };
    require(${JSON.stringify(path.resolve('out/preload/index.cjs'))});
    exposed.tidings.getCounts({}).then((v) => console.log(JSON.stringify({ keys: Object.keys(exposed.tidings).sort(), windowKeys: Object.keys(exposed), call: v })));
  `;
  const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { keys: string[]; windowKeys: string[]; call: unknown };
  assert.deepEqual(r.windowKeys, ['tidings']);
  assert.deepEqual(r.keys, [...invokeChannels, 'on'].sort());
  assert.deepEqual(r.call, ['tidings:getCounts', {}]);
});

/** A stand-in Electron distribution: what electron-builder copies, minus a real binary. */
function stubElectronDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-estub-'));
  mkdirSync(path.join(dir, 'locales'));
  mkdirSync(path.join(dir, 'resources'));
  writeFileSync(path.join(dir, 'electron'), '#!/bin/sh\necho stub\n', { mode: 0o755 });
  writeFileSync(path.join(dir, 'version'), '45.4.1');
  copyFileSync(require.resolve('electron/LICENSE'), path.join(dir, 'LICENSE'));
  return dir;
}

test('electron-builder packs the app: entry in the asar, only this platform\'s better-sqlite3 unpacked, no C sources', { timeout: 90_000, skip: process.platform !== 'linux' ? 'the offline pack check runs on Linux' : false }, async () => {
  assert.ok(existsSync('out/main/index.js'), 'needs the build from the test above');
  const { build, Platform } = require('electron-builder') as typeof EB;
  const asar = require('@electron/asar') as { listPackage(archive: string, o: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer };
  const output = mkdtempSync(path.join(tmpdir(), 'tidings-pack-'));
  await build({
    targets: Platform.LINUX.createTarget('dir'),
    config: { ...builderConfig, beforePack: null, electronDist: stubElectronDist(), electronFuses: null, directories: { ...builderConfig.directories, output } },
  });
  const resources = path.join(output, 'linux-unpacked', 'resources');
  const files = asar.listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  for (const f of ['/out/main/index.js', '/out/preload/index.cjs', '/package.json', '/node_modules/electron-store/index.js', '/node_modules/zod/package.json',
    '/node_modules/better-sqlite3/package.json', '/node_modules/canonicalize/package.json', '/node_modules/eventsource/package.json']) {
    assert.ok(files.includes(f), `${f} missing from app.asar`);
  }
  assert.ok(!files.some((f) => f.startsWith('/node_modules/fastify/') || f.startsWith('/node_modules/pg/')), 'server-only packages are left out');
  assert.ok(!files.some((f) => f.endsWith('.map')));
  const pkg = JSON.parse(asar.extractFile(path.join(resources, 'app.asar'), 'package.json').toString()) as { main: string };
  assert.equal(pkg.main, 'out/main/index.js', 'the packaged package.json points Electron at the built main');
  const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3');
  assert.deepEqual(readdirSync(path.join(unpacked, 'prebuilds')), [`linux-${process.arch}.node`]);
  for (const d of ['src', 'deps', 'build']) assert.equal(existsSync(path.join(unpacked, d)), false, `${d} must not ship`);
});

test('electron-vite dev loosens the page CSP just enough for the dev server; the built page keeps it strict', { skip: !existsSync('renderer/index.html') && 'no renderer/index.html yet' }, async () => {
  const plugins = ((viteConfig as { renderer: { plugins: unknown[] } }).renderer.plugins).flat(3) as { name: string; apply?: string; transformIndexHtml?: (html: string) => string }[];
  const dev = plugins.find((p) => p.name === 'tidings-dev-csp')!;
  assert.equal(dev.apply, 'serve', 'never applied to builds');
  const html = readFileSync('renderer/index.html', 'utf8');
  const csp = (h: string) => /Content-Security-Policy" content="([^"]*)"/.exec(h)![1]!;
  const served = csp(dev.transformIndexHtml!(html));
  assert.match(served, /script-src 'self' 'unsafe-inline'/);
  assert.match(served, /connect-src 'self' ws:\/\/localhost:\*/);
  assert.match(served, /object-src 'none'/);
  assert.doesNotMatch(csp(html), /unsafe-inline/);
  if (existsSync('out/renderer/index.html')) assert.doesNotMatch(csp(readFileSync('out/renderer/index.html', 'utf8')), /unsafe|ws:/);
});
