// The same promises checked on every screen, on the stub (a held or failing answer on demand): loading words,
// a plain-words error with Try Again (never the raw error), and every control reachable with Tab alone. The
// offline banner on every screen, Status's sources and log, and the no-sources states run on the real core:
// product-inbox.spec.ts, product-sources.spec.ts, core.spec.ts.
import type { Page } from '@playwright/test';
import { test, expect, inPage } from './fixtures.ts';
import { expectAccessible } from './a11y.ts';
import type { InvokeChannel } from '../../shared/ipc/contract.ts';
import type { Screen } from '../../shared/ipc/types.ts';

/** The call each screen shows; the heading it carries once loaded. */
const screens: { screen: Screen; call: InvokeChannel; heading: string | RegExp }[] = [
  { screen: 'inbox', call: 'listInbox', heading: 'Inbox' },
  { screen: 'updates', call: 'getUpdate', heading: 'A new version of Tidings is available' },
  { screen: 'settings', call: 'getSettings', heading: 'Settings' },
  { screen: 'status', call: 'getStatus', heading: 'Tidings updates' },
  { screen: 'publish', call: 'listPublished', heading: 'Published' },
];

/** Tab alone, from the top of the page, reaches every visible, enabled control on it. */
async function expectAllTabbable(page: Page, where: string): Promise<void> {
  // Number every visible, enabled control: one per radio group; roving-tabindex tabs, menu items and
  // options are left to the arrow keys (checked in the flows).
  const total = await inPage<number>(page, `(() => {
    document.querySelectorAll('[data-tab]').forEach((el) => el.removeAttribute('data-tab'));
    document.activeElement?.blur?.();
    const groups = new Set();
    let n = 0;
    for (const el of document.querySelectorAll('button, a[href], input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')) {
      if (el.getAttribute('tabindex') === '-1' && el.matches('[role=tab], [role=menuitem], [role=option]')) continue;
      if (el.disabled || el.closest('[inert]') || !el.getClientRects().length || getComputedStyle(el).visibility === 'hidden') continue;
      if (el.type === 'radio') {
        if (groups.has(el.name)) continue;
        groups.add(el.name);
      }
      el.setAttribute('data-tab', String(n++));
    }
    return n;
  })()`);
  expect(total).toBeGreaterThan(0);
  const reached = new Set<string>();
  for (let i = 0; i < total * 2 + 10 && reached.size < total; i++) {
    await page.keyboard.press('Tab');
    const id = await inPage<string | null>(page, `(() => {
      const el = document.activeElement;
      if (!el) return null;
      if (el.type === 'radio') return document.querySelector('input[type=radio][name="' + el.name + '"][data-tab]')?.getAttribute('data-tab') ?? null;
      return el.getAttribute('data-tab');
    })()`);
    if (id !== null) reached.add(id);
  }
  const missing = await inPage<string[]>(page, `[...document.querySelectorAll('[data-tab]')]
    .filter((el) => !${JSON.stringify([...reached])}.includes(el.getAttribute('data-tab'))).map((el) => el.outerHTML.slice(0, 120))`);
  expect(missing, `not reachable with Tab on ${where}`).toEqual([]);
}

const raw = 'TypeError: Cannot read properties of undefined (reading \'rows\') at /home/u/tidings/store.ts:12:7';

for (const { screen, call, heading } of screens) {
  test(`${screen}: a failing load says so in plain words and Try Again recovers`, async ({ open, stub }) => {
    const handlers = stub.binding.handlers as unknown as Record<string, (a: unknown) => Promise<unknown>>;
    const real = handlers[call]!;
    let fail = true;
    handlers[call] = async (a) => {
      if (fail) throw new Error(raw);
      return real(a);
    };
    const page = await open({ screen });
    await expect(page.getByText('Tidings couldn’t load this. Try again in a moment.')).toBeVisible();
    await expect(page.locator('body')).not.toContainText('TypeError');
    await expect(page.locator('body')).not.toContainText('store.ts');
    await expectAccessible(page);
    fail = false;
    await page.getByRole('button', { name: 'Try Again' }).click();
    await expect(page.getByRole('heading', { name: heading }).first()).toBeVisible();
    await expect(page.getByText('Tidings couldn’t load this.')).toHaveCount(0);
  });

  test(`${screen}: a slow load shows words, then the screen`, async ({ open, stub }) => {
    const handlers = stub.binding.handlers as unknown as Record<string, (a: unknown) => Promise<unknown>>;
    const real = handlers[call]!;
    // Every held call is released, and later ones answer at once (the shell asks for the status too, and may
    // ask before the screen does).
    const held: (() => void)[] = [];
    let release: (() => void) | undefined;
    let released = false;
    handlers[call] = (a) => (released ? real(a) : new Promise((resolve) => {
      held.push(() => resolve(real(a)));
      release = () => { released = true; held.splice(0).forEach((r) => r()); };
    }));
    const page = await open({ screen });
    // Screens are chunks of their own: hold the answer until the screen has actually asked for it.
    await expect.poll(() => release !== undefined).toBe(true);
    await page.waitForTimeout(250);
    // A screen whose sections load on their own (Status: sources, recent checks) may show the words in
    // more than one of them at once.
    await expect(page.getByText('Loading…').first()).toBeVisible();
    release!();
    await expect(page.getByRole('heading', { name: heading }).first()).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
  });

  test(`${screen}: every control can be reached with Tab`, async ({ open }) => {
    const page = await open({ screen });
    await expect(page.getByRole('heading', { name: heading }).first()).toBeVisible();
    await expectAllTabbable(page, screen);
    if (screen === 'publish') {
      await page.getByRole('tab', { name: 'Post News' }).focus();
      await page.keyboard.press('ArrowRight');
      await expect(page.getByRole('tab', { name: 'Link a New Version' })).toBeFocused();
      await expect(page.getByRole('tab', { name: 'Link a New Version' })).toHaveAttribute('aria-selected', 'true');
      await expect(page.getByRole('textbox', { name: 'Version', exact: true })).toBeVisible();
      await expectAllTabbable(page, 'publish (Link a New Version)');
    }
  });
}

test('publish: nothing published yet says so', async ({ open, stub }) => {
  stub.state.published = [];
  const page = await open({ screen: 'publish' });
  await expect(page.getByText('Nothing published yet.')).toBeVisible();
});
