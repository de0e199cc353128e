// electron-builder configuration (`electron-builder --config build/electron-builder.config.ts`).
// Identity comes from build/tidings.config.json, the same file main bakes in (feed URL, publisher keys).
// Checked statically by test/main/packaging.test.ts (packaging itself downloads Electron, which these
// machines cannot do; see docs: toolchain.md).
import type { Configuration } from 'electron-builder';
import tidings from './tidings.config.json' with { type: 'json' };

/**
 * A packaged app trusts only the keys baked in here (P1: no off switch), so a build with none would refuse
 * every release it is ever offered. Refuse to package it, unless it is a local test build.
 */
export function checkReleaseKeys(keys: readonly unknown[], env: NodeJS.ProcessEnv = process.env): void {
  if (keys.length > 0 || env['TIDINGS_UNSIGNED_BUILD'] === '1') return;
  throw new Error('build/tidings.config.json lists no publisherKeys, so the packaged app would refuse every release. '
    + 'Add your public key and key id (`tidings keygen` prints them), or set TIDINGS_UNSIGNED_BUILD=1 for a local test build.');
}

/** The feed service serves electron-updater's files at /electron-updater/ beside its /v1 API. */
export function legacyFeedUrl(feedUrl: string): string {
  return new URL('/electron-updater/', feedUrl).href;
}

/** Packages only the feed server uses: kept out of the desktop app. */
const serverOnly = ['fastify', '@fastify', 'pg', 'pg-*', 'pgpass', 'postgres-*'];

const config: Configuration = {
  appId: tidings.appId,
  productName: tidings.productName,
  copyright: 'Copyright © Tidings contributors',
  directories: { buildResources: 'build', output: 'dist' },
  // The repo's package.json serves the server and CLI too; the packaged app's copy points at the Electron main.
  extraMetadata: { main: 'out/main/index.js', author: { name: 'Tidings contributors', email: 'hello@tidings.dev' } },
  files: [
    'out/main/**', 'out/preload/**', 'out/renderer/**', 'package.json',
    '!**/*.map',
    ...serverOnly.map((p) => `!node_modules/${p}/**`),
    // better-sqlite3 ships C sources and every platform's prebuild: keep only this platform's binary.
    '!node_modules/better-sqlite3/{src,deps,build,binding.gyp}/**',
    '!node_modules/better-sqlite3/binding.gyp',
    '!node_modules/better-sqlite3/prebuilds/!(${platform}-${arch}).node',
  ],
  asar: true,
  // Native code cannot be loaded from inside an asar archive.
  asarUnpack: ['node_modules/better-sqlite3/**'],
  // better-sqlite3 13 is a prebuilt N-API module: the same binary works in Node and Electron, no rebuild.
  npmRebuild: false,
  buildDependenciesFromSource: false,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
    enableCookieEncryption: true,
    loadBrowserProcessSpecificV8Snapshot: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'build/icons',
    category: 'Utility',
    synopsis: 'Update and news companion',
    maintainer: 'Tidings contributors <hello@tidings.dev>',
  },
  deb: { depends: ['libnotify4', 'libsecret-1-0'] },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  // The zip is what an installed app updates from (electron/core/apply/mac.ts); the dmg is for first installs.
  mac: { target: ['dmg', 'zip'], icon: 'build/icon.png', category: 'public.app-category.utilities', hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist', entitlementsInherit: 'build/entitlements.mac.plist' },
  dmg: { sign: false },
  // The app updates from Tidings' own signed feed. This publish setting exists for the metadata electron-builder
  // writes with it: `resources/package-type` (deb, rpm, nsis), which tells the app how it was installed and so
  // which applier to use (electron/core/apply/kinds.ts, docs/updates.md), and `app-update.yml`, pointing at the
  // feed's electron-updater files (docs/legacy-feeds.md) for hosts that still use electron-updater.
  publish: { provider: 'generic', url: legacyFeedUrl(tidings.defaultFeedUrl), channel: 'latest' },
  beforePack: async () => checkReleaseKeys(tidings.publisherKeys),
};

export default config;
