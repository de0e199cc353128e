// The publisher console in Chromium against a real feed service (issue 15; docs/console.md): sign in with a
// token, open a key file (read in the page, never uploaded), post news (the Markdown preview sanitized), link
// a version, halt and resume, advance, recall, read the audit log, sign out; axe finds nothing serious, no CSP
// violation, and the token is nowhere in storage or the URL.
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, signRecord } from '../../shared/protocol/signing.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import { buildConsole } from '../../scripts/build-console.ts';
import { expectAccessible } from './a11y.ts';

let dir: string;
let server: Awaited<ReturnType<typeof startServer>>;
let token: string;
let keyFile: string;
let keyId: string;
const uploads: string[] = [];

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-console-e2e-'));
  await buildConsole(join(dir, 'console'));
  const key = await generateSigningKey();
  keyId = key.keyId;
  keyFile = join(dir, 'publisher.key');
  writeFileSync(keyFile, signingKeyPem(key.pkcs8), { mode: 0o600 });
  server = await startServer({ db: join(dir, 'feed.db'), port: 0, host: '127.0.0.1', publisherKeys: [key.publicKey], logger: false, console: { dir: join(dir, 'console') } });
  token = (await createToken(server.store, { name: 'release-team', scopes: ['publish'], channels: null, now: 1 })).token;
  // An earlier release, published with the CLI's code path, so the channel exists.
  const now = Math.floor(Date.now() / 1000);
  const first = await signRecord({ id: 'rel-1.0.0', channel: 'stable', kind: 'release', issued: now - 60, title: 'Version 1.0.0', body: 'First', release: { version: '1.0.0', assets: [{ platform: 'linux-x64', url: 'https://downloads.example.com/T-1.0.0.AppImage', sha256: 'cd'.repeat(32), size: 99 }] } }, key);
  const res = await fetch(`${server.url}/v1/channels/stable/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(first) });
  expect(res.status).toBe(201);
});

test.afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function recordCsp(page: Page) {
  await page.addInitScript({ content: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));` });
  page.on('request', (r) => { if (r.postData()?.includes('PRIVATE KEY')) uploads.push(r.url()); });
}

const row = (page: Page, version: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: version, exact: true }) });

test('sign in, post news, link a version, halt, resume, advance, recall, audit, sign out', async ({ page }) => {
  await recordCsp(page);
  page.on('dialog', (d) => void d.accept());
  await page.goto(`${server.url}/console`);
  await expect(page.getByRole('heading', { name: 'Tidings publisher console' })).toBeVisible();
  await expectAccessible(page);

  // A wrong token: one sentence, still signed out.
  await page.getByLabel('Access token').fill('tdg_000000000000_' + 'A'.repeat(43));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('This token is unknown or revoked');

  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Signed in as')).toContainText('release-team');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'tidings_console');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');

  await page.getByLabel(/Open your key file/).setInputFiles(keyFile);
  await expect(page.getByText(`Signing with key ${keyId}`)).toBeVisible();
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await expect(row(page, '1.0.0')).toContainText('100 %');

  // News with a script, an inline handler and a javascript: link: the preview shows none of them as such.
  await page.getByLabel('Title').fill('Console news');
  await page.getByLabel('Body (Markdown)').fill('**Bold** <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> [click](javascript:window.__pwned=3)');
  const preview = page.getByTestId('preview');
  await expect(preview.locator('strong')).toHaveText('Bold');
  await expect(preview.locator('script, img, [onerror], a[href^="javascript"]')).toHaveCount(0);
  expect(await page.evaluate('window.__pwned')).toBeUndefined();
  await page.getByRole('button', { name: 'Sign and post' }).click();
  await expect(page.getByText('News “Console news” posted to stable.')).toBeVisible();
  await expect(page.locator('ul.news')).toContainText('Console news');

  // Link a version at 10 %.
  await page.getByLabel('Version', { exact: true }).fill('2.0.0');
  await page.getByLabel('Release notes (Markdown)').fill('Faster.');
  await page.getByLabel('Download URL (https)').fill('https://downloads.example.com/T-2.0.0.AppImage');
  await page.getByLabel('SHA-256 of the file').fill('ab'.repeat(32));
  await page.getByLabel('Size in bytes').fill('1234');
  await page.getByLabel('Rollout % (0–100)').fill('10');
  await page.getByRole('button', { name: 'Sign and link' }).click();
  await expect(page.getByText('2.0.0 linked on stable at 10 %.')).toBeVisible();
  await expect(row(page, '2.0.0')).toContainText('10 %');

  // Halt, with the advance refused in the page, then resume and advance.
  await page.getByLabel('Halt reason for 2.0.0').fill('crash reports');
  await page.getByRole('button', { name: 'Halt 2.0.0' }).click();
  await expect(row(page, '2.0.0')).toContainText('Halted: crash reports');
  await expect(page.getByRole('button', { name: 'Advance 2.0.0' })).toBeDisabled();
  await page.getByRole('button', { name: 'Resume 2.0.0' }).click();
  await expect(row(page, '2.0.0')).toContainText('Rolling out');
  await page.getByLabel('Rollout % for 2.0.0').fill('101');
  await page.getByRole('button', { name: 'Advance 2.0.0' }).click();
  await expect(page.getByRole('alert')).toContainText('whole number from 0 to 100');
  await page.getByLabel('Rollout % for 2.0.0').fill('30');
  await page.getByRole('button', { name: 'Advance 2.0.0' }).click();
  await expect(row(page, '2.0.0')).toContainText('30 %');

  // Recall: every copy retracted; readers no longer get it.
  await page.getByRole('button', { name: 'Recall 2.0.0' }).click();
  await expect(row(page, '2.0.0')).toContainText('Recalled');
  const feed = (await (await fetch(`${server.url}/v1/channels/stable/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: { kind: string; release?: { version: string } }[] };
  expect(feed.messages.filter((m) => m.release?.version === '2.0.0')).toHaveLength(0);
  expect(feed.messages.some((m) => m.kind === 'news')).toBe(true);

  const audit = page.locator('table.audit');
  for (const action of ['sign in', 'post news', 'link version', 'halt rollout', 'resume rollout', 'advance rollout', 'recall']) {
    await expect(audit.getByRole('cell', { name: action, exact: true }).first()).toBeVisible();
  }
  await expectAccessible(page);

  expect(await page.evaluate('window.__csp')).toEqual([]);
  expect(await page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage)')).toBe('{}{}');
  expect(page.url()).not.toContain(token.slice(4));
  expect(uploads).toEqual([]);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Access token')).toBeVisible();
  expect((await page.context().cookies()).find((c) => c.name === 'tidings_console')).toBeUndefined();
  expect((await page.request.get(`${server.url}/console/api/session`)).status()).toBe(401);
});

test('without a key file each action shows the exact CLI command instead', async ({ page }) => {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await page.getByLabel('Title').fill('Via the CLI');
  await page.getByRole('button', { name: 'Show the command' }).first().click();
  await expect(page.locator('.command code').first()).toContainText("tidings publish news --server <feed URL> --token <publish token> --key publisher.key --channel 'stable' --title 'Via the CLI' --body-file post.md");
  await expectAccessible(page);
});
