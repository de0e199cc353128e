// The adapter from the core's binding (handlers + contract events) to the shell's CoreBridge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventName, EventPayloads } from '../../shared/ipc/contract.ts';
import type { ToastItem, CoreEvent } from '../../electron/main/bridge.ts';
import { bridgeFromBinding, adapterOptions, syncSettings, type CoreBinding } from '../../electron/main/core-bridge.ts';
import { createSettings } from '../../electron/main/settings.ts';
import { loadAppConfig } from '../../electron/main/config.ts';
import tidings from '../../build/tidings.config.json' with { type: 'json' };
import { stubCore, views, news } from './stub-core.ts';
import { fakeElectron } from './fake-electron.ts';
import { openStore, startTestShell, tick } from './harness.ts';

function fakeBinding(withToasts = true) {
  const core = stubCore();
  let emit: (<E extends EventName>(n: E, p: EventPayloads[E]) => void) | null = null;
  let toast: ((items: ToastItem[]) => void) | null = null;
  const state = { closed: false, woke: 0 };
  const binding: CoreBinding = {
    handlers: core.bridge.handlers,
    subscribe: (e) => { emit = e; return () => { emit = null; }; },
    close: async () => { state.closed = true; },
    ...(withToasts ? { subscribeToasts: (l: (items: ToastItem[]) => void) => { toast = l; return () => { toast = null; }; } } : {}),
    wake: () => { state.woke++; },
  };
  return { core, binding, state, emit: <E extends EventName>(n: E, p: EventPayloads[E]) => emit?.(n, p), toast: (i: ToastItem[]) => toast?.(i) };
}

test('contract events become core events; navigate is main\'s and is dropped; toasts pass through', () => {
  const f = fakeBinding();
  const bridge = bridgeFromBinding(f.binding, () => {});
  const got: CoreEvent[] = [];
  const off = bridge.subscribe((e) => got.push(e));
  f.emit('changed', { topics: ['inbox'] });
  f.emit('navigate', { screen: 'settings' });
  f.emit('downloadProgress', { version: '2.1.0', received: 1, total: 2 });
  f.emit('notice', { level: 'info', message: 'hi' });
  f.toast([news('n1')]);
  assert.deepEqual(got.map((e) => e.type), ['changed', 'downloadProgress', 'notice', 'toasts']);
  off();
  f.emit('changed', { topics: ['inbox'] });
  f.toast([news('n2')]);
  assert.equal(got.length, 4);
  bridge.powerEvent('resume');
  bridge.powerEvent('suspend');
  assert.equal(f.state.woke, 1);
});

test('a new release offer becomes one release toast (also one found before the shell listened); snoozed ones wait', async () => {
  const f = fakeBinding();
  f.core.state.tray.update = views.available;
  const got: CoreEvent[] = [];
  bridgeFromBinding(f.binding, () => {}, () => 5000_000).subscribe((e) => got.push(e));
  await tick();
  assert.deepEqual(got, [{ type: 'toasts', items: [{ key: 'r-2.1.0', kind: 'release', title: 'Tidings 2.1.0', excerpt: '', channel: 'stable', version: '2.1.0', critical: false }] }]);
  got.length = 0;
  f.core.state.tray.update = views.critical;
  f.emit('changed', { topics: ['update'] });
  await tick();
  assert.equal(got.filter((e) => e.type === 'toasts').length, 1);

  const snoozed = fakeBinding();
  snoozed.core.state.tray.update = views.available;
  const h = snoozed.binding.handlers;
  snoozed.binding.handlers = { ...h, getUpdate: async () => ({ view: views.available, skipped: [], remindAt: 6000, pendingStable: null }) };
  const quiet: CoreEvent[] = [];
  bridgeFromBinding(snoozed.binding, () => {}, () => 5000_000).subscribe((e) => quiet.push(e));
  await tick();
  assert.deepEqual(quiet, []);
});

