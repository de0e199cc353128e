// Tray icon, tooltip and menu for each core state; channel switch and pause from the tray (issue 5).
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from '../../electron/main/electron-api.ts';
import { trayView, tomorrowMorning } from '../../electron/main/tray.ts';
import type { TrayCoreState } from '../../electron/main/bridge.ts';
import { drawIcon } from '../../electron/main/png.ts';
import { startTestShell, tick } from './harness.ts';
import { stubCore, views } from './stub-core.ts';

const NOW = Date.UTC(2026, 10, 24, 12);
const noop = { open: () => {}, checkNow: () => {}, setChannel: () => {}, pause: () => {}, quit: () => {} };
const labels = (menu: MenuItemConstructorOptions[]) => menu.map((m) => (m.type === 'separator' ? '---' : m.label));
const view = (s: Partial<TrayCoreState>, ctx: Partial<{ channel: 'stable' | 'experimental'; pausedUntil: number | null }> = {}) =>
  trayView({ update: views.upToDate, unread: 0, attention: null, ...s }, { channel: 'stable', pausedUntil: null, now: NOW, ...ctx }, noop);

test('up to date: normal icon, plain tooltip, the menu issue 5 lists', () => {
  const v = view({});
  assert.equal(v.icon, 'normal');
  assert.equal(v.tooltip, 'Tidings — Up to date');
  assert.deepEqual(labels(v.menu), [
    'Tidings 2.0.0 is up to date', 'No unread news', '---', 'Check for updates now', 'Channel', '---', 'Open Tidings',
    'Pause notifications for 1 hour', 'Pause notifications until tomorrow', '---', 'Quit',
  ]);
  assert.equal(v.menu[0]!.enabled, false);
  const channel = v.menu.find((m) => m.label === 'Channel')!.submenu as MenuItemConstructorOptions[];
  assert.deepEqual(channel.map((c) => [c.label, c.type, c.checked]), [['Stable', 'radio', true], ['Experimental', 'radio', false]]);
});

test('update available: arrow icon, offer first in the menu, tooltip as ux.md words it', () => {
  const v = view({ update: views.available, unread: 3 });
  assert.equal(v.icon, 'update');
  assert.equal(v.tooltip, 'Tidings — Update 2.1.0 available · 3 unread');
  assert.deepEqual(labels(v.menu).slice(0, 2), ['Install 2.1.0…', '3 unread news']);
  assert.equal(view({ update: views.critical }).menu[0]!.label, 'Install 2.1.1 (critical)…');
});

test('unread news only: dot icon and count', () => {
  const v = view({ unread: 1 });
  assert.equal(v.icon, 'unread');
  assert.equal(v.tooltip, 'Tidings — Up to date · 1 unread');
  assert.equal(v.menu[1]!.label, '1 unread news');
  assert.equal(v.menu[1]!.enabled, true);
});

test('attention: a failing source or unconfirmable updates', () => {
  const failing = view({ attention: 'Acme feed: the update server didn\'t answer in time' });
  assert.equal(failing.icon, 'attention');
  assert.match(failing.tooltip, /Up to date · Acme feed/);
  const frozen = view({ update: views.cantConfirm, unread: 2 });
  assert.equal(frozen.icon, 'attention');
  assert.equal(frozen.tooltip, "Tidings — Can't confirm updates · 2 unread");
  assert.equal(frozen.menu[0]!.label, "Can't confirm updates…");
});

test('the tooltip shows characters literally and is cut at 127', () => {
  const v = view({ attention: `\u202Eevil ${'x'.repeat(300)}` });
  assert.ok(v.tooltip.length <= 127);
  assert.ok(v.tooltip.includes('\u202E'));
  assert.ok(v.tooltip.endsWith('…'));
});

test('paused: the menu says until when and offers Resume', () => {
  const v = view({}, { pausedUntil: NOW + 1000 });
  assert.ok(labels(v.menu).includes('Resume notifications'));
  assert.ok(labels(v.menu).some((l) => l?.startsWith('Notifications paused until')));
  const until = tomorrowMorning(NOW);
  assert.ok(until > NOW && until - NOW <= 32 * 3600_000);
  assert.equal(new Date(until).getHours(), 8);
});

test('the live tray follows core events for each state', async () => {
  const core = stubCore();
  const { fake, openWindow } = await startTestShell({ core });
  const tray = fake.trays[0]!;
  assert.equal(tray.tooltip, 'Tidings — Up to date');
  const w = openWindow();
  core.state.tray = { update: views.available, unread: 2, attention: null };
  core.emit({ type: 'changed', topics: ['update', 'counts'] });
  await tick();
  assert.equal(tray.tooltip, 'Tidings — Update 2.1.0 available · 2 unread');
  assert.equal(tray.menu[0]!.label, 'Install 2.1.0…');
  assert.deepEqual(w.webContents.sent.at(-1), { channel: 'tidings:changed', payload: { topics: ['update', 'counts'] } });
  tray.click('Install 2.1.0…');
  assert.deepEqual(w.webContents.sent.at(-1), { channel: 'tidings:navigate', payload: { screen: 'updates', itemKey: 'r-2.1.0' } });
});

