// The publisher console in Chromium against a real feed service (issue 15; docs/console.md): sign in with a
// token, open a key file (read in the page, never uploaded), set the halt policy, post news (the Markdown
// preview sanitized), link a version, watch adoption counts rise as simulated companions report over HTTP,
// halt and resume, advance, see the rollout stop by itself after failed-start reports pass the policy, renew an
// expiring release, recall, drafts, read the audit log, sign out; an admin creates and revokes a token and
// adds and retires a key. axe finds nothing serious, no CSP violation, the headers and cookie flags hold, and no
// token is in storage or the URL. Screenshots of the main screens go to out/e2e-screens/console-*.png.
import { test, expect, type Page, type Response } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, signRecord } from '../../shared/protocol/signing.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import { buildConsole, repoRoot } from '../../scripts/build-console.ts';
import { expectAccessible } from './a11y.ts';

const shots = join(repoRoot, 'out', 'e2e-screens');
test.use({ screenshot: 'only-on-failure' });
let dir: string;
let server: Awaited<ReturnType<typeof startServer>>;
let token: string;
let adminToken: string;
let readToken: string;
let keyFile: string;
let keyId: string;
const uploads: string[] = [];

test.beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'tidings-console-e2e-'));
  await buildConsole(join(dir, 'console'));
  const key = await generateSigningKey();
  keyId = key.keyId;
  keyFile = join(dir, 'publisher.key');
  writeFileSync(keyFile, signingKeyPem(key.pkcs8), { mode: 0o600 });
  // Reads and changes from one address share one counter in server/app.ts, so the three tests' requests from
  // loopback within a minute would pass the default 60 changes a minute; the limits are not what is tested here.
  server = await startServer({ db: join(dir, 'feed.db'), port: 0, host: '127.0.0.1', publisherKeys: [key.publicKey], logger: false, publishRateLimit: 600, console: { dir: join(dir, 'console') } });
  token = (await createToken(server.store, { name: 'release-team', scopes: ['publish'], channels: null, now: 1 })).token;
  adminToken = (await createToken(server.store, { name: 'operator', scopes: ['admin', 'read'], channels: null, now: 1 })).token;
  readToken = (await createToken(server.store, { name: 'app', scopes: ['read'], channels: null, now: 1 })).token;
  // An earlier release, published with the CLI's code path, so the channel exists; it expires in two days.
  const now = Math.floor(Date.now() / 1000);
  const first = await signRecord({ id: 'rel-1.0.0', channel: 'stable', kind: 'release', issued: now - 60, expires: now + 2 * 86_400, title: 'Version 1.0.0', body: 'First', release: { version: '1.0.0', assets: [{ platform: 'linux-x64', url: 'https://downloads.example.com/T-1.0.0.AppImage', sha256: 'cd'.repeat(32), size: 99 }] } }, key);
  const res = await fetch(`${server.url}/v1/channels/stable/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(first) });
  expect(res.status).toBe(201);
});

test.afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function watch(page: Page) {
  await page.addInitScript({ content: `window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));` });
  page.on('request', (r) => { if (r.postData()?.includes('PRIVATE KEY')) uploads.push(r.url()); });
}

/** What simulated companions send (docs/protocol.md): `n` reports over HTTP with the app's read token. */
async function report(kind: 'adoption' | 'failed-start', n: number, body: Record<string, unknown>) {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${server.url}/v1/reports/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${readToken}` }, body: JSON.stringify({ channel: 'stable', platform: 'linux-x64', bucket: i % 100, ...body }) });
    expect(res.status, `${kind} report ${i}`).toBe(202);
  }
}

