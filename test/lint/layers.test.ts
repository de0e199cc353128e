// The layers in docs/architecture.md are enforced by ESLint: deliberate violations must fail lint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

const violations: [string, string][] = [
  ['shared/bad.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
  ['shared/bad.ts', "import fs from 'fs';\nexport const x = fs;\n"],
  ['shared/bad.ts', "import { app } from 'electron';\nexport const x = app;\n"],
  ['shared/protocol/bad.ts', "import { startServer } from '../../server/app.ts';\nexport const x = startServer;\n"],
  ['renderer/bad.ts', "import { startServer } from '../server/app.ts';\nexport const x = startServer;\n"],
  ['renderer/bad.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n"],
  ['renderer/bad.ts', "import x from '../electron/core/index.ts';\nexport const y = x;\n"],
  ['electron/core/bad.ts', "import { app } from 'electron';\nexport const x = app;\n"],
  ['electron/core/bad.ts', "import x from '../main/index.ts';\nexport const y = x;\n"],
  ['server/bad.ts', "import x from '../electron/core/index.ts';\nexport const y = x;\n"],
  ['preview/bad.ts', "import x from '../electron/main/index.ts';\nexport const y = x;\n"],
  ['test/core/bad.test.ts', "import x from '../../electron/main/index.ts';\nexport const y = x;\n"],
  // shared/node is Node-only: the browser-side layers and the rest of shared may not reach it.
  ['shared/publish/bad.ts', "import { hashLocalFile } from '../node/hash.ts';\nexport const x = hashLocalFile;\n"],
  ['renderer/bad.ts', "import { hashLocalFile } from '../shared/node/hash.ts';\nexport const x = hashLocalFile;\n"],
  ['electron/preload/bad.ts', "import { hashLocalFile } from '../../shared/node/hash.ts';\nexport const x = hashLocalFile;\n"],
  ['shared/node/bad.ts', "import { startServer } from '../../server/app.ts';\nexport const x = startServer;\n"],
  ['shared/node/bad.ts', "import { app } from 'electron';\nexport const x = app;\n"],
  // The standalone app's entry imports only the library's public entry points (issue 14): no back door.
  ['electron/main/index.ts', "import { startShell } from './shell.ts';\nexport const x = startShell;\n"],
  ['electron/main/index.ts', "import { createCompanion } from '../core/index.ts';\nexport const x = createCompanion;\n"],
  ['electron/main/index.ts', "import { settingsFile } from '../lib/settings-file.ts';\nexport const x = settingsFile;\n"],
  ['electron/main/index.ts', "import { UPDATE_CHANNELS } from '../../shared/channels.ts';\nexport const x = UPDATE_CHANNELS;\n"],
  ['electron/main/index.ts', "import type { Shell } from './shell.ts';\nexport type X = Shell;\n"],
  // An example uses Tidings by package name only, as an app that installed it.
  ['examples/embed/src/main/bad.ts', "import { attachTidings } from '../../../../electron/lib/electron.ts';\nexport const x = attachTidings;\n"],
  ['examples/embed/src/main/bad.ts', "import { UPDATE_CHANNELS } from '../../../../shared/channels.ts';\nexport const x = UPDATE_CHANNELS;\n"],
];

for (const [file, code] of violations) {
  test(`lint refuses: ${file} ${code.split('\n')[0]}`, async () => {
    assert.ok((await ruleIds(file, code)).includes('no-restricted-imports'));
  });
}

const otherRules: [string, string, string][] = [
  ['renderer/bad.ts', "export const load = () => import('../electron/core/index.ts');\n", 'layers/no-cross-layer-dynamic-import'],
  ['electron/core/bad.ts', "export const load = () => import('../main/shell.ts');\n", 'layers/no-cross-layer-dynamic-import'],
  ['shared/bad.ts', "export const load = () => import('../server/app.ts');\n", 'layers/no-cross-layer-dynamic-import'],
  ['server/bad.ts', "export const load = () => import('../preview/host.ts');\n", 'layers/no-cross-layer-dynamic-import'],
  ['electron/main/bad.ts', "import type { ElectronApi } from './electron-api.ts';\nexport const f = (api: ElectronApi) => api.ipcMain.handle('x', () => 1);\n", 'layers/no-raw-ipc'],
  ['electron/preload/bad.ts', "import { ipcRenderer } from 'electron';\nexport const f = () => ipcRenderer.invoke('tidings:getAppInfo');\n", 'layers/no-raw-ipc'],
  ['electron/main/index.ts', "export const load = () => import('../core/apply/watchdog.ts');\n", 'layers/no-cross-layer-dynamic-import'],
  ['electron/main/index.ts', "export const load = () => import('./shell.ts');\n", 'layers/no-cross-layer-dynamic-import'],
];

for (const [file, code, rule] of otherRules) {
  test(`lint refuses (${rule}): ${file} ${code.split('\n').at(-2)}`, async () => {
    assert.ok((await ruleIds(file, code)).includes(rule));
  });
}

test('allowed imports pass lint', async () => {
  assert.deepEqual(await ruleIds('renderer/ok.ts', "export const load = () => import('./screens/Updates.tsx');\n"), []);
  assert.deepEqual(await ruleIds('preview/ok.ts', "export const load = () => import('../electron/core/index.ts');\n"), []);
  assert.deepEqual(await ruleIds('server/ok.ts', "import { schemas } from '../shared/protocol/schemas.ts';\nexport const x = schemas;\n"), []);
  assert.deepEqual(await ruleIds('electron/main/ok.ts', "import { app } from 'electron';\nexport const x = app;\n"), []);
  assert.deepEqual(await ruleIds('renderer/ok.ts', "import { schemas } from '../shared/protocol/schemas.ts';\nexport const x = schemas;\n"), []);
});

test('the standalone app\'s entry as it is passes, and may use every public entry point and its baked config', async () => {
  assert.deepEqual(await ruleIds('electron/main/index.ts', readFileSync('electron/main/index.ts', 'utf8')), []);
  const ok = "import { attachTidings } from '../lib/electron.ts';\nimport { TidingsUpdater } from '../lib/updater.ts';\nimport { createCompanion } from '../lib/index.ts';\n"
    + "import c from '../../build/tidings.config.json' with { type: 'json' };\nimport Store from 'electron-store';\nimport { app } from 'electron';\nimport { join } from 'node:path';\n"
    + 'export const x = [attachTidings, TidingsUpdater, createCompanion, c, Store, app, join];\n';
  assert.deepEqual(await ruleIds('electron/main/index.ts', ok), []);
  // Only the entry: the rest of electron/main is the library's inside and keeps its own layer rules.
  assert.deepEqual(await ruleIds('electron/main/ok.ts', "import { startShell } from './shell.ts';\nexport const x = startShell;\n"), []);
});

test('an example may use electron, Node, its own files and tidings by package name', async () => {
  const ok = "import * as electron from 'electron';\nimport { join } from 'node:path';\nimport { attachTidings } from 'tidings/electron';\nimport type { UpdateInfo } from 'tidings/updater';\nimport { FEED_URL } from './feed.ts';\n"
    + "export type U = UpdateInfo;\nexport const x = [electron, join, attachTidings, FEED_URL, '../renderer/index.html'];\n";
  assert.deepEqual(await ruleIds('examples/embed/src/main/ok.ts', ok), []);
  for (const f of ['src/main/index.ts', 'src/main/updates.ts', 'src/main/feed.ts', 'electron.vite.config.ts']) {
    assert.deepEqual(await ruleIds(`examples/embed/${f}`, readFileSync(`examples/embed/${f}`, 'utf8')), [], f);
  }
});

test('shared/node may use Node built-ins, and the Node-side layers may use shared/node', async () => {
  assert.deepEqual(await ruleIds('shared/node/ok.ts', "import { createHash } from 'node:crypto';\nimport { schemas } from '../protocol/schemas.ts';\nexport const x = [createHash, schemas];\n"), []);
  for (const file of ['server/cli/ok.ts', 'electron/core/ok.ts', 'preview/ok.ts']) {
    const up = '../'.repeat(file.split('/').length - 1);
    assert.deepEqual(await ruleIds(file, `import { hashLocalFile } from '${up}shared/node/hash.ts';\nexport const x = hashLocalFile;\n`), [], file);
  }
});
