// Every screen on the product path at the window's usual size and two smaller ones, in both themes: axe-clean,
// and photographed to out/e2e-screens/ (for a person to look at; not committed). The real feed service and
// core after one check, so what is shown is what a user sees (issue 12, Acceptance). States the real core
// can't produce on demand (a download mid-way, a held answer) are photographed on the stub: screens.spec.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './core-world.ts';
import { expectAccessible } from './a11y.ts';
import { repoRoot } from '../../preview/build.ts';

test.describe.configure({ timeout: 90_000 });

const sizes = [{ name: '880x600', width: 880, height: 600 }, { name: '600x400', width: 600, height: 400 }, { name: '420x700', width: 420, height: 700 }];
const screens: { screen: string; ready: (page: Page) => Promise<void> }[] = [
  { screen: 'inbox', ready: async (page) => { await page.getByRole('option', { name: /Planned maintenance/ }).click(); await expect(page.getByRole('heading', { name: 'Planned maintenance on Saturday' })).toBeVisible(); } },
  { screen: 'updates', ready: async (page) => { await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible(); } },
  { screen: 'settings', ready: async (page) => { await expect(page.getByRole('radio', { name: /Stable/ })).toBeVisible(); } },
  { screen: 'status', ready: async (page) => { await expect(page.getByRole('table')).toBeVisible(); } },
  { screen: 'publish', ready: async (page) => { await page.getByRole('tab', { name: 'Link a New Version' }).click(); await expect(page.getByRole('textbox', { name: 'Version', exact: true })).toBeVisible(); } },
];
const shots = join(repoRoot, 'out', 'e2e-screens');

for (const scheme of ['light', 'dark'] as const) {
  for (const size of sizes) {
    test(`every screen at ${size.name}, ${scheme}: axe-clean, photographed`, async ({ world, page }) => {
      mkdirSync(shots, { recursive: true });
      await world.start();
      await world.check();
      await page.setViewportSize({ width: size.width, height: size.height });
      for (const { screen, ready } of screens) {
        await world.open(page, screen);
        await page.emulateMedia({ colorScheme: scheme });
        await ready(page);
        await page.mouse.move(0, size.height - 1);
        await expectAccessible(page);
        await page.screenshot({ path: join(shots, `${screen}-${size.name}-${scheme}.png`), animations: 'disabled', caret: 'hide' });
      }
    });
  }
}
