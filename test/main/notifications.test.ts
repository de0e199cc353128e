// OS notifications: one per release, critical always, news coalesced, at most once across a restart,
// settings/quiet hours/pause respected, text only and truncated, click opens the window at the item
// (issue 5; reliability.md cases 21 and 39; ux.md "Tray and notifications").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inQuietHours, plain } from '../../electron/main/notifications.ts';
import { startTestShell, tick } from './harness.ts';
import { news, release, stubCore } from './stub-core.ts';

const local = (h: number, m = 0) => new Date(2026, 10, 24, h, m).getTime();

test('one notification per new release, worded as ux.md says', async () => {
  const { fake, core } = await startTestShell();
  core.toasts([release('r1', '2.1.0'), release('r2', '3.0.0-beta.1')]);
  assert.deepEqual(fake.notifications.map((n) => n.options.title), ['Tidings 2.1.0 is available', 'Tidings 3.0.0-beta.1 is available']);
  assert.equal(fake.notifications[0]!.options.body, "Release 2.1.0. Click to see what's new.");
  assert.ok(fake.notifications.every((n) => n.shown));
});

test('several news posts at once are coalesced into one', async () => {
  const { fake, core } = await startTestShell();
  core.toasts([news('n1', 'First'), news('n2', 'Second'), news('n3', 'Third')]);
  assert.equal(fake.notifications.length, 1);
  assert.equal(fake.notifications[0]!.options.title, '3 new posts from Acme');
  assert.equal(fake.notifications[0]!.options.body, 'First, Second and 1 more');
  core.toasts([news('n4', 'Only one')]);
  assert.equal(fake.notifications[1]!.options.title, 'Only one');
  assert.equal(fake.notifications[1]!.options.body, 'Body of Only one');
});

test('at most once, even across a restart and a replayed batch', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tidings-notify-'));
  const first = await startTestShell({ dir });
  first.core.toasts([release('r1', '2.1.0'), news('n1')]);
  first.core.toasts([release('r1', '2.1.0'), news('n1')]);
  assert.equal(first.fake.notifications.length, 2);
  // "Restart": a new process with the same settings file gets the same items again from a replayed check.
  const second = await startTestShell({ dir });
  second.core.toasts([release('r1', '2.1.0'), news('n1'), news('n2', 'New one')]);
  assert.deepEqual(second.fake.notifications.map((n) => n.options.title), ['New one']);
});

test('clicking a notification opens the window at the item and opens no URL', async () => {
  const { fake, core } = await startTestShell();
  core.toasts([{ ...news('n1', 'See https://evil.example'), excerpt: 'https://evil.example/x' }]);
  fake.notifications[0]!.emit('click');
  const w = fake.windows[0]!;
  w.finishLoad();
  assert.deepEqual(w.webContents.sent.at(-1), { channel: 'tidings:navigate', payload: { screen: 'inbox', itemKey: 'n1' } });
  core.toasts([release('r9', '2.2.0')]);
  fake.notifications[1]!.emit('click');
  assert.equal(fake.windows.length, 1, 'the open window is focused, not a new one');
  assert.deepEqual(w.webContents.sent.at(-1), { channel: 'tidings:navigate', payload: { screen: 'updates', itemKey: 'r9' } });
  assert.ok(w.focused >= 1);
  assert.deepEqual(fake.calls.openExternal, []);
});

test('per-kind settings: news off, updates off — critical releases still notify', async () => {
  const { fake, core, openWindow } = await startTestShell();
  const w = openWindow();
  await fake.invoke('tidings:updateSettings', w.webContents.mainFrame, { notifyNews: false, notifyUpdates: false });
  core.toasts([news('n1'), release('r1', '2.1.0'), release('r2', '2.1.1', true)]);
  assert.deepEqual(fake.notifications.map((n) => n.options.title), ['Tidings 2.1.1 is available (critical update)']);
});

test('quiet hours and pause hush everything but critical releases, and the hushed items never pop up later', async () => {
  let now = local(23, 30);
  const { fake, core, openWindow, shell } = await startTestShell({ now: () => now });
  const w = openWindow();
  await fake.invoke('tidings:updateSettings', w.webContents.mainFrame, { quietHours: { enabled: true, start: '22:00', end: '08:00' } });
  core.toasts([news('n1'), release('r1', '2.1.0'), release('r2', '2.1.1', true)]);
  assert.deepEqual(fake.notifications.map((n) => n.options.title), ['Tidings 2.1.1 is available (critical update)']);
  now = local(9);
  core.toasts([news('n1'), release('r1', '2.1.0')]);
  assert.equal(fake.notifications.length, 1, 'the items stay in the inbox and tray; no late toast');
  shell.settings.pause(now + 3600_000);
  core.toasts([news('n2')]);
  assert.equal(fake.notifications.length, 1);
  now += 2 * 3600_000;
  core.toasts([news('n3')]);
  assert.equal(fake.notifications.length, 2);
});

test('quiet hours wrap midnight', () => {
  const q = { enabled: true, start: '22:00', end: '08:00' };
  assert.equal(inQuietHours(local(23), q), true);
  assert.equal(inQuietHours(local(3), q), true);
  assert.equal(inQuietHours(local(8), q), false);
  assert.equal(inQuietHours(local(12), q), false);
  assert.equal(inQuietHours(local(13), { enabled: true, start: '12:00', end: '14:00' }), true);
  assert.equal(inQuietHours(local(23), { ...q, enabled: false }), false);
});

test('hostile text is shown literally, on one line, truncated (case 39)', async () => {
  const { fake, core } = await startTestShell();
  const title = `<b>&amp;"$(rm -rf ~)"</b>\nsecond line ${'x'.repeat(10_000)}`;
  core.toasts([{ ...news('n1', title), excerpt: `a\u0000b\r\nc ${'y'.repeat(10_000)}` }]);
  const n = fake.notifications[0]!.options;
  assert.ok(n.title!.startsWith('<b>&amp;"$(rm -rf ~)"</b> second line'));
  assert.ok(Array.from(n.title!).length <= 64);
  assert.ok(Array.from(n.body!).length <= 120);
  assert.ok(![...(n.title! + n.body!)].some((c) => c === "\n" || c === "\r" || c === "\u0000"));
  assert.ok(n.body!.startsWith('a b c'));
  assert.equal(plain('😀'.repeat(100), 10), `${'😀'.repeat(9)}…`);
});

test('a failed notification is logged and nothing crashes; unsupported systems are skipped', async () => {
  const { fake, core, logs } = await startTestShell();
  core.toasts([news('n1')]);
  fake.notifications[0]!.emit('failed', {}, 'toast XML rejected');
  assert.ok(logs.some((l) => l.includes('notification failed: toast XML rejected')));
  fake.state.notificationsSupported = false;
  core.toasts([news('n2')]);
  assert.equal(fake.notifications.length, 1);
  assert.ok(logs.some((l) => l.includes('not supported')));
  await tick();
});

test('the shown-set is bounded', async () => {
  const core = stubCore();
  const { store } = await startTestShell({ core });
  core.toasts(Array.from({ length: 2100 }, (_, i) => news(`k${i}`)));
  const shown = store.get('shownToasts');
  assert.equal(shown.length, 2000);
  assert.equal(shown.at(-1), 'k2099');
});
