// Settings → Sources on the product path: the real feed service(s), the real core and the UI in Chromium
// (ux.md "Settings", its Sources; issue 12 points 1, 2 and "Bad input"). Every source here is reached for
// real, so Test Connection and Save say what the feed actually answered. No stub.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test as world, expect, platform, type World } from './core-world.ts';
import { startDemoFeed, type DemoFeed } from '../../preview/demo-feed.ts';

/** More feed services beside the world's: `sameKey` signs with the world's publisher key (trusted), else a key of its own. */
const test = world.extend<{ feeds: (o?: { sameKey?: boolean }) => Promise<DemoFeed> }>({
  feeds: async ({ world: w }, use) => {
    const started: DemoFeed[] = [];
    await use(async (o = {}) => {
      const dir = join(w.dir, `feed-${started.length + 1}`);
      mkdirSync(dir);
      const feed = await startDemoFeed({ dir, platform, ...(o.sameKey ? { key: { pkcs8: w.feed.pkcs8, publicKey: w.feed.publicKey } } : {}) });
      started.push(feed);
      return feed;
    });
    for (const f of started) await f.close();
  },
});

const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation').getByRole('button', { name });
const row = (page: Page, title: string | RegExp) => page.getByRole('listbox', { name: 'Posts' }).getByRole('option', { name: title });
/** The names in Settings → Sources, in order. */
const sourceNames = (page: Page) => page.locator('ul.sources > li .source-info strong');
const form = (page: Page) => page.getByRole('form');

/** A loopback port nobody listens on (taken, then let go). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

interface SourceForm {
  name: string;
  url: string;
  kind?: 'Tidings feed' | 'Cryptolens';
  token?: string;
  updateChannel?: string;
  newsChannel?: string;
}

async function fillSource(page: Page, s: SourceForm): Promise<void> {
  const f = form(page);
  await f.getByLabel('Name', { exact: true }).fill(s.name);
  if (s.kind) await f.getByLabel('Kind').selectOption({ label: s.kind });
  await f.getByLabel('Address (URL)').fill(s.url);
  if (s.token !== undefined) await f.getByLabel(/^Access token/).fill(s.token);
  if (s.updateChannel !== undefined) await f.getByLabel('Update channel name').fill(s.updateChannel);
  if (s.newsChannel !== undefined) await f.getByLabel('News channel name').fill(s.newsChannel);
}

async function openAddSource(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add Source…' }).click();
  await expect(form(page)).toBeVisible();
}

/** The sources the core keeps (not what the page shows): what a restart would start with. */
const storedNames = (w: World) => w.run!.binding.companion.sourceConfigs().map((s) => s.name ?? s.id);

test('a second Tidings feed: Test Connection says what it found, Save, its posts after a check, edit, restart, remove takes its posts', async ({ world, feeds, page }) => {
  const partner = await feeds({ sameKey: true });
  await partner.publish({ id: 'partner-hello', channel: 'news', kind: 'news', title: 'Partner feed says hello', body: 'From the second feed.' });
  await world.start();
  await world.check();
  await world.open(page, 'settings');
  await expect(sourceNames(page)).toHaveText(['Demo feed']);

  await openAddSource(page);
  // The address as a publisher hands it out, with its /v1: the same feed as without.
  await fillSource(page, { name: 'Partner feed', url: `${partner.url}/v1` });
  await form(page).getByRole('button', { name: 'Test Connection' }).click();
  await expect(form(page).getByRole('status')).toHaveText('Reached feed: 3 channels, latest stable 2.1.0, latest experimental 2.2.0-beta.1');
  expect(storedNames(world)).toEqual(['Demo feed']); // testing saves nothing
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page)).toHaveCount(0);
  await expect(sourceNames(page)).toHaveText(['Demo feed', 'Partner feed']);
  await expect(page.locator('ul.sources > li', { hasText: 'Partner feed' })).toContainText('Tidings feed · News: news');

  // Its history arrives with the next check (read, as a first sync does); what it publishes afterwards is new.
  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Partner feed says hello/)).toHaveCount(1);
  await expect(row(page, /Welcome to Tidings/)).toHaveCount(2); // one from each feed
  await expect(page).toHaveTitle('Tidings');
  await partner.publish({ id: 'partner-news', channel: 'news', kind: 'news', title: 'Partner office moves', body: 'New address.' });
  await world.check();
  await expect(row(page, /Partner office moves/)).toHaveCount(1);
  await expect(page).toHaveTitle('Tidings — 1 unread');

  // Edit: a new name; same address, so its posts stay.
  await nav(page, 'Settings').click();
  await page.getByRole('button', { name: 'Edit Partner feed' }).click();
  await expect(form(page).getByLabel('Address (URL)')).toHaveValue(`${partner.url}/v1`);
  await form(page).getByLabel('Name', { exact: true }).fill('Partner news');
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(sourceNames(page)).toHaveText(['Demo feed', 'Partner news']);

  // A restart (same data, same port) starts with the sources as the person left them.
  await world.start();
  expect(storedNames(world)).toEqual(['Demo feed', 'Partner news']);
  await page.reload();
  await expect(sourceNames(page)).toHaveText(['Demo feed', 'Partner news']);
  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Partner office moves/)).toHaveCount(1);

  // Remove: the source goes, and with it what it delivered; the other feed's posts stay.
  await nav(page, 'Settings').click();
  await page.getByRole('button', { name: 'Remove Partner news' }).click();
  await page.getByRole('dialog', { name: 'Remove Partner news?' }).getByRole('button', { name: 'Remove' }).click();
  await expect(sourceNames(page)).toHaveText(['Demo feed']);
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Welcome to Tidings/)).toHaveCount(1);
  await expect(row(page, /Partner feed says hello|Partner office moves/)).toHaveCount(0);
  await expect(page).toHaveTitle('Tidings');
  await world.start();
  await world.check();
  await page.reload(); // opens on Settings again (the address names it)
  await expect(sourceNames(page)).toHaveText(['Demo feed']);
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Welcome to Tidings/)).toHaveCount(1);
  await expect(row(page, /Partner/)).toHaveCount(0);
  expect(storedNames(world)).toEqual(['Demo feed']);
});

