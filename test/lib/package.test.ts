// The packed library in plain Node: `npm run build:lib`, `npm pack`, the tarball unpacked into a consumer's
// node_modules/tidings (a real copy inside node_modules, where Node strips no types; its dependencies linked from
// ours), then a tiny consumer imports every Node entry point by its package name and uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from '../core/helpers/tmp.ts';

const root = resolve(import.meta.dirname, '../..');

test('npm pack → a consumer imports tidings, tidings/updater and tidings/electron in plain Node', { timeout: 240_000 }, (t) => {
  execFileSync(process.execPath, [join(root, 'scripts/build-lib.ts')], { cwd: root, stdio: 'pipe' });
  const dir = tempDir(t, 'tidings-consumer-');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);
  assert.ok(files.includes('dist/electron/lib/updater.js') && files.includes('dist/electron/lib/updater.d.ts'), 'JS and types are packed');
  assert.ok(files.includes('dist/renderer/styles.css'));
  assert.ok(files.includes('dist/preload/index.cjs'), 'the preload for host windows is packed');
  const preload = readFileSync(join(root, 'dist/preload/index.cjs'), 'utf8');
  assert.deepEqual([...new Set(preload.match(/require\(["'][^"']+["']\)/g))], ['require("electron")'], 'a sandboxed preload may require electron only');
  assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), `no TypeScript sources: ${files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).join(', ')}`);

  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'tidings'), { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed[0]!.filename), '-C', join(modules, 'tidings'), '--strip-components=1']);
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name === 'tidings' || name.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', name), join(modules, name));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(join(dir, 'main.js'), `
import { createCompanion, UPDATE_CHANNELS } from 'tidings';
import { TidingsUpdater } from 'tidings/updater';
import { attachTidings, TidingsConfigError, SUPPORTED_PLATFORMS, preloadPath } from 'tidings/electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
const companion = await createCompanion({ dataDir: ${JSON.stringify(join(dir, 'data'))}, publisherKeys: ['${Buffer.alloc(32, 1).toString('base64')}'],
  installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable', intervalMs: null, sources: [{ kind: 'feed-v1', id: 'a', url: 'https://feed.example.com' }] });
const updater = new TidingsUpdater({ companion, currentVersion: '1.0.0', app: { quit() {}, on() {} }, logger: null });
let refused = '';
try { await attachTidings({ app: { isPackaged: false, getVersion: () => '1.0.0', getPath: () => '/tmp' } }, { feed: { url: 'https://x' }, publisherKeys: [] }); } catch (e) { refused = e instanceof TidingsConfigError ? e.option : String(e); }
console.log(JSON.stringify({ channels: UPDATE_CHANNELS, status: companion.updateStatus().state, autoDownload: updater.autoDownload, version: updater.currentVersion.version, refused, platforms: SUPPORTED_PLATFORMS.length, preload: existsSync(preloadPath) && preloadPath.endsWith(join('dist', 'preload', 'index.cjs')) }));
await companion.close();
`);
  const out = execFileSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { channels: ['stable', 'experimental'], status: 'not-checked', autoDownload: true, version: '1.0.0', refused: 'publisherKeys', platforms: 6, preload: true });
  assert.ok(existsSync(join(dir, 'data', 'tidings.db')));
  const pkg = JSON.parse(readFileSync(join(modules, 'tidings', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  assert.deepEqual(Object.keys(pkg.exports), ['.', './updater', './electron', './react', './react/styles.css', './package.json']);
});