const release = (page: Page, version: string) => page.locator(`article.release[data-version="${version}"]`);
const figure = (page: Page, version: string, term: string) => release(page, version).locator(`dt:text-is("${term}") + dd`);
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `console-${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });

async function signIn(page: Page, t: string) {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('Access token').fill(t);
  const answer = page.waitForResponse((r) => r.url().endsWith('/console/api/session') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Sign in' }).click();
  return answer;
}

/** No token in either storage, in the URL or in the page's history. */
async function expectNoTokenKept(page: Page, ...tokens: string[]) {
  expect(await page.evaluate('JSON.stringify(localStorage) + JSON.stringify(sessionStorage)')).toBe('{}{}');
  for (const t of tokens) {
    expect(page.url()).not.toContain(t.slice(4));
    expect(await page.evaluate('location.href + document.referrer')).not.toContain(t.slice(4));
  }
}

test('publisher: sign in, policy, news, link, adoption, halt, resume, self-halt, recall, drafts, audit, sign out', async ({ page }) => {
  test.setTimeout(120_000);
  await watch(page);
  const pageAnswer = await page.goto(`${server.url}/console`);
  // The page's own headers: a CSP without inline script that no one may frame.
  const csp = (await (pageAnswer as Response).allHeaders())['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  await expect(page.getByRole('heading', { name: 'Tidings publisher console' })).toBeVisible();
  await expectAccessible(page);
  await shot(page, 'sign-in');

  // A wrong token: one sentence, still signed out.
  await page.getByLabel('Access token').fill('tdg_000000000000_' + 'A'.repeat(43));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('This token is unknown or revoked');

  const signedIn = await signIn(page, token);
  await expect(page.getByText('Signed in as')).toContainText('release-team');
  const setCookie = (await signedIn.allHeaders())['set-cookie'] ?? '';
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  expect(setCookie).toMatch(/Max-Age=\d+/);
  const session = (await page.context().cookies()).find((c) => c.name === 'tidings_console');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Strict');
  expect(session?.expires ?? -1).toBeGreaterThan(Date.now() / 1000);
  await expectNoTokenKept(page, token);
  // Admin pages are not offered to a publish token.
  await expect(page.getByRole('button', { name: 'Access tokens' })).toHaveCount(0);

  await page.getByLabel(/Open your key file/).setInputFiles(keyFile);
  await expect(page.getByText(`Signing with key ${keyId}`)).toBeVisible();
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await expect(figure(page, '1.0.0', 'Rollout')).toHaveText('100 %');

  // The halt policy: 10 % of the installs that tried it, at least 5 reports.
  await page.getByLabel('Failure % of installs that tried it').fill('10');
  await page.getByLabel('Minimum failed-start reports').fill('5');
  await page.getByRole('button', { name: 'Save halt policy' }).click();
  await expect(page.getByText('Halt policy of stable saved: 10 % with at least 5 reports.')).toBeVisible();
  await expect(page.locator('form.policy')).toContainText('at least 5 installs failed to start and they are 10 %');

  // News with a script, an inline handler and a javascript: link: the preview shows none of them as such.
  await page.getByLabel('Title').fill('Console news');
  await page.getByLabel('Body (Markdown)').fill('**Bold** <script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> [click](javascript:window.__pwned=3)');
  const preview = page.getByTestId('preview');
  await expect(preview.locator('strong')).toHaveText('Bold');
  await expect(preview.locator('script, img, [onerror], a[href^="javascript"]')).toHaveCount(0);
  await preview.getByText('click').click();
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
  await expect(figure(page, '2.0.0', 'Rollout')).toHaveText('10 %');

  // Adoption from simulated companions: three reports are withheld, twelve are shown (the page refreshes by itself).
  await report('adoption', 3, { version: '2.0.0', updated: true });
  await expect(figure(page, '2.0.0', 'Installs reporting')).toHaveText(/^withheld \(fewer than 5\) on \d{4}-\d\d-\d\d$/, { timeout: 12_000 });
  await report('adoption', 9, { version: '2.0.0', updated: true });
  await expect(figure(page, '2.0.0', 'Installs reporting')).toHaveText(/^12 on /, { timeout: 12_000 });
  await expect(figure(page, '2.0.0', 'Tried it (updated or failed)')).toHaveText('12');
  await shot(page, 'channel-adoption');

  // Halt, with the advance refused in the page, then resume and advance.
  await page.getByLabel('Halt reason for 2.0.0').fill('crash reports');
  await page.getByRole('button', { name: 'Halt 2.0.0' }).click();
  await expect(figure(page, '2.0.0', 'State')).toContainText('Halted by release-team');
  await expect(figure(page, '2.0.0', 'State')).toContainText('crash reports');
  await expect(page.getByRole('button', { name: 'Advance 2.0.0' })).toBeDisabled();
  await page.getByRole('button', { name: 'Resume 2.0.0' }).click();
  await expect(figure(page, '2.0.0', 'State')).toHaveText('Rolling out');
  await page.getByLabel('New rollout % for 2.0.0').fill('101');
  await page.getByRole('button', { name: 'Advance 2.0.0' }).click();
  await expect(page.getByRole('alert')).toContainText('whole number from 0 to 100');
  await page.getByLabel('New rollout % for 2.0.0').fill('30');
  await page.getByRole('button', { name: 'Advance 2.0.0' }).click();
  await expect(figure(page, '2.0.0', 'Rollout')).toHaveText('30 %');

  // Failed starts pass the policy: the rollout stops by itself and says why.
  await report('failed-start', 6, { version: '2.0.0', reason: 'crashed' });
  await expect(figure(page, '2.0.0', 'State')).toContainText('Stopped by itself', { timeout: 12_000 });
  await expect(figure(page, '2.0.0', 'State')).toContainText('failed to start');
  await expect(figure(page, '2.0.0', 'Failed to start')).toHaveText('6');
  await expect(figure(page, '2.0.0', 'Health')).toContainText('Failing');
  await expect(page.getByRole('button', { name: 'Advance 2.0.0' })).toBeDisabled();
  await expect(page.getByRole('button', { name: /stable \(1 halted\)/ })).toBeVisible();
  await expectAccessible(page);
  await shot(page, 'self-halt');
  await page.setViewportSize({ width: 420, height: 800 });
  await expectAccessible(page);
  await shot(page, 'self-halt-narrow');
  await page.setViewportSize({ width: 880, height: 600 });
  // The publisher decides: resume (the counts so far become the baseline), then recall after all.
  await page.getByRole('button', { name: 'Resume 2.0.0' }).click();
  await expect(figure(page, '2.0.0', 'State')).toHaveText('Rolling out');

  // Recall asks first; Cancel gives the focus back, Yes signs one retraction per live copy.
  await page.getByRole('button', { name: 'Recall 2.0.0' }).click();
  await expect(page.getByRole('button', { name: 'Yes, recall 2.0.0' })).toBeFocused();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Recall 2.0.0' })).toBeFocused();
  await page.getByRole('button', { name: 'Recall 2.0.0' }).click();
  await page.getByRole('button', { name: 'Yes, recall 2.0.0' }).click();
  await expect(figure(page, '2.0.0', 'State')).toHaveText('Recalled');
  const feed = (await (await fetch(`${server.url}/v1/channels/stable/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: { kind: string; release?: { version: string } }[] };
  expect(feed.messages.filter((m) => m.release?.version === '2.0.0')).toHaveLength(0);
  expect(feed.messages.some((m) => m.kind === 'news')).toBe(true);

  // Drafts: kept on the service, previewed as safely as a post, published (signed here) or deleted.
  await page.getByLabel('Title').fill('Draft with a script');
  await page.getByLabel('Body (Markdown)').fill('Hello <script>window.__pwned = 4</script><svg onload="window.__pwned = 5"></svg> [x](javascript:alert(1))');
  await expect(preview.locator('script, svg, [onload], a[href^="javascript"]')).toHaveCount(0);
  await expect(preview).toContainText('<script>');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await expect(page.getByText('Draft “Draft with a script” saved.')).toBeVisible();
  await page.getByRole('button', { name: 'New post' }).click();
  await page.getByLabel('Title').fill('Second draft');
  await page.getByLabel('Body (Markdown)').fill('To be deleted.');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await expect(page.locator('ul.drafts li')).toHaveCount(2);
  await page.reload();
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await expect(page.locator('ul.drafts li')).toHaveCount(2);
  await page.getByRole('button', { name: 'Edit Draft with a script' }).click();
  await expect(page.getByLabel('Title')).toHaveValue('Draft with a script');
  await expect(preview.locator('script, svg, [onload], a[href^="javascript"]')).toHaveCount(0);
  await page.getByLabel('Body (Markdown)').fill('Hello, **edited**. <script>window.__pwned = 6</script>');
  await page.getByRole('button', { name: 'Save draft', exact: true }).click();
  await expect(page.getByText('Draft “Draft with a script” saved.')).toBeVisible();
  await shot(page, 'draft');
  await page.getByRole('button', { name: 'Delete draft Second draft' }).click();
  await page.getByRole('button', { name: 'Yes, delete Second draft' }).click();
  await expect(page.locator('ul.drafts li')).toHaveCount(1);
  await page.getByLabel(/Open your key file/).setInputFiles(keyFile);
  await page.getByRole('button', { name: 'Publish Draft with a script' }).click();
  await expect(page.getByText('News “Draft with a script” posted to stable.')).toBeVisible();
  await expect(page.locator('ul.news')).toContainText('Draft with a script');
  await expect(page.locator('ul.drafts li')).toHaveCount(0);
  expect(await page.evaluate('window.__pwned')).toBeUndefined();

  // A release draft: notes, version and rollout kept now; finished (its download added) and linked later.
  await page.getByLabel('Version', { exact: true }).fill('2.1.0');
  await page.getByLabel('Release notes (Markdown)').fill('Fixes the crash.');
  await page.getByLabel('Rollout % (0–100)').fill('5');
  await page.getByRole('button', { name: 'Save as release draft' }).click();
  await expect(page.getByText('Draft of 2.1.0 saved.')).toBeVisible();
  await page.reload();
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await expect(page.locator('ul.drafts li')).toContainText('release 2.1.0 at 5 %');
  await page.getByRole('button', { name: 'Open 2.1.0 in Link a New Version' }).click();
  await expect(page.getByLabel('Version', { exact: true })).toBeFocused();
  await expect(page.getByLabel('Release notes (Markdown)')).toHaveValue('Fixes the crash.');
  await page.getByLabel('Download URL (https)').fill('https://downloads.example.com/T-2.1.0.AppImage');
  await page.getByLabel('SHA-256 of the file').fill('ef'.repeat(32));
  await page.getByLabel('Size in bytes').fill('4321');
  await page.getByLabel(/Open your key file/).setInputFiles(keyFile);
  await page.getByRole('button', { name: 'Sign and link' }).click();
  await expect(page.getByText('2.1.0 linked on stable at 5 %.')).toBeVisible();
  await expect(figure(page, '2.1.0', 'Rollout')).toHaveText('5 %');
  await expect(page.locator('ul.drafts li')).toHaveCount(0);

  await page.getByRole('button', { name: 'Audit log' }).click();
  const audit = page.locator('table.audit');
  for (const action of ['sign in', 'post news', 'link version', 'halt rollout', 'resume rollout', 'advance rollout', 'recall']) {
    await expect(audit.getByRole('cell', { name: action, exact: true }).first()).toBeVisible();
  }
  await expect(audit).toContainText('automatic halt');
  await expectAccessible(page);
  await shot(page, 'audit');

  expect(await page.evaluate('window.__csp')).toEqual([]);
  await expectNoTokenKept(page, token);
  expect(uploads).toEqual([]);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('Access token')).toBeVisible();
  expect((await page.context().cookies()).find((c) => c.name === 'tidings_console')).toBeUndefined();
  expect((await page.request.get(`${server.url}/console/api/session`)).status()).toBe(401);
});

