// Settings on the product path: the real feed service, the real core and the UI in Chromium (ux.md
// "Settings"; issue 12 points 1 and 2): preferences are stored by the core and applied by it, they survive a
// restart of the core on the same data, "Keep news for" removes old news, and an Undo the core refuses says
// why. No stub.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from '@playwright/test';
import { test, expect, platform, type World } from './core-world.ts';
import { startDemoFeed } from '../../preview/demo-feed.ts';

const DAY = 86_400;
const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation').getByRole('button', { name });
const row = (page: Page, title: string | RegExp) => page.getByRole('listbox', { name: 'Posts' }).getByRole('option', { name: title });
/** When the core will next check its first source, in seconds from now (null: not scheduled). */
const nextCheckIn = (w: World) => {
  const at = w.run!.binding.companion.sources()[0]?.nextAt ?? null;
  return at === null ? null : (at - Date.now()) / 1000;
};

test('the check interval, notifications, quiet hours and "Keep news for" are applied and survive a restart', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'settings');
  const interval = page.getByLabel('How often');
  const retention = page.getByLabel('Keep news for');

  await interval.selectOption({ label: 'Every week' });
  // Applied at once: the next check moves to about a week from now (± the scheduler's jitter).
  await expect.poll(() => nextCheckIn(world)).toBeGreaterThan(5 * DAY);
  expect(nextCheckIn(world)).toBeLessThan(9 * DAY);
  await page.getByRole('checkbox', { name: 'Notify me about news' }).uncheck();
  await expect(page.getByText('Critical updates always notify.')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Don’t notify during quiet hours' }).check();
  await page.getByLabel('From').fill('23:30');
  await retention.selectOption({ label: '90 days' });
  await expect.poll(() => world.run!.binding.handlers.getSettings({}).then((s) => [s.intervalHours, s.notifyNews, s.quietHours.start, s.retentionDays]))
    .toEqual([168, false, '23:30', 90]);

  await world.start(); // restart on the same data
  await page.reload();
  await expect(interval).toHaveValue('168');
  await expect(page.getByRole('checkbox', { name: 'Notify me about news' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Notify me about updates' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Don’t notify during quiet hours' })).toBeChecked();
  await expect(page.getByLabel('From')).toHaveValue('23:30');
  await expect(retention).toHaveValue('90');
  // …and applied again by the restarted core, not only shown.
  expect(nextCheckIn(world)).toBeGreaterThan(5 * DAY);

  // Turning automatic checks off leaves nothing scheduled (Status says so), also after a restart.
  await page.getByRole('checkbox', { name: 'Check for updates automatically' }).uncheck();
  await expect(interval).toBeDisabled();
  await expect.poll(() => nextCheckIn(world)).toBeNull();
  await world.start();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Check for updates automatically' })).not.toBeChecked();
  await nav(page, 'Status').click();
  await expect(page.locator('.source-status dd').nth(2)).toHaveText('Not scheduled');
});

