// `npm start` picks the real app when an Electron binary exists and the browser preview when not, saying
// so in one line (issue 5, "Packaging and start").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const start = (env: Record<string, string>) => execFileSync(process.execPath, ['scripts/start.ts'], {
  encoding: 'utf8', env: { ...process.env, TIDINGS_START_DRY_RUN: '1', ELECTRON_EXEC_PATH: '', ELECTRON_OVERRIDE_DIST_PATH: '', ...env },
});

test('no binary: one clear line, then the preview', () => {
  const out = start({ ELECTRON_EXEC_PATH: '/nonexistent/electron' });
  assert.equal(out.trim().split('\n').length, 1);
  assert.match(out, /^No Electron binary here: ELECTRON_EXEC_PATH=\/nonexistent\/electron does not exist\. Starting the browser preview instead\./);
});

test('a binary: the real app through electron-vite dev', () => {
  assert.match(start({ ELECTRON_EXEC_PATH: process.execPath }), /^Electron found at .*: would run electron-vite dev/);
});
