// The electronegativity gate (reliability.md case 40; issue 5): zero findings for node integration,
// context isolation, sandbox, CSP, navigation and permission handling in electron/; every openExternal
// finding is one we reviewed (links.ts, justified where it calls openExternal). Electronegativity always
// exits 0, so its SARIF report is parsed. A deliberately bad app proves the gate can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scan, forbidden } from './electronegativity.ts';

test('electron/ has no findings for isolation, sandbox, CSP, navigation or permissions; openExternal is reviewed', () => {
  const findings = scan(path.resolve('electron'));
  const bad = findings.filter((f) => forbidden.test(f.rule));
  assert.deepEqual(bad, [], JSON.stringify(bad, null, 2));
  for (const f of findings.filter((x) => x.rule === 'OPEN_EXTERNAL_JS_CHECK')) {
    // Reviewed: the only call is links.ts, after new URL(), the scheme and userinfo checks, and the host
    // allow-list or the user's confirmation. The justification sits in a comment right above the call.
    assert.equal(f.file, 'main/links.ts', JSON.stringify(f));
    const lines = readFileSync('electron/main/links.ts', 'utf8').split('\n');
    assert.match(lines[f.line - 1]!, /shell\.openExternal\(d\.url\)/);
    assert.match(lines.slice(Math.max(0, f.line - 6), f.line - 1).join('\n'), /OPEN_EXTERNAL_JS_CHECK: reviewed/);
  }
  assert.deepEqual(findings.filter((f) => !forbidden.test(f.rule) && f.rule !== 'OPEN_EXTERNAL_JS_CHECK'), []);
});

test('the gate fails a deliberately insecure app (the scan is really running)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-en-bad-'));
  writeFileSync(path.join(dir, 'main.js'), `const { app, BrowserWindow, shell } = require('electron');
app.whenReady().then(() => {
  const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });
  w.loadURL('https://example.com');
  w.webContents.on('new-window', (e, url) => shell.openExternal(url));
});
`);
  const rules = new Set(scan(dir).map((f) => f.rule));
  for (const r of ['CSP_GLOBAL_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK', 'CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'OPEN_EXTERNAL_JS_CHECK']) {
    assert.ok(rules.has(r), `${r} missing from ${[...rules].join(', ')}`);
  }
});

test('a file the scanner cannot read fails the scan instead of passing unread; class private members are read', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-en-unread-'));
  writeFileSync(path.join(dir, 'main.js'), 'export class A { #x = 1; get x() { return this.#x; } }\n');
  assert.deepEqual(scan(dir).filter((f) => f.file === 'main.js' && !forbidden.test(f.rule)), []);
  writeFileSync(path.join(dir, 'broken.js'), 'const = ;\n');
  assert.throws(() => scan(dir), /could not read .*broken\.js/);
});