test('tray state comes from the same queries the window uses; a failing source asks for attention', async () => {
  const f = fakeBinding();
  f.core.state.tray.update = views.available;
  const h = f.binding.handlers;
  f.binding.handlers = {
    ...h,
    getCounts: async () => ({ unread: 4, byChannel: {} }),
    getStatus: async () => ({ sources: [{ id: 'a', name: 'Acme feed', lastCheck: 1, lastSuccess: null, nextCheck: null, lastError: { message: 'The feed refused the access token. Check Sources in Settings.', detail: '401', at: 1 }, needsAttention: true }], log: [], frozenSince: null, online: true }),
  };
  const s = await bridgeFromBinding(f.binding, () => {}).trayState();
  assert.equal(s.update.state, 'available');
  assert.equal(s.unread, 4);
  assert.equal(s.attention, 'Acme feed: The feed refused the access token. Check Sources in Settings.');
});

test('without toast support the shell still runs, and says why there are no notifications', () => {
  const logs: string[] = [];
  bridgeFromBinding(fakeBinding(false).binding, (m) => logs.push(m));
  assert.ok(logs.some((l) => l.includes('news notifications are off')));
});

test('adapter options: stored sources with decrypted tokens, the baked feed as fallback, the dev feed only when given', () => {
  const config = loadAppConfig(tidings);
  const settings = createSettings(openStore(mkdtempSync(path.join(tmpdir(), 'tidings-cb-'))), fakeElectron().api.safeStorage);
  const base = { config, settings, dataDir: '/d', installedVersion: '0.1.0', platform: 'linux-x64', devFeed: null };
  const fallback = adapterOptions(base);
  assert.deepEqual(fallback.sources.map((s) => [s.id, s.url]), [['default', config.defaultFeedUrl]]);
  assert.equal(fallback.allowLoopbackHttp, false);
  settings.saveSource({ id: 's1', name: 'Acme', kind: 'tidings', url: 'https://feed.acme.example', channels: ['stable'], token: 'secret' });
  const stored = adapterOptions(base);
  assert.deepEqual(stored.sources.map((s) => [s.id, s.token]), [['s1', 'secret']]);
  const dev = adapterOptions({ ...base, devFeed: { url: 'http://127.0.0.1:4000', publicKey: 'AAAA', token: 't' } });
  assert.deepEqual(dev.sources.map((s) => s.id), ['demo']);
  assert.equal(dev.allowLoopbackHttp, true);
  assert.ok(dev.trustedKeys.includes('AAAA'));
});

test('the shell runs on a binding: a core change refreshes the tray, a due toast notifies', async () => {
  const f = fakeBinding();
  const { fake } = await startTestShell({ shell: { bridge: () => bridgeFromBinding(f.binding, () => {}) } });
  f.core.state.tray = { update: views.available, unread: 0, attention: null };
  f.emit('changed', { topics: ['update'] });
  await tick(); await tick();
  assert.equal(fake.trays[0]!.tooltip, 'Tidings — Update 2.1.0 available');
  f.toast([news('n1', 'Hello')]);
  assert.deepEqual(fake.notifications.map((n) => n.options.title), ['Tidings 2.1.0 is available', 'Hello']);
  fake.trays[0]!.click('Quit');
  await tick();
  assert.equal(f.state.closed, true);
});

test('at start the core follows the shell\'s settings; a channel switch needing the downgrade question is not forced', async () => {
  const settings = createSettings(openStore(mkdtempSync(path.join(tmpdir(), 'tidings-sync-'))), fakeElectron().api.safeStorage);
  settings.patch({ intervalHours: 24, autoCheck: false });
  settings.setChannel('experimental');
  const f = fakeBinding();
  await syncSettings(f.binding.handlers, settings);
  assert.deepEqual(f.core.called('updateSettings')[0], { autoCheck: false, intervalHours: 24, retentionDays: 90, notifyUpdates: true, notifyNews: true, quietHours: { enabled: false, start: '22:00', end: '08:00' }, launchAtLogin: false });
  assert.deepEqual(f.core.called('setChannel'), [{ channel: 'experimental' }]);
  assert.equal(settings.get('channel'), 'experimental');

  settings.setChannel('stable');
  const g = fakeBinding();
  g.core.state.needsConfirm = true;
  g.binding.handlers = { ...g.binding.handlers, getSettings: async () => ({ ...(await f.binding.handlers.getSettings({})), channel: 'experimental' }) };
  await syncSettings(g.binding.handlers, settings);
  assert.equal(settings.get('channel'), 'experimental', 'shows what the core really follows');
});
