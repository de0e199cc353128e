// Static checks of the packaging config (issue 5; reliability.md P16): targets, files, asarUnpack, fuses,
// the baked app config and the icon set, plus electron-builder's own schema validation (offline, ~1 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import config, { checkReleaseKeys } from '../../build/electron-builder.config.ts';
import tidings from '../../build/tidings.config.json' with { type: 'json' };
import { loadAppConfig } from '../../electron/main/config.ts';
import { ICON_SIZES } from '../../build/make-icons.ts';

const require = createRequire(import.meta.url);
const targets = (t: unknown) => (t as (string | { target: string })[]).map((x) => (typeof x === 'string' ? x : x.target));

test('identity comes from build/tidings.config.json, which main accepts', () => {
  assert.equal(config.appId, tidings.appId);
  assert.equal(config.productName, 'Tidings');
  const c = loadAppConfig(tidings);
  assert.match(c.defaultFeedUrl, /^https:\/\//);
  assert.ok(Array.isArray(c.publisherKeys));
  assert.throws(() => loadAppConfig({ ...tidings, defaultFeedUrl: 'http://feed.example' }), 'an http feed is refused at load (case 13)');
  assert.throws(() => loadAppConfig({ ...tidings, extra: 1 }));
});

test('targets: Linux AppImage + deb, Windows NSIS, macOS dmg + zip (the zip is what updates apply)', () => {
  assert.deepEqual(targets(config.linux!.target).sort(), ['AppImage', 'deb']);
  assert.deepEqual(targets(config.win!.target), ['nsis']);
  assert.deepEqual(targets(config.mac!.target), ['dmg', 'zip']);
  // The hardened runtime grants only what V8 needs.
  assert.equal(config.mac!.hardenedRuntime, true);
  const ent = readFileSync(config.mac!.entitlements!, 'utf8');
  assert.deepEqual([...ent.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]), ['com.apple.security.cs.allow-jit']);
});

test('files, asar and better-sqlite3', () => {
  const files = config.files as string[];
  assert.ok(files.includes('out/main/**') && files.includes('out/preload/**') && files.includes('out/renderer/**'));
  assert.ok(files.some((f) => f.startsWith('!node_modules/better-sqlite3/{src,deps,build')), 'C sources and build dirs excluded');
  assert.ok(files.some((f) => f.includes('prebuilds/!(${platform}-${arch})')), 'foreign prebuilds excluded');
  assert.ok(files.includes('!node_modules/fastify/**') && files.includes('!node_modules/pg/**'), 'server-only packages excluded');
  assert.equal(config.asar, true);
  assert.deepEqual(config.asarUnpack, ['node_modules/better-sqlite3/**']);
  assert.equal(config.npmRebuild, false);
  assert.equal((config.extraMetadata as { main: string }).main, 'out/main/index.js');
  // Publish settings only for the metadata they make electron-builder write (package-type, app-update.yml).
  assert.deepEqual(config.publish, { provider: 'generic', url: 'https://feed.tidings.dev/electron-updater/', channel: 'latest' });
});

test('fuses as P16 lists them', () => {
  assert.deepEqual(
    { ...config.electronFuses },
    {
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true, onlyLoadAppFromAsar: true, grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true, loadBrowserProcessSpecificV8Snapshot: false,
    },
  );
});

test('electron-builder validates the config (and would reject a broken one)', async () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig(dir: string, file: string | null, fromOptions: unknown): Promise<Record<string, unknown>>;
    validateConfiguration(c: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const loaded = await getConfig(process.cwd(), 'build/electron-builder.config.ts', null);
  assert.equal(loaded['appId'], tidings.appId);
  await validateConfiguration(loaded, new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...loaded, electronFuses: { runAsNode: 'no' } }, new DebugLogger(false)));
  await assert.rejects(validateConfiguration({ ...loaded, notAnOption: true }, new DebugLogger(false)));
});

test('the icon set exists: 1024 px icon.png and the Linux sizes, all real PNGs', () => {
  const size = (file: string) => {
    const b = readFileSync(file);
    assert.equal(b.subarray(1, 4).toString(), 'PNG', file);
    return [b.readUInt32BE(16), b.readUInt32BE(20)];
  };
  assert.deepEqual(size('build/icon.png'), [1024, 1024]);
  for (const s of ICON_SIZES) assert.deepEqual(size(`build/icons/${s}x${s}.png`), [s, s]);
});

test('a release build with no publisher key is refused before packing; a local test build may opt out', async () => {
  assert.throws(() => checkReleaseKeys([], {}), /no publisherKeys.*TIDINGS_UNSIGNED_BUILD=1/);
  assert.doesNotThrow(() => checkReleaseKeys([], { TIDINGS_UNSIGNED_BUILD: '1' }));
  assert.doesNotThrow(() => checkReleaseKeys([{ keyId: 'k', publicKey: 'AAAA' }], {}));
  // The hook electron-builder runs is wired to the baked config.
  const hook = config.beforePack as () => Promise<void>;
  if (tidings.publisherKeys.length === 0) {
    const saved = process.env['TIDINGS_UNSIGNED_BUILD'];
    delete process.env['TIDINGS_UNSIGNED_BUILD'];
    try { await assert.rejects(hook(), /no publisherKeys/); } finally { if (saved !== undefined) process.env['TIDINGS_UNSIGNED_BUILD'] = saved; }
  } else await hook();
});
