// The layers in docs/architecture.md are enforced by ESLint: deliberate violations must fail lint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
];

for (const [file, code] of violations) {
  test(`lint refuses: ${file} ${code.split('\n')[0]}`, async () => {
    assert.ok((await ruleIds(file, code)).includes('no-restricted-imports'));
  });
}

test('allowed imports pass lint', async () => {
  assert.deepEqual(await ruleIds('server/ok.ts', "import { schemas } from '../shared/protocol/schemas.ts';\nexport const x = schemas;\n"), []);
  assert.deepEqual(await ruleIds('electron/main/ok.ts', "import { app } from 'electron';\nexport const x = app;\n"), []);
  assert.deepEqual(await ruleIds('renderer/ok.ts', "import { schemas } from '../shared/protocol/schemas.ts';\nexport const x = schemas;\n"), []);
});
