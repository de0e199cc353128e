// Checks that need a real Electron binary (reliability.md case 40, P16): the packaged app's fuses as
// `@electron/fuses read` sees them, ELECTRON_RUN_AS_NODE not turning the app into Node, and the built main
// in real Electron with its real tray. They run where
// a binary exists (probe: electron/path.txt → dist executable, ELECTRON_OVERRIDE_DIST_PATH,
// ELECTRON_EXEC_PATH) and are reported skipped with the reason where it doesn't, as on the build machines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as EB from 'electron-builder';
import type * as Fuses from '@electron/fuses';
import { findElectronBinary } from '../../scripts/start.ts';
import builderConfig from '../../build/electron-builder.config.ts';

const require = createRequire(import.meta.url);
const probe = findElectronBinary();
const skip = probe.found ? false : `no Electron binary: ${probe.reason}`;

async function packWithRealElectron(electronExe: string): Promise<string> {
  if (!existsSync('out/main/index.js')) execFileSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-vite', 'build'], { stdio: 'pipe' });
  const { build, Platform } = require('electron-builder') as typeof EB;
  const output = mkdtempSync(path.join(tmpdir(), 'tidings-real-pack-'));
  await build({ targets: Platform.current().createTarget('dir'), config: { ...builderConfig, beforePack: null, electronDist: path.dirname(electronExe), directories: { ...builderConfig.directories, output } } });
  const unpacked = ['linux-unpacked', 'win-unpacked', 'mac', 'mac-arm64'].map((d) => path.join(output, d)).find(existsSync)!;
  const exe = process.platform === 'win32' ? path.join(unpacked, 'Tidings.exe')
    : process.platform === 'darwin' ? path.join(unpacked, 'Tidings.app')
      : path.join(unpacked, (builderConfig.productName ?? 'tidings').toLowerCase());
  return exe;
}

test('the probe answers without downloading anything', () => {
  const env = { ...process.env, ELECTRON_EXEC_PATH: '/nonexistent/electron' };
  assert.deepEqual(findElectronBinary(env), { found: false, reason: 'ELECTRON_EXEC_PATH=/nonexistent/electron does not exist' });
  const override = findElectronBinary({ ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent-dist' });
  assert.equal(override.found, false);
  assert.equal(findElectronBinary({ ELECTRON_EXEC_PATH: process.execPath }).found, true);
});

test('packaged fuses read back as P16 says, and ELECTRON_RUN_AS_NODE runs no Node', { skip, timeout: 180_000 }, async () => {
  const app = await packWithRealElectron((probe as { path: string }).path);
  const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as typeof Fuses;
  // FuseState values (@electron/fuses constants): the bytes '0' and '1' in the fuse wire.
  const FuseState = { DISABLE: 48, ENABLE: 49 } as const;
  const wire = await getCurrentFuseWire(app) as unknown as Record<number, number>;
  const expect: [number, number][] = [
    [FuseV1Options.RunAsNode, FuseState.DISABLE],
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable, FuseState.DISABLE],
    [FuseV1Options.EnableNodeCliInspectArguments, FuseState.DISABLE],
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation, FuseState.ENABLE],
    [FuseV1Options.OnlyLoadAppFromAsar, FuseState.ENABLE],
    [FuseV1Options.GrantFileProtocolExtraPrivileges, FuseState.DISABLE],
  ];
  for (const [fuse, state] of expect) assert.equal(wire[fuse], state, `fuse ${String(fuse)}`);
  const r = spawnSync(app, ['-e', 'console.log("RAN_AS_NODE")'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 15_000, encoding: 'utf8' });
  assert.doesNotMatch(`${r.stdout}${r.stderr}`, /RAN_AS_NODE/);
});

// A real tray needs a display (and, to be seen, a tray host): under Linux without DISPLAY it needs xvfb-run.
const display = process.platform !== 'linux' || process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY'] ? true
  : spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0 ? 'xvfb' : false;
const traySkip = skip || (display === false ? 'no display and no xvfb-run for a real tray' : false);

test('real-binary smoke: the built main starts in real Electron and its real tray shows the state and the menu', { skip: traySkip, timeout: 120_000 }, () => {
  if (!existsSync('out/main/index.js')) execFileSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['electron-vite', 'build'], { stdio: 'pipe' });
  const exe = (probe as { path: string }).path;
  const args = [...(process.platform === 'linux' ? ['--no-sandbox'] : []), `--user-data-dir=${mkdtempSync(path.join(tmpdir(), 'tidings-smoke-'))}`, 'out/main/index.js'];
  const [cmd, argv] = display === 'xvfb' ? ['xvfb-run', ['-a', exe, ...args]] : [exe, args];
  const { ELECTRON_RUN_AS_NODE: _asNode, ...env } = process.env;
  // An unpackaged run trusts a development key besides the baked ones (build/tidings.config.json ships none).
  const key = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  const r = spawnSync(cmd, argv, { env: { ...env, TIDINGS_SMOKE: '1', TIDINGS_DEV_PUBLISHER_KEYS: key }, timeout: 90_000, encoding: 'utf8' });
  const line = `${r.stdout}`.split('\n').find((l) => l.startsWith('SMOKE_REPORT '));
  assert.ok(line, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(line.slice('SMOKE_REPORT '.length)) as { tooltip: string | null; labels: string[] };
  assert.match(report.tooltip ?? '', /^Tidings — /);
  for (const l of ['Check for updates now', 'Channel', 'Open Tidings', 'Quit']) assert.ok(report.labels.includes(l), l);
});

test('real-binary smoke: the dev binary is the pinned Electron', { skip, timeout: 30_000 }, () => {
  const out = execFileSync((probe as { path: string }).path, ['--version'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.match(out, /v?45\.4\.1/);
});
