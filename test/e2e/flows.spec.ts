// Publish used as a person would, on the stub: errors at the field, confirmations. (The Updates and Inbox
// flows run on the real core: product-updates.spec.ts, product-inbox.spec.ts.)
import { test, expect } from './fixtures.ts';

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