test('a Cryptolens account with its token and channel names: Test Connection, Save, its news and update appear, kept across a restart', async ({ world, page }) => {
  // A new user with no source yet follows a Cryptolens account (the demo feed speaks its API too).
  await world.start({ sources: [] });
  await world.open(page, 'settings');
  await expect(page.getByText('No sources yet. Add the feed your publisher gave you.')).toBeVisible();
  await openAddSource(page);
  // What a Cryptolens account needs is asked for at its field before anything is sent.
  await fillSource(page, { name: 'Licensing', kind: 'Cryptolens', url: world.feed.url });
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).locator('#src-token-error')).toHaveText('Enter the access token from your Cryptolens account.');
  await expect(form(page).locator('#src-updateChannel-error')).toHaveText('Enter at least one channel name.');
  await fillSource(page, { name: 'Licensing', url: world.feed.url, updateChannel: 'acme releases' });
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).locator('#src-updateChannel-error')).toHaveText(/^Use letters, digits/);
  expect(storedNames(world)).toEqual([]);
  await fillSource(page, { name: 'Licensing', kind: 'Cryptolens', url: world.feed.url, token: world.feed.readToken, updateChannel: 'stable', newsChannel: 'news' });
  await form(page).getByRole('button', { name: 'Test Connection' }).click();
  await expect(form(page).getByRole('status')).toHaveText('Reached feed: 2 channels, latest stable 2.1.0');
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(sourceNames(page)).toHaveText(['Licensing']);
  await expect(page.locator('ul.sources > li', { hasText: 'Licensing' })).toContainText('Cryptolens · Updates: stable · News: news · Token saved');

  await world.check();
  await world.feed.publish({ id: 'cl-news', channel: 'news', kind: 'news', title: 'Licensing portal update', body: 'New **invoices** page.' });
  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Licensing portal update/)).toHaveCount(1);
  await nav(page, /^Updates/).click();
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();

  await world.start();
  await page.reload();
  await nav(page, 'Settings').click();
  await expect(sourceNames(page)).toHaveText(['Licensing']);
  await expect(page.locator('ul.sources > li', { hasText: 'Licensing' })).toContainText('Updates: stable · News: news · Token saved');

  // Edit: the saved token is never shown, and kept when the field is left empty (Save reaches the account with it).
  await page.getByRole('button', { name: 'Edit Licensing' }).click();
  const token = form(page).getByLabel(/^Access token/);
  await expect(token).toHaveAttribute('type', 'password');
  await expect(token).toHaveValue('');
  await expect(form(page).getByText('A token is saved. Leave empty to keep it.')).toBeVisible();
  await form(page).getByLabel('Name', { exact: true }).fill('Licensing account');
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(sourceNames(page)).toHaveText(['Licensing account']);
  expect(world.run!.binding.companion.sourceConfigs()[0]?.token).toBe(world.feed.readToken);

  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Licensing portal update/)).toHaveCount(1);
});

