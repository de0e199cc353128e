// Offline, loading and error states, and the dialogs: plain words, never a raw error, accessible.
import { test, expect, cspViolations } from './fixtures.ts';
import { expectAccessible, shoot } from './a11y.ts';

test('offline: the banner says what is shown and what happens next', async ({ open, stub }) => {
  stub.state.status = { ...stub.state.status, online: false };
  const page = await open({ screen: 'inbox' });
  await expect(page.getByText('You’re offline. Showing what was saved; Tidings will check again when you’re back online.')).toBeVisible();
  await expect(page.getByRole('listbox', { name: 'Posts' }).getByRole('option')).toHaveCount(6);
  await expectAccessible(page);
  await shoot(page, 'inbox-offline', 'light');
});

test('a failing call shows plain words and Try Again, never the error itself', async ({ open, stub }) => {
  let fail = true;
  const real = stub.binding.handlers.getStatus;
  stub.binding.handlers.getStatus = async (a) => {
    if (fail) throw new Error('SQLITE_CORRUPT: database disk image is malformed at /home/u/.config/tidings/store.db');
    return real(a);
  };
  const page = await open({ screen: 'status' });
  await expect(page.getByText('Tidings couldn’t load this. Try again in a moment.')).toBeVisible();
  await expect(page.locator('body')).not.toContainText('SQLITE');
  await expect(page.locator('body')).not.toContainText('failed');
  fail = false;
  await page.getByRole('button', { name: 'Try Again' }).click();
  await expect(page.getByRole('heading', { name: 'Tidings updates' })).toBeVisible();
});

test('slow answers show words after 200 ms, not a bare spinner', async ({ open, stub }) => {
  const real = stub.binding.handlers.getSettings;
  let release: (() => void) | undefined;
  stub.binding.handlers.getSettings = (a) => new Promise((resolve) => { release = () => resolve(real(a)); });
  const page = await open({ screen: 'settings' });
  // The Settings screen is a chunk of its own: hold the answer until the screen has actually asked.
  await expect.poll(() => release !== undefined).toBe(true);
  await page.waitForTimeout(250);
  await expect(page.getByRole('status').filter({ hasText: 'Loading…' })).toBeVisible();
  release!();
  await expect(page.getByRole('radio', { name: /Stable/ })).toBeVisible();
});

test('frozen feed: Status says it cannot confirm, since when', async ({ open, stub }) => {
  stub.state.status = { ...stub.state.status, frozenSince: stub.state.status.sources[0]!.lastSuccess! - 3 * 86400 };
  const page = await open({ screen: 'status' });
  await expect(page.getByRole('alert')).toHaveText(/^Can’t confirm you’re up to date since Nov 21, 2026/);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`dialogs are accessible and photographed (${scheme})`, async ({ open, stub }) => {
    stub.state.settings.channel = 'experimental';
    stub.state.info.version = '2.2.0-beta.1';
    const page = await open({ screen: 'settings', scheme });
    await page.getByRole('radio', { name: /Stable/ }).click();
    await expect(page.getByRole('dialog', { name: 'Switch to Stable?' })).toBeVisible();
    await expectAccessible(page);
    await shoot(page, 'dialog-switch-channel', scheme);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(page.getByRole('radio', { name: /Stable/ })).toBeFocused();
    expect(await cspViolations(page)).toEqual([]);
  });
}

test('the publisher page is absent without a publisher token', async ({ open, stub }) => {
  stub.state.info.publisher = false;
  const page = await open({ screen: 'publish' });
  await expect(page.getByRole('navigation').getByRole('button')).toHaveText([/Inbox/, /Updates/, 'Settings', 'Status']);
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
});

test('navigate events open the screen and the item the user clicked (tray, notification)', async ({ open, stub }) => {
  const page = await open({ screen: 'status' });
  stub.emit('navigate', { screen: 'inbox', itemKey: 'src1:news-maint' });
  await expect(page.getByRole('heading', { name: 'Planned maintenance on Saturday' })).toBeVisible();
});
