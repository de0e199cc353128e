// Updates, Settings and Publish used as a person would: keyboard first, errors at the field, confirmations.
import { test, expect } from './fixtures.ts';
import { offer } from './stub/data.ts';

test('install shows real progress from events, Cancel goes back; Remind Me Later works from the keyboard', async ({ open, stub }) => {
  const page = await open({ screen: 'updates' });
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByText(/Downloading 2\.1\.0… 0 ?B of 120 MB \(0%\)/)).toBeVisible();
  stub.emit('downloadProgress', { version: '2.1.0', received: 60_200_000, total: 120_400_000 });
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '50');
  await expect(page.getByText(/60 MB of 120 MB \(50%\)/)).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();

  await page.getByRole('button', { name: /Remind Me Later/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Tomorrow' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'In 3 days' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: /We’ll remind you in 3 days\./ })).toBeVisible();
  expect(stub.state.calls.filter((c) => c.channel === 'remindLater').map((c) => c.args)).toEqual([{ preset: '3days' }]);
});

test('skip, then undo it in Settings', async ({ open }) => {
  const page = await open({ screen: 'updates' });
  await page.getByRole('button', { name: 'Skip This Version' }).click();
  await expect(page.getByText(/You’re up to date\./)).toBeVisible();
  await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Undo: Skipping 2.1.0' }).click();
  await page.getByRole('navigation').getByRole('button', { name: /^Updates/ }).click();
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
});

test('verified download offers Open Installer; a failed one never offers an install', async ({ open, stub }) => {
  stub.state.update.view = { state: 'verify-failed', installed: '2.0.3', channel: 'stable', offer: offer(), message: '' };
  const page = await open({ screen: 'updates' });
  await expect(page.getByRole('alert')).toHaveText(/Nothing was installed\./);
  await expect(page.getByRole('button', { name: /Install|Installer/ })).toHaveCount(0);
  stub.setView({ state: 'verified', installed: '2.0.3', channel: 'stable', offer: offer(), fileName: 'Tidings-2.1.0.AppImage' });
  await page.getByRole('button', { name: 'Open Installer' }).click();
  expect(stub.state.calls.some((c) => c.channel === 'openInstaller')).toBe(true);
});

test('Experimental → Stable on a newer pre-release asks first; the downgrade needs a second confirmation', async ({ open, stub }) => {
  stub.state.settings.channel = 'experimental';
  stub.state.info.version = '2.2.0-beta.1';
  const page = await open({ screen: 'settings' });
  await page.getByRole('radio', { name: /Stable/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch to Stable?' });
  await expect(dialog).toContainText('You’re running 2.2.0-beta.1, which is newer than the latest stable release (2.1.0). You’ll keep 2.2.0-beta.1 and move to Stable with the next stable release newer than yours.');
  await expect(dialog.getByRole('button', { name: 'Switch', exact: true })).toBeFocused();
  await dialog.getByRole('button', { name: 'Switch and install 2.1.0 now…' }).click();
  const second = page.getByRole('dialog', { name: 'Install 2.1.0?' });
  await expect(second).toBeVisible();
  await second.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(stub.state.settings.channel).toBe('experimental');

  await page.getByRole('radio', { name: /Stable/ }).click();
  await expect(dialog.getByRole('button', { name: 'Switch', exact: true })).toBeFocused();
  await page.keyboard.press('Enter'); // the default: Switch, keeping the installed version
  await expect(page.getByRole('radio', { name: /Stable/ })).toBeChecked();
  expect(stub.state.calls.filter((c) => c.channel === 'setChannel').map((c) => c.args)).toEqual([
    { channel: 'stable' }, { channel: 'stable' }, { channel: 'stable', installStable: false },
  ]);
});

test('clear history asks first, then empties the inbox', async ({ open, stub }) => {
  const page = await open({ screen: 'settings' });
  await page.getByRole('button', { name: 'Clear History…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Clear History' }).click();
  await expect.poll(() => stub.state.items.length).toBe(0);
  await page.getByRole('navigation').getByRole('button', { name: /^Inbox/ }).click();
  await expect(page.getByText('No news yet. Posts from Tidings will appear here.')).toBeVisible();
});

test('publish a release: field errors, server error next to its field, confirmation summary, retract', async ({ open, stub }) => {
  const page = await open({ screen: 'publish' });
  await page.getByRole('tab', { name: 'Link a New Version' }).click();
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill('2.1');
  await page.getByLabel('Rollout (% of users)').fill('150');
  await page.getByRole('button', { name: 'Review and Publish…' }).click();
  await expect(page.locator('#rel-version-error')).toHaveText('Enter a version such as 2.1.0.');
  await expect(page.locator('#rel-rollout-error')).toHaveText('Enter a whole number from 0 to 100.');
  await expect(page.locator('#asset-0-error')).toHaveText('Choose a file or enter an address for each download.');
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill('2.1.0');
  await page.getByLabel('Rollout (% of users)').fill('10');
  await page.getByRole('button', { name: 'Choose File…' }).click();
  await expect(page.getByText(/Tidings-2\.2\.0\.AppImage — 98 MB, SHA-256 a3f1c9e2a3f1…/)).toBeVisible();
  await page.getByRole('button', { name: 'Choose Key File…' }).click();
  await expect(page.getByText('publisher.key (key 9f3c2a1b7d4e6f80)')).toBeVisible();
  await page.getByRole('button', { name: 'Review and Publish…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish this?' });
  await expect(dialog).toContainText('Stable');
  await expect(dialog).toContainText('2.1.0');
  await expect(dialog).toContainText('10%');
  await dialog.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('#rel-version-error')).toHaveText('Version 2.1.0 was already published on this channel.');
  await page.getByRole('textbox', { name: 'Version', exact: true }).fill('2.1.1');
  await page.getByRole('button', { name: 'Review and Publish…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText('2.1.1 — 2.1.1')).toBeVisible();
  await page.getByRole('button', { name: 'Retract 2.1.1…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Retract' }).click();
  await expect.poll(() => stub.state.published.find((p) => p.version === '2.1.1')?.retracted).toBe(true);
});
