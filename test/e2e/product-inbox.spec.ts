// The Inbox, Status and the offline banner on the product path: the real feed service, the real core and
// the UI in Chromium, used as a person would (ux.md: Inbox, Status; issue 12 point 4). No stub here.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, type World } from './core-world.ts';
import { expectAccessible } from './a11y.ts';
import { repoRoot } from '../../preview/build.ts';
import type { DemoRecord } from '../../preview/demo-feed.ts';

// Each test starts a feed service and a core; on a busy machine that takes a while.
test.describe.configure({ timeout: 60_000 });

const list = (page: Page) => page.getByRole('listbox', { name: 'Posts' });
const row = (page: Page, title: string | RegExp) => list(page).getByRole('option', { name: title });
const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation').getByRole('button', { name });
const news = (id: string, title: string, body = 'Short and plain.'): DemoRecord => ({ id, channel: 'news', kind: 'news', title, body });

/** Runs the publisher CLI (server/cli) against the demo feed, as a publisher's pipeline would. */
async function cli(world: World, args: string[]): Promise<string> {
  const keyFile = join(world.dir, 'publisher.key');
  const b64 = Buffer.from(world.feed.pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  writeFileSync(keyFile, `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  // Asynchronous: the feed lives in this process and must keep answering.
  const child = spawn(process.execPath, ['server/cli/main.ts', ...args], {
    cwd: repoRoot, env: { ...process.env, TIDINGS_SERVER: world.feed.url, TIDINGS_TOKEN: world.feed.publishToken, TIDINGS_KEY_FILE: keyFile },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code, err).toBe(0);
  return err;
}

/** A fresh install after its first check: the seeded history is there, all read. */
async function firstRun(world: World, page: Page): Promise<void> {
  await world.start();
  await world.check();
  await world.open(page, 'inbox');
  await expect(row(page, /Welcome to Tidings/)).toBeVisible();
}

test('first run: the history is there and read; a post published afterwards is unread until opened', async ({ world, page }) => {
  await firstRun(world, page);
  await expect(row(page, /Planned maintenance on Saturday/)).toBeVisible();
  await expect(row(page, /Tidings 2\.1\.0/)).toBeVisible();
  await expect(page).toHaveTitle('Tidings');
  await expect(list(page).locator('.row-unread')).toHaveCount(0);
  await expect(nav(page, /^Inbox/).locator('.badge')).toHaveCount(0);

  await world.feed.publish(news('after-first', 'Spring sale starts Monday'));
  await world.check();
  await expect(row(page, /Spring sale starts Monday/)).toBeVisible();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await expect(row(page, /Spring sale starts Monday/).getByRole('img', { name: 'Unread' })).toBeVisible();
  await expect(nav(page, /^Inbox/).locator('.badge')).toHaveText('1');
  await row(page, /Spring sale starts Monday/).click();
  await expect(page.getByRole('heading', { name: 'Spring sale starts Monday' })).toBeVisible();
  await expect(page).toHaveTitle('Tidings');
  // Read is stored, not just painted: a reload keeps it.
  await page.reload();
  await expect(row(page, /Spring sale starts Monday/)).toBeVisible();
  await expect(page).toHaveTitle('Tidings');
});

test('keys: j/k and arrows move, Enter opens and marks read', async ({ world, page }) => {
  await firstRun(world, page);
  await world.feed.publish(news('one', 'First new post'));
  await world.feed.publish(news('two', 'Second new post'));
  await world.check();
  await expect(page).toHaveTitle('Tidings — 2 unread');
  await list(page).focus();
  const option = (i: number) => list(page).getByRole('option').nth(i);
  await expect(option(0)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('j');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('k');
  await expect(option(1)).toHaveAttribute('aria-selected', 'true');
  await expect(option(1)).toContainText('First new post');
  await expect(list(page)).toHaveAttribute('aria-activedescendant', 'row-1');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'First new post' })).toBeVisible();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await expect(nav(page, /^Inbox/).locator('.badge')).toHaveText('1');
});

test('m toggles read on the selected post and survives a reload; Shift+M marks all read', async ({ world, page }) => {
  await firstRun(world, page);
  await world.feed.publish(news('one', 'First new post'));
  await world.feed.publish(news('two', 'Second new post'));
  await world.check();
  await expect(page).toHaveTitle('Tidings — 2 unread');
  await list(page).focus();
  await expect(list(page).getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await expect(list(page).getByRole('option').first()).toContainText('Second new post');
  await page.keyboard.press('m');
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await page.reload();
  await expect(row(page, /Second new post/)).toBeVisible();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await expect(row(page, /Second new post/).getByRole('img', { name: 'Unread' })).toHaveCount(0);
  await list(page).focus();
  await page.keyboard.press('m'); // and back to unread
  await expect(page).toHaveTitle('Tidings — 2 unread');
  await page.keyboard.press('Shift+M');
  await expect(page).toHaveTitle('Tidings');
  await expect(page.locator('.toast')).toHaveText('All posts marked as read.');
  await page.reload();
  await expect(row(page, /Second new post/)).toBeVisible();
  await expect(page).toHaveTitle('Tidings');
});

test('Delete dismisses with an Undo notice; Settings → Data lists the dismissed post and restores it', async ({ world, page }) => {
  await firstRun(world, page);
  await list(page).focus();
  await expect(list(page).getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  const first = (await list(page).getByRole('option').first().locator('.row-title').textContent())!;
  await page.keyboard.press('Delete');
  await expect(page.locator('.toast')).toHaveText('Post dismissed.');
  await expect(row(page, first)).toHaveCount(0);
  await page.locator('.notice').getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.toast')).toHaveText('Post restored.');
  await expect(row(page, first)).toHaveCount(1);

  // Dismiss again; the dismissal is stored (a restart keeps it) and Settings → Data can undo it.
  await row(page, first).click();
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(row(page, first)).toHaveCount(0);
  await world.start();
  await page.reload();
  await expect(row(page, /Tidings 2\.1\.0|Welcome|Planned/).first()).toBeVisible();
  await expect(row(page, first)).toHaveCount(0);
  await nav(page, 'Settings').click();
  const data = page.getByRole('region', { name: 'Data' });
  await expect(data.locator('.undo-list li')).toHaveCount(1);
  await expect(data.locator('.undo-list li')).toContainText(`${first} dismissed`);
  await data.getByRole('button', { name: `Undo: ${first}` }).click();
  await expect(page.locator('.toast')).toHaveText('Post restored.');
  await expect(data.getByText('No dismissed posts.')).toBeVisible();
  await nav(page, /^Inbox/).click();
  await expect(row(page, first)).toHaveCount(1);
});

test('a post dismissed elsewhere (another window, the tray) leaves the open list at once', async ({ world, page }) => {
  await firstRun(world, page);
  await world.feed.publish(news('elsewhere', 'Read it on the phone'));
  await world.check();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  const { items } = await world.run!.binding.handlers.listInbox({ offset: 0, limit: 10 });
  const key = items.find((i) => i.title === 'Read it on the phone')!.key;
  await world.run!.binding.handlers.dismiss({ keys: [key] });
  await expect(row(page, /Read it on the phone/)).toHaveCount(0);
  await expect(page).toHaveTitle('Tidings');
});

test('channel and kind filters narrow the list to what they name', async ({ world, page }) => {
  await firstRun(world, page);
  await expect(list(page).getByRole('option')).toHaveCount(3);
  await page.getByLabel('Channel').selectOption({ label: 'Stable' });
  await expect(list(page).getByRole('option')).toHaveCount(1);
  await expect(row(page, /Tidings 2\.1\.0/)).toBeVisible();
  await page.getByLabel('Channel').selectOption({ label: 'All' });
  await page.getByLabel('Kind').selectOption({ label: 'News' });
  await expect(list(page).getByRole('option')).toHaveCount(2);
  await expect(row(page, /Tidings 2\.1\.0/)).toHaveCount(0);
  await page.getByLabel('Kind').selectOption({ label: 'Releases' });
  await expect(list(page).getByRole('option')).toHaveCount(1);
  await page.getByLabel('Channel').selectOption({ label: 'Experimental' });
  await expect(page.getByText('Nothing matches these filters.')).toBeVisible();
});

test('the channel filter offers News even when every news post is read', async ({ world, page }) => {
  // First run: the news history is read, so no channel has unread posts — the filter must still list News.
  await firstRun(world, page);
  await expect(page.getByLabel('Channel').getByRole('option', { name: 'News' })).toHaveCount(1);
  await page.getByLabel('Channel').selectOption({ label: 'News' });
  await expect(list(page).getByRole('option')).toHaveCount(2);
  await expect(row(page, /Welcome to Tidings/)).toBeVisible();
});

test('a Cryptolens “new version” message is a Version note: filtered by kind, marked as not signed, never installable', async ({ world, page }) => {
  await world.start({ sources: [{ id: 'cl', name: 'Cryptolens', kind: 'cryptolens', url: world.feed.url, token: world.feed.readToken, updateChannel: 'stable', newsChannel: 'news' }] });
  await world.check();
  // A plain-text message on the update channel (Cryptolens' own API, as its dashboard would post it).
  const q = new URLSearchParams({ token: world.feed.publishToken, channel: 'stable', content: 'Version 2.1.1 is out: https://example.com/get' });
  expect((await fetch(`${world.feed.url}/api/message/createmessage?${q}`, { method: 'POST' })).ok).toBe(true);
  await world.check();
  await world.open(page, 'inbox');
  await expect(row(page, /Version 2\.1\.1 is out/)).toBeVisible();
  await page.getByLabel('Kind').selectOption({ label: 'Version notes' });
  await expect(list(page).getByRole('option')).toHaveCount(1);
  await row(page, /Version 2\.1\.1 is out/).click();
  await expect(page.getByRole('note')).toHaveText('Not signed by the publisher. Treat any link in it with care; Tidings never installs from it.');
  await expect(page.getByRole('button', { name: 'See Update' })).toHaveCount(0);
});

test('a post retracted with the CLI disappears after the next check', async ({ world, page }) => {
  await firstRun(world, page);
  await cli(world, ['publish', 'news', '--channel', 'news', '--id', 'typo-post', '--title', 'Sale ends Sundya', '--body', 'Oops.']);
  await world.check();
  await expect(row(page, /Sale ends Sundya/)).toBeVisible();
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await cli(world, ['retract', 'typo-post', '--channel', 'news']);
  await world.check();
  await expect(row(page, /Sale ends Sundya/)).toHaveCount(0);
  await expect(page).toHaveTitle('Tidings');
  await page.reload();
  await expect(row(page, /Welcome to Tidings/)).toBeVisible();
  await expect(row(page, /Sale ends Sundya/)).toHaveCount(0);
});

test('a row’s excerpt is plain text, with no Markdown residue', async ({ world, page }) => {
  await firstRun(world, page);
  await world.feed.publish(news('md', 'What changed this week', '## Updates\n\n- one\n- two'));
  await world.check();
  const excerpt = row(page, /What changed this week/).locator('.row-excerpt');
  await expect(excerpt).toBeVisible();
  const text = (await excerpt.textContent()) ?? '';
  expect(text).toContain('Updates');
  expect(text).toContain('one');
  expect(text).toContain('two');
  expect(text).not.toContain('##');
  expect(text).not.toContain('- one - two');
  expect(text).not.toContain(' .');
  // The seeded release notes are Markdown too (a heading and a list).
  const seeded = (await row(page, /Tidings 2\.1\.0/).locator('.row-excerpt').textContent()) ?? '';
  expect(seeded).toContain('What’s new');
  expect(seeded).not.toMatch(/##|(^|\s)- |\s\./);
});

test('an expired post leaves the open list by itself and stays gone', async ({ world, page }) => {
  await firstRun(world, page);
  // protocol.md: clients hide a message after its signed `expires`.
  const record: DemoRecord & { expires: number } = { ...news('flash', 'Flash sale, today only'), expires: Math.floor(Date.now() / 1000) + 3 };
  await world.feed.publish(record);
  await world.check();
  await expect(row(page, /Flash sale/)).toHaveCount(1);
  await expect(page).toHaveTitle('Tidings — 1 unread');
  await expect(row(page, /Flash sale/)).toHaveCount(0, { timeout: 8_000 });
  await expect(page).toHaveTitle('Tidings');
  await world.check();
  await page.reload();
  await expect(row(page, /Welcome to Tidings/)).toBeVisible();
  await expect(row(page, /Flash sale/)).toHaveCount(0);
});

test('after Clear History the empty inbox names the source’s publisher', async ({ world, page }) => {
  await firstRun(world, page);
  await nav(page, 'Settings').click();
  await page.getByRole('button', { name: 'Clear History…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clear history?' });
  // A destructive confirmation opens on Cancel, so Enter never clears by accident.
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectAccessible(page);
  // Esc cancels, and nothing is cleared.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Welcome to Tidings/)).toBeVisible();
  await nav(page, 'Settings').click();
  await page.getByRole('button', { name: 'Clear History…' }).click();
  await dialog.getByRole('button', { name: 'Clear History' }).click();
  await expect(page.locator('.toast')).toHaveText('History cleared.');
  await nav(page, /^Inbox/).click();
  await expect(page.getByText('No news yet. Posts from Demo feed will appear here.')).toBeVisible();
  await expect(list(page)).toHaveCount(0);
  // What is published next still arrives.
  await world.feed.publish(news('after-clear', 'Back with news'));
  await world.check();
  await expect(row(page, /Back with news/)).toBeVisible();
});

test('Status → Recent checks says how many new posts a check brought, or No change', async ({ world, page }) => {
  // Without the live stream, so the posts arrive through a check (a pushed post is no check's doing).
  await world.start({ sources: [{ id: 'demo', name: 'Demo feed', kind: 'feed-v1', url: world.feed.url, token: world.feed.readToken, live: false }] });
  await world.check();
  await world.feed.publish(news('s1', 'Status one'));
  await world.feed.publish(news('s2', 'Status two'));
  await world.check();
  await world.check();
  await world.open(page, 'status');
  const results = page.locator('table.log tbody tr td:nth-child(3)');
  // Newest first. The scheduler may add a check of its own, so look for the rows rather than count them:
  // the last check brought nothing; the one after publishing brought the two posts.
  await expect(results.first()).toHaveText('No change');
  await expect(page.locator('table.log tbody tr', { hasText: '2 new posts' })).toHaveCount(1);
  await expect(page.locator('table.log tbody tr', { hasText: '2 new posts' }).locator('td').nth(1)).toHaveText('Demo feed');
  await expect(page.locator('table.log')).not.toContainText('Checked.');
  const source = page.locator('.source-list > li').filter({ hasText: 'Demo feed' });
  await expect(source).toContainText('Last check');
  await expect(source).toContainText('Next check');
  await expect(page.getByRole('button', { name: 'Check Now' })).toBeVisible();
  // The scrolling part of the screen can be reached and scrolled from the keyboard (axe scrollable-region-focusable).
  await expect(page.getByRole('region', { name: 'Sources and recent checks' })).toHaveAttribute('tabindex', '0');
  await expectAccessible(page);
});

test('offline: the inbox says what it shows and that it will check again; back online the banner goes', async ({ world, page }) => {
  await firstRun(world, page);
  const banner = page.getByText('You’re offline. Showing what was saved; Tidings will check again when you’re back online.');
  await expect(banner).toHaveCount(0);
  world.run!.binding.setOnline(false);
  await expect(banner).toBeVisible();
  await expect(row(page, /Welcome to Tidings/)).toBeVisible(); // what was saved stays readable
  await page.screenshot({ path: join(repoRoot, 'out', 'e2e-screens', 'inbox-offline.png'), animations: 'disabled', caret: 'hide' });
  await nav(page, 'Status').click();
  await expect(page.locator('.status-line')).toContainText('Offline');
  // Every other screen says so too, above what it shows.
  for (const [screen, heading] of [['Updates', 'A new version of Tidings is available'], ['Settings', 'Settings'], ['Publish', 'Published']] as const) {
    await nav(page, new RegExp(`^${screen}`)).click();
    await expect(page.getByRole('heading', { name: heading }).first()).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'You’re offline.' })).toBeVisible();
  }
  await nav(page, /^Inbox/).click();
  await expectAccessible(page);
  world.run!.binding.setOnline(true);
  await expect(banner).toHaveCount(0);
});

test('Check Now with no source set up is refused in plain words, in the live region', async ({ world, page }) => {
  await world.start({ sources: [] });
  await world.open(page, 'status');
  await expect(page.getByText('No sources are set up. Add one in Settings.')).toBeVisible();
  await expect(page.getByText('No checks yet.')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Check Now' }).click();
  await expect(page.locator('.toast[aria-live="polite"]')).toHaveText('There is no source to check. Add one in Settings → Sources.');
});

test('at 420 px the inbox shows the list or the opened post (with Back), never off-screen', async ({ world, page }) => {
  await page.setViewportSize({ width: 420, height: 700 });
  await firstRun(world, page);
  await row(page, /Planned maintenance/).click();
  const title = page.getByRole('heading', { name: 'Planned maintenance on Saturday' });
  await expect(title).toBeInViewport({ ratio: 1 });
  const box = (await page.locator('.detail').boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(420);
  await expect(list(page)).toBeHidden();
  await expect(page.getByRole('button', { name: 'Back to Posts' })).toBeFocused();
  await expectAccessible(page);
  await page.keyboard.press('Enter');
  await expect(list(page)).toBeVisible();
  await expect(list(page)).toBeFocused();
  await expect(title).toBeHidden();
});
