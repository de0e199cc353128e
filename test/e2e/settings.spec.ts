// A Publish page state the real core can't hold on demand: hashing a local asset mid-way shows its progress.
// (Sources, preferences and About run on the real core: product-sources.spec.ts, product-settings.spec.ts,
// product-updates.spec.ts.)
import { test, expect } from './fixtures.ts';

test('hashing a local asset shows its progress, then its size and hash', async ({ open, stub }) => {
  const real = stub.binding.handlers.hashFile;
  let release: (() => void) | undefined;
  stub.binding.handlers.hashFile = (a) => new Promise((resolve) => { release = () => resolve(real(a)); });
  const page = await open({ screen: 'publish' });
  await page.getByRole('tab', { name: 'Link a New Version' }).click();
  await page.getByRole('button', { name: 'Choose File…' }).click();
  await expect.poll(() => release !== undefined).toBe(true);
  stub.emit('hashProgress', { fileName: 'Tidings-2.2.0.AppImage', done: 30, total: 100 });
  await expect(page.getByRole('progressbar', { name: 'Tidings-2.2.0.AppImage' })).toHaveAttribute('aria-valuenow', '30');
  release!();
  stub.emit('hashProgress', { fileName: 'Tidings-2.2.0.AppImage', done: 100, total: 100 });
  await expect(page.getByText(/Tidings-2\.2\.0\.AppImage — 98 MB, SHA-256 a3f1c9e2a3f1…/)).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0);
});