test('"Keep news for 30 days" removes news older than 30 days at once; newer news and releases stay, also after a restart', async ({ world, page }) => {
  // A second feed of the same publisher whose clock we set: what it publishes now is stamped 40 days ago.
  let ago = 40 * DAY;
  const dir = join(world.dir, 'old-feed');
  mkdirSync(dir);
  const archive = await startDemoFeed({ dir, platform, now: () => Math.floor(Date.now() / 1000) - ago, key: { pkcs8: world.feed.pkcs8, publicKey: world.feed.publicKey } });
  try {
    await archive.publish({ id: 'old-news', channel: 'news', kind: 'news', title: 'Our autumn newsletter', body: 'Forty days old.' });
    await world.start({ sources: [{ id: 'archive', name: 'Archive feed', kind: 'feed-v1', url: archive.url, live: false }] });
    await world.check();
    ago = 0;
    await archive.publish({ id: 'new-news', channel: 'news', kind: 'news', title: 'This week’s newsletter', body: 'Fresh.' });
    await world.check();
    await world.open(page, 'inbox');
    // The default keeps 180 days: the 40-day-old posts are there.
    await expect(row(page, /Our autumn newsletter/)).toHaveCount(1);
    await expect(row(page, /Welcome to Tidings/)).toHaveCount(1);
    await expect(row(page, /This week’s newsletter/)).toHaveCount(1);

    await nav(page, 'Settings').click();
    await page.getByLabel('Keep news for').selectOption({ label: '30 days' });
    await nav(page, /^Inbox/).click();
    await expect(row(page, /Our autumn newsletter/)).toHaveCount(0);
    await expect(row(page, /Welcome to Tidings|Planned maintenance/)).toHaveCount(0);
    await expect(row(page, /This week’s newsletter/)).toHaveCount(1);
    await expect(row(page, /Tidings 2\.1\.0/)).toHaveCount(1); // releases aren't news: kept (rollback protection reads them)

    await world.start();
    await world.check();
    await page.reload();
    await expect(row(page, /This week’s newsletter/)).toHaveCount(1);
    await expect(row(page, /Our autumn newsletter/)).toHaveCount(0);
    await nav(page, /^Updates/).click();
    await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
  } finally {
    await world.stop();
    await archive.close();
  }
});

/** Skip 2.1.0, then 2.1.1 arrives and is offered: 2.1.0 stays listed as skipped in Settings. */
async function skippedThenNewer(world: World): Promise<void> {
  await world.start();
  await world.check();
  expect(await world.run!.binding.handlers.skipVersion({ version: '2.1.0' })).toEqual({ ok: true });
  await world.feed.publish({ id: 'rel-2.1.1', channel: 'stable', kind: 'release', title: 'Tidings 2.1.1', body: '', release: { version: '2.1.1', assets: [world.feed.asset('2.1.1')] } });
  await world.check();
}

test('an Undo the core refuses says why, next to it', async ({ world, page }) => {
  await skippedThenNewer(world);
  expect((await world.run!.binding.handlers.remindLater({ preset: 'week' })).ok).toBe(true);
  await world.open(page, 'settings');
  const skipUndo = page.getByRole('button', { name: 'Undo: Skipping 2.1.0' });
  const remindUndo = page.getByRole('button', { name: /^Undo: Reminder snoozed until/ });
  await expect(skipUndo).toBeVisible();
  await expect(remindUndo).toBeVisible();

  // Another copy of the app (or a person with a database tool) changes the stored state behind this window's
  // back; the window still offers the Undo, and the core refuses it.
  const behindTheBack = (sql: string) => {
    const db = new Database(join(world.dir, 'companion', 'tidings.db'));
    try {
      db.prepare(sql).run();
    } finally {
      db.close();
    }
  };
  behindTheBack(`DELETE FROM skipped_versions`);
  await skipUndo.click();
  await expect(page.locator('#undo-skip-2\\.1\\.0-error')).toHaveText('2.1.0 isn’t skipped.');
  await expect(skipUndo).toHaveAttribute('aria-describedby', 'undo-skip-2.1.0-error');
  behindTheBack(`DELETE FROM meta WHERE key = 'remind_until'`);
  await remindUndo.click();
  await expect(page.locator('#undo-remind-error')).toHaveText('There is no reminder to cancel.');
  await expect(remindUndo).toHaveAttribute('aria-describedby', 'undo-remind-error');
});

test('an Undo Skip in one window updates Settings in another', async ({ world, page, context }) => {
  await skippedThenNewer(world);
  await world.open(page, 'settings');
  const other = await context.newPage();
  await world.open(other, 'settings');
  await expect(page.getByRole('button', { name: 'Undo: Skipping 2.1.0' })).toBeVisible();
  await other.getByRole('button', { name: 'Undo: Skipping 2.1.0' }).click();
  await expect(other.getByRole('button', { name: 'Undo: Skipping 2.1.0' })).toHaveCount(0);
  // The first window follows without a reload: the stored state changed, so it is told.
  await expect(page.getByRole('button', { name: 'Undo: Skipping 2.1.0' })).toHaveCount(0);
});