test('admin: create a token (its secret shown once), revoke it; add and retire a trusted key', async ({ page }) => {
  await watch(page);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, adminToken);
  await expect(page.getByText('Signed in as')).toContainText('operator');
  await page.getByRole('button', { name: 'Access tokens' }).click();
  await expect(page.getByRole('rowheader', { name: 'release-team' })).toBeVisible();

  await page.getByLabel('Name (who or what uses it)').fill('ci-beta');
  await page.getByLabel(/^read:/).uncheck();
  await page.getByLabel(/^publish:/).check();
  await page.getByRole('textbox', { name: /^Channels/ }).fill('beta');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').textContent()) ?? '';
  expect(secret).toMatch(/^tdg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  await page.getByRole('button', { name: 'Copy the token' }).click();
  await expect(page.getByText('Copied.')).toBeVisible();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
  await expect(page.getByRole('row').filter({ hasText: 'ci-beta' })).toContainText('beta');
  await expectAccessible(page);
  await shot(page, 'tokens');
  await expectNoTokenKept(page, adminToken, secret);
  // The new token works on the v1 API for its channel.
  expect((await fetch(`${server.url}/v1/channels/beta/messages`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
  await page.getByRole('button', { name: 'Done, hide it' }).click();
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  expect(await page.content()).not.toContain(secret.slice(4));

  await page.getByRole('button', { name: 'Revoke ci-beta' }).click();
  await page.getByRole('button', { name: 'Yes, revoke ci-beta' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'ci-beta' })).toContainText('Revoked');
  expect((await fetch(`${server.url}/v1/channels/beta/messages`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

  const extra = await generateSigningKey();
  await page.getByRole('button', { name: 'Trusted keys' }).click();
  await expect(page.getByRole('rowheader', { name: keyId })).toBeVisible();
  await page.getByLabel(/^Public key/).fill(extra.publicKey);
  await page.getByLabel(/^Name \(optional/).fill('second publisher');
  await page.getByRole('button', { name: 'Add key' }).click();
  await expect(page.getByRole('rowheader', { name: extra.keyId })).toContainText('second publisher');
  await shot(page, 'keys');
  await page.getByRole('button', { name: `Retire ${extra.keyId}` }).click();
  await page.getByRole('button', { name: `Yes, retire ${extra.keyId}` }).click();
  await expect(page.getByText(`Key ${extra.keyId} retired`)).toBeVisible();
  await expect(page.getByRole('rowheader', { name: extra.keyId })).toHaveCount(0);
  // The key the service was configured with is changed in its configuration, not here.
  await expect(page.getByRole('button', { name: `Retire ${keyId}` })).toHaveCount(0);
  await expectAccessible(page);
  expect(await page.evaluate('window.__csp')).toEqual([]);
});

test('renew: a release close to its expiry says when it expires and is re-signed in the page with a new issued and expiry', async ({ page }) => {
  await watch(page);
  await signIn(page, token);
  await page.getByLabel(/Open your key file/).setInputFiles(keyFile);
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  // 1.0.0 expires in two days (a week is when the page offers Renew); 2.0.0 (recalled) is not offered it.
  const before = (await figure(page, '1.0.0', 'Expires').textContent()) ?? '';
  expect(before).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  await expect(figure(page, '1.0.0', 'Expires')).toHaveClass(/warn/);
  await expect(page.getByRole('button', { name: 'Renew 2.0.0' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Renew 1.0.0' }).click();
  await expect(page.getByText('1.0.0 renewed.')).toBeVisible();
  // The same lifetime (two days and a minute) from now: later than before, and still within the week.
  await expect(figure(page, '1.0.0', 'Expires')).not.toHaveText(before);
  await expect(figure(page, '1.0.0', 'Rollout')).toHaveText('100 %');
  const feed = (await (await fetch(`${server.url}/v1/channels/stable/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as { messages: { id: string; issued: number; expires?: number; release?: { version: string } }[] };
  const copies = feed.messages.filter((m) => m.release?.version === '1.0.0');
  expect(copies.length).toBe(2);
  expect(copies[1]!.issued).toBeGreaterThan(copies[0]!.issued);
  expect(copies[1]!.expires! - copies[1]!.issued).toBe(copies[0]!.expires! - copies[0]!.issued);
  await page.getByRole('button', { name: 'Audit log' }).click();
  await expect(page.locator('table.audit')).toContainText('renew');
  await expect(page.locator('table.audit')).toContainText('1.0.0');
  expect(await page.evaluate('window.__csp')).toEqual([]);
  expect(uploads).toEqual([]);
});

test('a read token sees the channel and the audit log, and is offered no change', async ({ page }) => {
  await signIn(page, readToken);
  await expect(page.getByText('This token may only read: changes are not offered.')).toBeVisible();
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await expect(figure(page, '1.0.0', 'Rollout')).toHaveText('100 %');
  await expect(page.getByLabel(/Open your key file/)).toHaveCount(0);
  for (const name of [/^Advance/, /^Halt/, /^Resume/, /^Recall/, /^Renew/, 'Sign and link', 'Sign and post', 'Save halt policy', 'Access tokens', 'Trusted keys']) {
    await expect(page.getByRole('button', { name })).toHaveCount(0);
  }
  await expect(page.locator('ul.drafts')).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Audit log' }).click();
  await expect(page.locator('table.audit')).toContainText('link version');
});

test('without a key file each action shows the exact CLI command instead', async ({ page }) => {
  await signIn(page, token);
  await page.getByRole('button', { name: 'stable', exact: true }).click();
  await page.getByLabel('Title').fill('Via the CLI');
  await page.locator('form.post').getByRole('button', { name: 'Show the command' }).click();
  await expect(page.locator('form.post .command code')).toContainText("tidings publish news --server <feed URL> --token <publish token> --key publisher.key --channel 'stable' --title 'Via the CLI' --body-file post.md");
  await expectAccessible(page);
});
