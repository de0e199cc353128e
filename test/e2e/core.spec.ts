// The product end to end: the real feed service, the real companion core and the UI in Chromium, used as a
// person would (reliability and acceptance of issue 6).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, platform, type World } from './core-world.ts';
import { repoRoot } from '../../preview/build.ts';
import type { DemoRecord } from '../../preview/demo-feed.ts';

/** Runs the publisher CLI (server/cli) against the demo feed, signing with the demo key, as a release pipeline would. */
async function cli(world: World, args: string[]): Promise<string> {
  const keyFile = join(world.dir, 'publisher.key');
  const b64 = Buffer.from(world.feed.pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  writeFileSync(keyFile, `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  // Asynchronous: the feed and its asset server live in this process and must keep answering.
  const child = spawn(process.execPath, ['server/cli/main.ts', ...args, '--allow-insecure-loopback'], {
    cwd: repoRoot, env: { ...process.env, TIDINGS_SERVER: world.feed.url, TIDINGS_TOKEN: world.feed.publishToken, TIDINGS_KEY_FILE: keyFile },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, err).toBe(0);
  return out;
}

test('a release published with the CLI appears as the update prompt within one check; install downloads and verifies', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'updates');
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
  const notes = join(world.dir, 'notes.md');
  writeFileSync(notes, 'Fixes **two** crashes.');
  await cli(world, ['publish', 'release', '--channel', 'stable', '--version', '2.1.1', '--title', 'Tidings 2.1.1', '--notes', notes, '--asset', `${platform}=${world.feed.asset('2.1.1').url}`]);
  await world.check();
  await expect(page.getByText('Tidings 2.1.1 is now available — you have 2.0.3.')).toBeVisible();
  await expect(page.locator('.notes strong')).toHaveText('two');
  await page.getByRole('button', { name: 'Install Update' }).click();
  await expect(page.getByText('Downloaded and verified: the file matches what the publisher signed.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open Installer' })).toBeVisible();
  await expect(page.getByText(`File: Tidings-2.1.1-${platform}.bin`)).toBeVisible();
});

test('over SSE a published post appears at once, without waiting for a check', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'inbox');
  // The first sync starts at the head: what was published before it is history (read), not news.
  await expect(page).toHaveTitle('Tidings');
  await page.waitForTimeout(500); // let the live stream settle
  await world.feed.publish({ id: 'news-live', channel: 'news', kind: 'news', title: 'Live from the feed', body: 'Pushed, not polled.' });
  await expect(page.getByRole('option', { name: /Live from the feed/ })).toBeVisible({ timeout: 10_000 });
  await expect(page).toHaveTitle('Tidings — 1 unread');
});

test('a tampered download is refused in plain words, with no install button', async ({ world, page }) => {
  await world.feed.publish({ id: 'rel-2.1.1', channel: 'stable', kind: 'release', title: 'Tidings 2.1.1', body: '', release: { version: '2.1.1', assets: [world.feed.asset('2.1.1', true)] } });
  await world.start();
  await world.check();
  await world.open(page, 'updates');
  await expect(page.getByText('Tidings 2.1.1 is now available — you have 2.0.3.')).toBeVisible();
  await page.getByRole('button', { name: 'Install Update' }).click();
  await expect(page.getByRole('alert')).toHaveText('The download didn’t match what the publisher signed, so it was deleted. Nothing was installed.');
  await expect(page.getByRole('button', { name: /Install Update|Open Installer/ })).toHaveCount(0);
});

test('skip survives a restart of the core host; remind-later too', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'updates');
  await page.getByRole('button', { name: 'Skip This Version' }).click();
  // Honest: never "You're up to date … the newest version" while the newest one is skipped.
  await expect(page.getByText('You skipped Tidings 2.1.0. You’ll hear about the next version after it.')).toBeVisible();
  await expect(page.getByText(/You’re up to date/)).toHaveCount(0);
  await world.start(); // restart: same data, same port; the page reconnects by itself
  await world.check();
  await page.reload();
  await expect(page.getByText('You skipped Tidings 2.1.0. You’ll hear about the next version after it.')).toBeVisible();

  await world.feed.publish({ id: 'rel-2.1.1', channel: 'stable', kind: 'release', title: 'Tidings 2.1.1', body: '', release: { version: '2.1.1', assets: [world.feed.asset('2.1.1')] } });
  await world.check();
  await expect(page.getByText('Tidings 2.1.1 is now available — you have 2.0.3.')).toBeVisible();
  await page.getByRole('button', { name: /Remind Me Later/ }).click();
  await page.getByRole('menuitem', { name: 'Tomorrow' }).click();
  await expect(page.locator('.toast')).toHaveText(/We’ll remind you tomorrow\./);
  await world.start();
  const toasts = world.run!.binding.handlers.getUpdate({});
  expect((await toasts).view.state).toBe('available'); // still offered in the window, just not notified
});

test('experimental shows the pre-release; back to stable offers no downgrade without asking', async ({ world, page }) => {
  await world.start();
  await world.open(page, 'settings');
  await page.getByRole('radio', { name: /Experimental/ }).click();
  await expect(page.getByRole('radio', { name: /Experimental/ })).toBeChecked();
  await world.check();
  await page.getByRole('navigation').getByRole('button', { name: /^Updates/ }).click();
  await expect(page.getByText('Tidings 2.2.0-beta.1 is now available — you have 2.0.3.')).toBeVisible();

  await world.start({ installed: '2.2.0-beta.1' });
  await world.check();
  await page.reload();
  await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: /Stable/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch to Stable?' });
  await expect(dialog).toContainText('You’re running 2.2.0-beta.1, which is newer than the latest stable release (2.1.0).');
  await dialog.getByRole('button', { name: 'Switch', exact: true }).click();
  await expect(page.getByRole('radio', { name: /Stable/ })).toBeChecked();
  await page.getByRole('navigation').getByRole('button', { name: /^Updates/ }).click();
  // One sentence, from the catalogue (it used to print the core's own sentence over the renderer's).
  await expect(page.getByText('You’re running 2.2.0-beta.1, which is newer than the latest stable release (2.1.0). You’ll keep it and move to Stable with the next stable release newer than yours.')).toBeVisible();
  await expect(page.getByText(/newest version on the Stable channel|next stable release above your version/)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Install Update' })).toHaveCount(0);
});

test('switching to experimental after a stable check fetches the experimental channel', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'settings');
  await page.getByRole('radio', { name: /Experimental/ }).click();
  await world.check();
  await page.getByRole('navigation').getByRole('button', { name: /^Updates/ }).click();
  await expect(page.getByText('Tidings 2.2.0-beta.1 is now available — you have 2.0.3.')).toBeVisible();
});

test('news appears once, marking it read updates the count; a retracted release disappears', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'inbox');
  await expect(page).toHaveTitle('Tidings');
  await world.feed.publish({ id: 'news-1', channel: 'news', kind: 'news', title: 'We moved our forum', body: 'Find us at [the new forum](https://forum.example.com).' });
  await world.check();
  await world.check();
  const list = page.getByRole('listbox', { name: 'Posts' });
  await expect(list.getByRole('option', { name: /We moved our forum/ })).toHaveCount(1);
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await list.getByRole('option', { name: /We moved our forum/ }).click();
  await expect(page).toHaveTitle('Tidings');
  // Marking it unread again is stored too (and survives a reload), so the count comes back.
  await page.getByRole('button', { name: 'Mark as Unread' }).click();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await page.reload();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await list.getByRole('option', { name: /We moved our forum/ }).click();
  await expect(page).toHaveTitle('Tidings');

  await world.feed.publish({ id: 'retract-2.1.0', channel: 'stable', kind: 'retraction', title: '', body: '', retracts: 'rel-2.1.0' });
  await world.check();
  await expect(list.getByRole('option', { name: /Tidings 2\.1\.0/ })).toHaveCount(0);
  await page.getByRole('navigation').getByRole('button', { name: /^Updates/ }).click();
  await expect(page.getByText(/Tidings 2\.1\.0 is now available/)).toHaveCount(0);
});

test('an expired post is hidden from the inbox, and the unread count leaves it out', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'inbox');
  await expect(page).toHaveTitle('Tidings');
  // Signed with a short `expires` (protocol.md: clients hide a message after it); the store keeps it.
  const expires = Math.floor(Date.now() / 1000) + 3;
  const record: DemoRecord & { expires: number } = { id: 'flash-sale', channel: 'news', kind: 'news', title: 'Flash sale, today only', body: 'Ends in a moment.', expires };
  await world.feed.publish(record);
  await world.check();
  const list = page.getByRole('listbox', { name: 'Posts' });
  await expect(list.getByRole('option', { name: /Flash sale/ })).toHaveCount(1);
  await expect(page).toHaveTitle('Tidings — 1 unread');
  // Past its expiry (the store compares whole seconds) it leaves the open window by itself, with no check.
  await expect(list.getByRole('option', { name: /Flash sale/ })).toHaveCount(0, { timeout: 8_000 });
  await expect(page).toHaveTitle('Tidings');
  // And stays gone when the window is opened again.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(list.getByRole('option', { name: /Welcome to Tidings/ })).toHaveCount(1);
  await expect(page).toHaveTitle('Tidings');
  await expect(list.getByRole('option', { name: /Flash sale/ })).toHaveCount(0);
  // A check after expiry doesn't bring it back.
  await world.check();
  await page.reload();
  await expect(list.getByRole('option', { name: /Welcome to Tidings/ })).toHaveCount(1);
  await expect(list.getByRole('option', { name: /Flash sale/ })).toHaveCount(0);
});

test('a failing feed shows a plain-words error in Status and recovers', async ({ world, page }) => {
  const dead = 'http://127.0.0.1:9/';
  await world.start({ sources: [{ id: 'demo', name: 'Demo feed', kind: 'feed-v1', url: dead }] });
  await world.check();
  await world.open(page, 'status');
  await expect(page.getByText(/Couldn’t reach the update server \(127\.0\.0\.1:9\)\./).first()).toBeVisible();
  await expect(page.locator('.problem > p').first()).not.toContainText('ECONNREFUSED');
  await world.start({});
  await world.check();
  await page.reload();
  await page.getByRole('navigation').getByRole('button', { name: 'Status' }).click();
  await expect(page.getByText('Working normally')).toBeVisible();
});

test('a Cryptolens-dialect source works end to end', async ({ world, page }) => {
  await world.start({ sources: [{ id: 'cl', name: 'Cryptolens', kind: 'cryptolens', url: world.feed.url, token: world.feed.readToken, updateChannel: 'stable', newsChannel: 'news' }] });
  await world.check();
  await world.open(page, 'inbox');
  const list = page.getByRole('listbox', { name: 'Posts' });
  await expect(list).toContainText('Tidings 2.1.0');
  // The first run keeps what was there as read history; each new post then arrives once.
  await world.feed.publish({ id: 'news-cl', channel: 'news', kind: 'news', title: 'Licensing portal update', body: 'New **invoices** page.' });
  await world.check();
  await expect(list.getByRole('option', { name: /Licensing portal update/ })).toHaveCount(1);
  await world.check();
  await expect(list.getByRole('option', { name: /Licensing portal update/ })).toHaveCount(1);
  await page.getByRole('navigation').getByRole('button', { name: /^Updates/ }).click();
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
});

test('the Publish page posts news through the feed; it arrives in the inbox and can be retracted', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'publish');
  await page.getByRole('button', { name: 'Choose Key File…' }).click();
  await page.getByLabel('Channel').selectOption('news');
  await page.getByLabel('Title').fill('Office hours on Friday');
  await page.getByLabel('Message (Markdown)').fill('Join us **live**.');
  await page.getByRole('button', { name: 'Review and Publish…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.published')).toContainText('Office hours on Friday');
  await world.check();
  await page.getByRole('navigation').getByRole('button', { name: /^Inbox/ }).click();
  await expect(page.getByRole('option', { name: /Office hours on Friday/ })).toBeVisible();
  await page.getByRole('navigation').getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Retract “Office hours on Friday”…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Retract' }).click();
  // The feed stops serving a retracted post; the list shows it struck through or not at all.
  await expect(page.locator('.published li:not(.published-retracted)', { hasText: 'Office hours on Friday' })).toHaveCount(0);
  await world.check();
  await page.getByRole('navigation').getByRole('button', { name: /^Inbox/ }).click();
  await expect(page.getByRole('option', { name: /Office hours on Friday/ })).toHaveCount(0);
});
