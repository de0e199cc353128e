// Settings and the Publish page details the other specs don't cover: About names the version, install id and
// trusted keys; hashing a local asset shows real progress. (Sources and preferences run on the real core:
// product-sources.spec.ts, product-settings.spec.ts.)
import { test, expect } from './fixtures.ts';

test('About names the version, the install id and the trusted publisher keys', async ({ open }) => {
  const page = await open({ screen: 'settings' });
  const about = page.getByRole('region', { name: 'About' });
  await about.scrollIntoViewIfNeeded();
  await expect(about).toContainText('Tidings 2.0.3');
  await expect(about).toContainText('6c1f0d2e-8a4b-4f55-9b7e-2d3c4e5f6a7b');
  await expect(about).toContainText('9f3c2a1b7d4e6f80');
});

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
