// Lint-enforced layers (docs/architecture.md): shared ← electron/core ← electron/main; shared ← preload;
// shared ← renderer; shared ← server; preview may use electron/core + shared. Raw electron imports live only
// in electron/main and electron/preload; nothing outside electron/main imports it. shared/node is the
// Node-only part of shared (file hashing, key files): server, electron/core, electron/main and preview may
// use it; the rest of shared, the renderer and the preload may not.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import layers from './scripts/eslint-layers.mjs';

const nodeBuiltins = ['node:*', ...builtinModules.filter((m) => !m.startsWith('_'))];
const layer = (dirs) => dirs.flatMap((d) => [`**/${d}`, `**/${d}/**`, `../${d}`, `../${d}/**`]);

const restrict = (patterns, paths = []) => ({
  'no-restricted-imports': ['error', {
    paths,
    patterns: patterns.map((p) => ({ group: p.group, message: p.message })),
  }],
});

const electronPkg = { name: 'electron', message: 'Only electron/main and electron/preload may import electron.' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test/fixtures/**', 'bench/results/**', 'renderer/dist/**', '.tmp/**', 'examples/*/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-undef': 'off',
    },
  },
  {
    files: ['shared/**'],
    ignores: ['shared/node/**'],
    rules: restrict([
      { group: nodeBuiltins, message: 'shared/ runs in the browser too: no Node built-ins.' },
      { group: layer(['electron', 'server', 'renderer', 'preview']), message: 'shared/ is the bottom layer and imports no other layer.' },
      { group: [...layer(['shared/node']), '../node', '../node/**', './node', './node/**'], message: 'shared/ runs in the browser too: shared/node is for Node-side layers only.' },
    ], [electronPkg]),
  },
  {
    files: ['shared/node/**'],
    rules: restrict([
      { group: layer(['electron', 'server', 'renderer', 'preview']), message: 'shared/node is part of the bottom layer and imports no other layer.' },
    ], [electronPkg]),
  },
  {
    files: ['renderer/**'],
    rules: restrict([
      { group: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
      { group: layer(['electron', 'server', 'preview']), message: 'The renderer talks only to the typed API on window (shared/ipc).' },
      { group: layer(['shared/node']), message: 'The renderer is sandboxed: shared/node is Node-only.' },
    ], [electronPkg]),
  },
  {
    // The publisher console's page (served by the feed service): a browser bundle over shared/ (and the
    // renderer's sanitizing Markdown), talking to /console/api only.
    files: ['console/**'],
    rules: restrict([
      { group: nodeBuiltins, message: 'The console runs in a browser: no Node built-ins.' },
      { group: layer(['electron', 'server', 'preview', 'shared/node']), message: 'The console talks to the feed service over /console/api only.' },
    ], [electronPkg]),
  },
  {
    files: ['electron/core/**'],
    rules: restrict([
      { group: layer(['main', 'preload', 'electron/main', 'electron/preload', 'server', 'renderer', 'preview']), message: 'electron/core is plain Node over shared/: no shell, server or UI imports.' },
    ], [electronPkg]),
  },
  {
    files: ['electron/preload/**'],
    rules: restrict([
      { group: layer(['core', 'main', 'electron/core', 'electron/main', 'server', 'renderer', 'preview', 'shared/node']), message: 'The preload exposes the typed IPC contract from shared/ and nothing else.' },
    ]),
  },
  {
    files: ['electron/main/**'],
    rules: restrict([
      { group: layer(['preload', 'electron/preload', 'server', 'renderer', 'preview']), message: 'electron/main uses electron/core and shared/ only.' },
    ]),
  },
  {
    // The standalone app is the library's reference user, with no private back door: its entry imports only the
    // public entry points (package.json exports: electron/lib/index.ts, updater.ts, electron.ts) and its baked
    // build config, besides Electron, electron-store and Node. If it needs something, the library offers it.
    files: ['electron/main/index.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: String.raw`^\.{1,2}/(?!lib/(index|updater|electron)\.ts$|\.\./build/[^/]+\.json$)`,
          message: 'The standalone app imports only the public entry points (electron/lib/index.ts, updater.ts, electron.ts): if it needs more, the library offers it.',
        }],
      }],
    },
  },
  {
    // The library's public entry points (package.json exports): over electron/core and the pieces of
    // electron/main a host app needs, never the standalone app's own entry, and never Electron itself (the host
    // hands its Electron modules in, so the tests run against a fake).
    files: ['electron/lib/**'],
    rules: restrict([
      { group: [...layer(['preload', 'electron/preload', 'server', 'renderer', 'preview']), '**/main/index.ts', '../main/index.ts'], message: 'electron/lib is built on electron/core, electron/main (not its entry) and shared/ only.' },
    ], [electronPkg]),
  },
  {
    files: ['server/**'],
    rules: restrict([
      { group: layer(['electron', 'renderer', 'preview']), message: 'server/ depends on shared/ only.' },
    ], [electronPkg]),
  },
  {
    files: ['preview/**'],
    rules: restrict([
      { group: layer(['electron/main', 'electron/preload', 'main', 'preload']), message: 'preview/ hosts electron/core (and the demo feed) for a browser, never electron/main.' },
    ], [electronPkg]),
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: restrict([
      { group: layer(['electron/main', 'main']), message: 'Nothing outside electron/main imports it; test it through its exported factories with an injected fake (test/main may).' },
    ], [electronPkg]),
  },
  {
    files: ['test/main/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The library's tests use its entry points (electron/lib) and the Electron fake that test/main keeps.
    files: ['test/lib/**', 'test/examples/**'],
    rules: restrict([
      { group: [...layer(['electron/main']), '../../electron/main/**'], message: 'Test the library through electron/lib (its public entry points), with the Electron fake from test/main.' },
    ], [electronPkg]),
  },
  {
    // An example is an app a publisher could copy: it uses Tidings only by package name (tidings, tidings/updater,
    // tidings/electron, tidings/react), never by a path into this repository.
    files: ['examples/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: String.raw`^(\.\./)+(electron|shared|server|preview|build|scripts|test)/`,
          message: 'Examples use Tidings through its package entry points (tidings/electron, tidings/updater, …), as an app that installed it does.',
        }],
      }],
    },
  },
  {
    // Lazy imports obey the layers too; raw ipcMain/ipcRenderer only inside the two typed wrappers.
    files: ['shared/**', 'renderer/**', 'electron/**', 'server/**', 'preview/**'],
    plugins: { layers },
    rules: { 'layers/no-cross-layer-dynamic-import': 'error', 'layers/no-raw-ipc': 'error' },
  },
);
