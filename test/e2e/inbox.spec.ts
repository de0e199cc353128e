// The inbox as a keyboard user drives it, and with 10,000 posts (virtualized: few rows in the DOM).
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';

const list = (page: Page) => page.getByRole('listbox', { name: 'Posts' });
const unreadBadge = (page: Page) => page.locator('nav .badge').first();

test('keys: j/k and arrows move, Enter opens and marks read, m toggles, Delete dismisses, Shift+M marks all', async ({ open, stub }) => {
  const page = await open({ screen: 'inbox' });
  await expect(page).toHaveTitle('Tidings — 3 unread');
  await list(page).focus();
  await expect(list(page).getByRole('option').first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('j');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('k');
  const second = list(page).getByRole('option').nth(1);
  await expect(second).toHaveAttribute('aria-selected', 'true');
  await expect(list(page)).toHaveAttribute('aria-activedescendant', 'row-1');

  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Planned maintenance on Saturday' })).toBeVisible();
  await expect(page).toHaveTitle('Tidings — 2 unread');
  await expect(unreadBadge(page)).toHaveText('2');

  await page.keyboard.press('m');
  await expect(page).toHaveTitle('Tidings — 3 unread');
  await page.keyboard.press('m');
  await expect(page).toHaveTitle('Tidings — 2 unread');

  await page.keyboard.press('Delete');
  await expect(page.getByRole('status').filter({ hasText: 'Post dismissed.' })).toBeVisible();
  await expect(list(page).getByRole('option')).toHaveCount(5);
  expect(stub.state.items.some((i) => i.title === 'Planned maintenance on Saturday')).toBe(false);

  await page.keyboard.press('Shift+M');
  await expect(page).toHaveTitle('Tidings');
  await expect(page.locator('nav .badge')).toHaveCount(1); // only the update dot remains
});

test('filters by channel and kind', async ({ open }) => {
  const page = await open({ screen: 'inbox' });
  await page.getByLabel('Channel').selectOption('experimental');
  await expect(list(page).getByRole('option')).toHaveCount(1);
  await page.getByLabel('Channel').selectOption('');
  await page.getByLabel('Kind').selectOption('release');
  await expect(list(page).getByRole('option')).toHaveCount(2);
  await page.getByLabel('Kind').selectOption('note');
  await expect(list(page).getByRole('option')).toHaveCount(1);
  await expect(page.getByRole('option', { name: /Version 2\.0\.4/ })).toBeVisible();
  await page.getByRole('option', { name: /Version 2\.0\.4/ }).click();
  await expect(page.getByText('Not signed by the publisher.', { exact: false })).toBeVisible();
});

test('a post that is dismissed elsewhere disappears at once', async ({ open, stub }) => {
  const page = await open({ screen: 'inbox' });
  await expect(list(page).getByRole('option')).toHaveCount(6);
  stub.state.items = stub.state.items.filter((i) => !i.title.startsWith('Tidings 2.1.0'));
  stub.changed('inbox', 'counts');
  await expect(list(page).getByRole('option')).toHaveCount(5);
  await expect(page).toHaveTitle('Tidings — 2 unread');
});

test.describe('10,000 posts', () => {
  test.use({ stubOptions: { extraItems: 10_000 } });
  test('only visible rows are in the DOM; End reaches the oldest; scrolling stays quick', async ({ open }) => {
    const page = await open({ screen: 'inbox' });
    await expect(list(page).getByRole('option').first()).toBeVisible();
    const rows = await list(page).getByRole('option').count();
    expect(rows).toBeLessThan(40);
    await list(page).focus();
    await page.keyboard.press('End');
    await expect(page.getByRole('option', { name: /Weekly digest #1\b/ })).toBeVisible();
    await expect(page.getByRole('option', { name: /Weekly digest #1\b/ })).toHaveAttribute('aria-posinset', '10006');
    // Scroll through the list in big jumps; each frame must stay responsive.
    const worst = await page.evaluate(`(async () => {
      const el = document.querySelector('[role=listbox]');
      let worst = 0;
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        el.scrollTop = (i / 40) * el.scrollHeight;
        await new Promise((r) => requestAnimationFrame(() => r()));
        worst = Math.max(worst, performance.now() - t0);
      }
      return worst;
    })()`);
    expect(worst as number).toBeLessThan(250);
    expect(await list(page).getByRole('option').count()).toBeLessThan(40);
  });
});
