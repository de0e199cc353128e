// Settings: electron-store's engine (conf) with our schema, defaults and migrations, for real on disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSettings, defaultSettings, decryptToken, encryptToken } from '../../electron/main/settings.ts';
import { fakeElectron } from './fake-electron.ts';
import { openStore } from './harness.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'tidings-settings-'));

test('a fresh store has the defaults', () => {
  const s = createSettings(openStore(tmp()), fakeElectron().api.safeStorage);
  assert.deepEqual(s.view(), {
    channel: 'stable', autoCheck: true, intervalHours: 4, notifyUpdates: true, notifyNews: true,
    quietHours: { enabled: false, start: '22:00', end: '08:00' }, launchAtLogin: false, installOnQuit: true, shareDiagnostics: false, retentionDays: 90, sources: [],
  });
  assert.deepEqual(s.get('shownToasts'), defaultSettings.shownToasts);
});

test('patches persist across a reopen', () => {
  const dir = tmp();
  const s = createSettings(openStore(dir), fakeElectron().api.safeStorage);
  s.patch({ intervalHours: 24, quietHours: { enabled: true, start: '21:30', end: '07:00' }, retentionDays: null });
  s.setChannel('experimental');
  const again = createSettings(openStore(dir), fakeElectron().api.safeStorage).view();
  assert.equal(again.intervalHours, 24);
  assert.equal(again.channel, 'experimental');
  assert.equal(again.retentionDays, null);
  assert.deepEqual(again.quietHours, { enabled: true, start: '21:30', end: '07:00' });
});

test('the schema refuses bad values', () => {
  const store = openStore(tmp());
  assert.throws(() => store.set('channel', 'nightly' as never));
  assert.throws(() => store.set('quietHours', { enabled: true, start: '25:00', end: '07:00' }));
  assert.throws(() => store.set('intervalHours', 2 as never));
});

test('a corrupt or hand-broken file resets to defaults instead of crashing', () => {
  const dir = tmp();
  writeFileSync(path.join(dir, 'settings.json'), '{"channel": "nightly", ');
  assert.equal(openStore(dir).get('channel'), 'stable');
});

test('migration from a 0.0.x file: one notifications switch and minutes become the current keys', () => {
  const dir = tmp();
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({
    channel: 'experimental', notifications: false, intervalMinutes: 120, __internal__: { migrations: { version: '0.0.9' } },
  }));
  const store = openStore(dir, '0.1.0');
  assert.equal(store.get('notifyUpdates'), false);
  assert.equal(store.get('notifyNews'), false);
  assert.equal(store.get('intervalHours'), 4);
  assert.equal(store.get('channel'), 'experimental');
  const raw = JSON.parse(readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
  assert.equal('notifications' in raw, false);
  assert.equal('intervalMinutes' in raw, false);
});

test('tokens: encrypted with safeStorage where available, marked plain where not, never in the view', () => {
  const withKeychain = fakeElectron({ encryption: true }).api.safeStorage;
  const enc = encryptToken(withKeychain, 'tok');
  assert.equal(enc.enc, 'safeStorage');
  assert.notEqual(enc.data, 'tok');
  assert.equal(decryptToken(withKeychain, enc), 'tok');
  const without = fakeElectron({ encryption: false }).api.safeStorage;
  assert.deepEqual(encryptToken(without, 'tok'), { enc: 'plain', data: 'tok' });
  // Linux without a keyring: Electron's 'basic_text' backend uses a hard-coded key, so it counts as none.
  assert.deepEqual(encryptToken(fakeElectron({ encryption: true, backend: 'basic_text' }).api.safeStorage, 'tok'), { enc: 'plain', data: 'tok' });
  assert.equal(encryptToken(fakeElectron({ encryption: true, backend: 'gnome_libsecret' }).api.safeStorage, 'tok').enc, 'safeStorage');
  const broken = { ...withKeychain, decryptString: () => { throw new Error('keychain reset'); } };
  assert.equal(decryptToken(broken, enc), null);

  const s = createSettings(openStore(tmp()), withKeychain);
  s.saveSource({ id: 'a', name: 'A', kind: 'tidings', url: 'https://a.example', channels: ['stable'], token: 'tok' });
  s.saveSource({ id: 'a', name: 'A2', kind: 'tidings', url: 'https://a.example', channels: ['stable'] });
  assert.equal(s.sourceToken('a'), 'tok', 'token undefined keeps the stored one');
  assert.equal(s.view().sources[0]!.name, 'A2');
  s.saveSource({ id: 'a', name: 'A2', kind: 'tidings', url: 'https://a.example', channels: ['stable'], token: null });
  assert.equal(s.sourceToken('a'), null);
  assert.equal(s.view().sources[0]!.hasToken, false);
});