test('the live tray image and tooltip change with each core state', async () => {
  const core = stubCore();
  const { fake } = await startTestShell({ core });
  const tray = fake.trays[0]!;
  const png = () => (tray.image as unknown as { png: Buffer }).png;
  const seen = new Map<string, Buffer>();
  const states: [string, TrayCoreState, string][] = [
    ['normal', { update: views.upToDate, unread: 0, attention: null }, 'Tidings — Up to date'],
    ['update', { update: views.available, unread: 0, attention: null }, 'Tidings — Update 2.1.0 available'],
    ['unread', { update: views.upToDate, unread: 3, attention: null }, 'Tidings — Up to date · 3 unread'],
    ['attention', { update: views.cantConfirm, unread: 0, attention: null }, "Tidings — Can't confirm updates"],
    ['attention', { update: views.upToDate, unread: 0, attention: 'Acme: offline' }, 'Tidings — Up to date · Acme: offline'],
  ];
  for (const [icon, state, tooltip] of states) {
    core.state.tray = state;
    core.emit({ type: 'changed', topics: ['status'] });
    await tick();
    assert.equal(tray.tooltip, tooltip);
    assert.deepEqual(png(), drawIcon(32, icon as Parameters<typeof drawIcon>[1]), `${icon} image`);
    seen.set(icon, png());
  }
  assert.equal(new Set([...seen.values()].map((b) => b.toString('base64'))).size, 4, 'four distinct images');
});

/** RGBA of one pixel of a PNG from png.ts (one IDAT, filter 0 on every row). */
function pixel(png: Buffer, x: number, y: number): number[] {
  const width = png.readUInt32BE(16);
  const idat = png.indexOf('IDAT');
  const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
  const at = y * (width * 4 + 1) + 1 + x * 4;
  return [...raw.subarray(at, at + 4)];
}

test('the states differ by shape, not colour alone: a plain dot, an arrow, an exclamation mark (ux.md)', () => {
  const white = [255, 255, 255, 255];
  // (24, 24) is the middle of the 32 px badge: blank in the unread dot, white in the arrow's shaft and the "!" bar.
  assert.notDeepEqual(pixel(drawIcon(32, 'unread'), 24, 24), white);
  assert.deepEqual(pixel(drawIcon(32, 'update'), 24, 24), white);
  assert.deepEqual(pixel(drawIcon(32, 'attention'), 24, 24), white);
  // The "!" has a gap between bar and dot, the arrow does not.
  assert.notDeepEqual(pixel(drawIcon(32, 'attention'), 24, 26), white);
  assert.deepEqual(pixel(drawIcon(32, 'update'), 24, 26), white);
});

test('Check for updates now and Open Tidings from the tray; left-click opens the window', async () => {
  const { fake, core } = await startTestShell();
  fake.trays[0]!.click('Check for updates now');
  await tick();
  assert.equal(core.called('checkNow').length, 1);
  fake.trays[0]!.emit('click');
  assert.equal(fake.windows.length, 1);
  fake.trays[0]!.click('Open Tidings');
  assert.equal(fake.windows.length, 1, 'the same window is focused, not a second one');
});

test('switching channel in the tray reaches the core and the settings file', async () => {
  const { fake, core, store } = await startTestShell();
  fake.trays[0]!.click('Experimental');
  await tick(); await tick();
  assert.deepEqual(core.called('setChannel'), [{ channel: 'experimental' }]);
  assert.equal(store.get('channel'), 'experimental');
  const channel = fake.trays[0]!.menu.find((m) => m.label === 'Channel')!.submenu as MenuItemConstructorOptions[];
  assert.equal(channel[1]!.checked, true);
});

test('experimental → stable that needs confirmation opens Settings and keeps the channel', async () => {
  const core = stubCore();
  const { fake, store, shell } = await startTestShell({ core });
  store.set('channel', 'experimental');
  await shell.tray.refresh();
  core.state.needsConfirm = true;
  fake.trays[0]!.click('Stable');
  await tick(); await tick();
  assert.equal(store.get('channel'), 'experimental');
  assert.equal(fake.windows.length, 1);
  fake.windows[0]!.finishLoad();
  assert.deepEqual(fake.windows[0]!.webContents.sent.at(-1), { channel: 'tidings:navigate', payload: { screen: 'settings' } });
});

test('Pause notifications for 1 hour is persisted and shown', async () => {
  const now = Date.UTC(2026, 10, 24, 12);
  const { fake, store } = await startTestShell({ now: () => now });
  fake.trays[0]!.click('Pause notifications for 1 hour');
  await tick();
  assert.equal(store.get('pausedUntil'), now + 3600_000);
  fake.trays[0]!.click('Resume notifications');
  await tick();
  assert.equal(store.get('pausedUntil'), null);
});
