// External links through main only (reliability.md P13, cases 31, 32 and 38).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideLink, hostAllowed } from '../../electron/main/links.ts';
import { ipcChannel } from '../../shared/ipc/contract.ts';
import { FakeFrame } from './fake-electron.ts';
import { startTestShell } from './harness.ts';

const allow = ['example.com'];

test('refused outright: script, file, share and custom schemes in any spelling (case 31)', () => {
  const refused = [
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'java\nscript:alert(1)', ' javascript:alert(1)',
    '&#106;avascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///C:/Windows/System32/calc.exe',
    'file:///etc/passwd', 'ms-settings:', 'shell:startup', 'smb://host/share', '\\\\host\\share', 'tidings://install', 'steam://run/1',
    'http://example.com/', 'ftp://example.com/', 'about:blank', 'chrome://settings', 'app://tidings/index.html', '', 'https://', '//example.com/x',
  ];
  for (const url of refused) assert.equal(decideLink(url, allow).action, 'refuse', url);
});

test('userinfo tricks are refused (case 32)', () => {
  for (const url of ['https://user@evil.example/', 'https://example.com@evil.example/', 'https://example.com:pw@evil.example/', 'https://:x@example.com/']) {
    assert.equal(decideLink(url, allow).action, 'refuse', url);
  }
});

test('allow-listed hosts open; look-alikes need a confirm with the real host (cases 32, 38)', () => {
  assert.deepEqual(decideLink('https://example.com/notes?a=1', allow), { action: 'open', url: 'https://example.com/notes?a=1' });
  assert.equal(decideLink('https://docs.example.com/x', allow).action, 'open');
  assert.equal(decideLink('https://EXAMPLE.com./x', allow).action, 'open');
  assert.equal(decideLink('mailto:support@example.com', allow).action, 'open');
  for (const [url, host] of [
    ['https://attacker-example.com/', 'attacker-example.com'],
    ['https://examp1e.com/', 'examp1e.com'],
    ['https://exаmple.com/', 'xn--exmple-4nf.com'], // Cyrillic а
    ['https://example.org/', 'example.org'],
  ] as const) {
    assert.deepEqual(decideLink(url, allow), { action: 'confirm', url: new URL(url).href, host }, url);
  }
  assert.equal(hostAllowed('example.com.attacker.com', allow), false);
  assert.equal(hostAllowed('notexample.com', allow), false);
});

test('hosts dressed up as an allow-listed one are refused outright, not just confirmed (cases 32, P13)', () => {
  for (const url of ['https://example.com.attacker.com/', 'https://EXAMPLE.COM.attacker.com./x', 'https://docs.example.com.evil.net/',
    'https://example.com%2eattacker.com/', 'https://example%2Ecom.attacker.com/']) {
    const d = decideLink(url, allow);
    assert.equal(d.action, 'refuse', url);
    assert.match((d as { reason: string }).reason, /only looks like one of the publisher's sites/);
  }
});

test('mailto opens only with address, subject, body, cc, bcc', () => {
  assert.equal(decideLink('mailto:support@example.com?subject=Hi&body=There&cc=a@b.c', allow).action, 'open');
  for (const url of ['mailto:a@example.com?attach=/etc/passwd', 'mailto:a@example.com?Attachment=C:\\secret.txt', 'mailto:?subject=x&x-evil=1']) {
    assert.equal(decideLink(url, allow).action, 'refuse', url);
  }
});

test('through IPC: refused links never reach shell.openExternal', async () => {
  const { fake, openWindow } = await startTestShell();
  const frame = openWindow().webContents.mainFrame;
  for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'tidings://x', 'https://user@evil', 'https://example.com.attacker.com/']) {
    const r = (await fake.invoke(ipcChannel('openLink'), frame, { url })) as { value: { ok: boolean; error: { field: string } } };
    assert.equal(r.value.ok, false, url);
    assert.equal(r.value.error.field, 'url');
  }
  assert.deepEqual(fake.calls.openExternal, []);
  assert.deepEqual(fake.calls.dialogs, []);
});

test('through IPC: an allow-listed link opens without asking', async () => {
  const { fake, openWindow } = await startTestShell();
  const r = await fake.invoke(ipcChannel('openLink'), openWindow().webContents.mainFrame, { url: 'https://example.com/release-notes' });
  assert.deepEqual(r, { ok: true, value: { ok: true, opened: true } });
  assert.deepEqual(fake.calls.openExternal, ['https://example.com/release-notes']);
});

test('through IPC: another host asks first, showing punycode and visible bidi marks; Cancel opens nothing', async () => {
  const { fake, openWindow } = await startTestShell({ fake: { dialogResponse: 1 } });
  const frame = openWindow().webContents.mainFrame;
  const r = await fake.invoke(ipcChannel('openLink'), frame, { url: 'https://exаmple.com/\u202Egpj.exe' });
  assert.deepEqual(r, { ok: true, value: { ok: true, opened: false } });
  assert.equal(fake.calls.openExternal.length, 0);
  assert.match(fake.calls.dialogs[0]!.message!, /xn--exmple-4nf\.com/);
  assert.doesNotMatch(fake.calls.dialogs[0]!.detail!, /\u202E/);
  fake.state.dialogResponse = 0;
  await fake.invoke(ipcChannel('openLink'), frame, { url: 'https://other.example.org/post' });
  assert.deepEqual(fake.calls.openExternal, ['https://other.example.org/post']);
  assert.match(fake.calls.dialogs[1]!.message!, /other\.example\.org/);
  // A look-alike of an allowed host is refused before any dialog, even from a user who clicks Open.
  const r2 = (await fake.invoke(ipcChannel('openLink'), frame, { url: 'https://example.com.attacker.com/' })) as { value: { ok: boolean } };
  assert.equal(r2.value.ok, false);
  assert.equal(fake.calls.dialogs.length, 2);
  assert.deepEqual(fake.calls.openExternal, ['https://other.example.org/post']);
});

test('through IPC: a call from a non-app frame is rejected (case 32)', async () => {
  const { fake, openWindow } = await startTestShell();
  openWindow();
  const r = await fake.invoke(ipcChannel('openLink'), new FakeFrame('https://evil.example/'), { url: 'https://example.com/' });
  assert.equal((r as { ok: boolean }).ok, false);
  assert.deepEqual(fake.calls.openExternal, []);
});
