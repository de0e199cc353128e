// States the real core can't produce on demand, on the stub: a feed frozen for days, the channel dialog
// photographed, a companion without a publisher token, and the shell's navigate event. Offline, loading and
// failing loads: product-inbox.spec.ts (offline, on the real core) and every-screen.spec.ts.
import { test, expect, cspViolations } from './fixtures.ts';
import { expectAccessible, shoot } from './a11y.ts';

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