test('a malformed address and an unreachable host are said at the address; nothing is saved, also after a restart', async ({ world, page }) => {
  await world.start();
  await world.open(page, 'settings');
  await openAddSource(page);
  const urlError = form(page).locator('#src-url-error');
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).locator('#src-name-error')).toHaveText('This can’t be empty.');
  await expect(urlError).toHaveText('Enter an https:// address (http:// only for this computer).');

  await fillSource(page, { name: 'Typo', url: 'htps//feed.example' });
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(urlError).toHaveText('Enter an https:// address (http:// only for this computer).');
  await expect(form(page).getByLabel('Address (URL)')).toHaveAttribute('aria-invalid', 'true');
  // The core refuses it too (a shell that skipped the form's check gets the same answer at the same field).
  const direct = await world.run!.binding.handlers.saveSource({ name: 'Typo', kind: 'tidings', url: 'htps//feed.example', channels: ['news'] });
  expect(direct).toMatchObject({ ok: false, error: { field: 'url' } });

  const port = await deadPort();
  await fillSource(page, { name: 'Nobody home', url: `http://127.0.0.1:${port}` });
  await form(page).getByRole('button', { name: 'Test Connection' }).click();
  await expect(urlError).toHaveText(`Couldn’t reach the update server (127.0.0.1:${port}).`);
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).getByRole('button', { name: 'Save' })).toBeEnabled();
  await expect(urlError).toHaveText(`Couldn’t reach the update server (127.0.0.1:${port}).`);
  await expect(form(page)).toBeVisible(); // still open with what was typed
  await expect(form(page).getByLabel('Address (URL)')).toHaveValue(`http://127.0.0.1:${port}`);

  await expect(sourceNames(page)).toHaveText(['Demo feed']);
  expect(storedNames(world)).toEqual(['Demo feed']);
  await world.start();
  expect(storedNames(world)).toEqual(['Demo feed']);
  await page.reload();
  await expect(sourceNames(page)).toHaveText(['Demo feed']);
});

test('a wrong token and a feed signed by another key are said at their field; nothing is saved, also after a restart', async ({ world, feeds, page }) => {
  const stranger = await feeds(); // the same service, its own publisher key: not one this app trusts
  await world.start();
  await world.open(page, 'settings');

  // A Tidings feed with a token the feed doesn't know.
  await openAddSource(page);
  await fillSource(page, { name: 'Private feed', url: world.feed.url, token: 'not-a-token-of-this-feed' });
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).locator('#src-token-error')).toHaveText('The feed refused the access token. Check Sources in Settings.');
  await expect(form(page).getByLabel(/^Access token/)).toHaveAttribute('aria-invalid', 'true');
  await form(page).getByRole('button', { name: 'Cancel' }).click();

  // A Cryptolens account with a wrong token.
  await openAddSource(page);
  await fillSource(page, { name: 'Licensing', kind: 'Cryptolens', url: world.feed.url, token: 'WyIxMjMiLCJ3cm9uZyJd', updateChannel: 'stable', newsChannel: 'news' });
  await form(page).getByRole('button', { name: 'Test Connection' }).click();
  await expect(form(page).locator('#src-token-error')).toHaveText('The feed refused the access token. Check Sources in Settings.');
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).locator('#src-token-error')).toHaveText('The feed refused the access token. Check Sources in Settings.');
  await form(page).getByRole('button', { name: 'Cancel' }).click();

  // A feed whose releases are signed by another publisher's key.
  await openAddSource(page);
  await fillSource(page, { name: 'Look-alike', url: stranger.url });
  await form(page).getByRole('button', { name: 'Test Connection' }).click();
  await expect(form(page).locator('#src-url-error')).toHaveText('This feed’s releases aren’t signed by a publisher key this app trusts.');
  await form(page).getByRole('button', { name: 'Save' }).click();
  await expect(form(page).locator('#src-url-error')).toHaveText('This feed’s releases aren’t signed by a publisher key this app trusts.');
  await expect(form(page).getByRole('status')).toHaveCount(0); // no "Reached feed" beside the refusal

  await expect(sourceNames(page)).toHaveText(['Demo feed']);
  expect(storedNames(world)).toEqual(['Demo feed']);
  await world.start();
  expect(storedNames(world)).toEqual(['Demo feed']);
  await page.reload();
  await expect(sourceNames(page)).toHaveText(['Demo feed']);
  // Nothing of the refused feeds reached the inbox either.
  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Welcome to Tidings/)).toHaveCount(1);
});

test('the Remove dialog tells the truth: a removed source’s posts leave the inbox', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'settings');
  await page.getByRole('button', { name: 'Remove Demo feed' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove Demo feed?' });
  // The core forgets what a removed source delivered (store/user-state.ts removeSource); the dialog must not promise otherwise.
  await expect(dialog).toBeVisible();
  await expect(dialog).not.toContainText('stay in the Inbox');
  // A destructive confirmation opens on Cancel.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByText('No sources yet. Add the feed your publisher gave you.')).toBeVisible();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Welcome to Tidings/)).toHaveCount(0);
});
