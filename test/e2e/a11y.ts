// Accessibility and screenshot helpers shared by the screen specs.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

/** axe-core must find no serious or critical violation on what is on screen now. */
export async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, bad.join('\n')).toEqual([]);
}

/**
 * Writes test/e2e/screenshots/<name>-<scheme>.png. Through toHaveScreenshot with updateSnapshots 'changed'
 * (playwright.config.ts): the file is rewritten only when the screen visibly changed, never for a few
 * anti-aliased pixels, so unchanged screens leave the working tree clean.
 */
export async function shoot(page: Page, name: string, scheme: 'light' | 'dark'): Promise<void> {
  await page.mouse.move(0, 599); // no hover state in the picture
  await expect(page).toHaveScreenshot(`${name}-${scheme}.png`, { animations: 'disabled', caret: 'hide', maxDiffPixelRatio: 0.002 });
}
