// The inbox with 10,000 posts (virtualized: few rows in the DOM), on the stub: a load the real core can't
// produce on demand. The Inbox flows (keys, filters, dismissing, Undo) run on the real core: product-inbox.spec.ts.
import { test, expect } from './fixtures.ts';
import type { Page } from '@playwright/test';

const list = (page: Page) => page.getByRole('listbox', { name: 'Posts' });

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
