// Restart to Update on the product path (issue 13; ux.md Updates; docs/updates.md): the real feed service, the
// real core with the preview's install setup (the same AppImage apply the Linux app uses, over an installed-app
// file in the data folder; the restart is the core starting again as the new version) and the UI in Chromium.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, expect } from './core-world.ts';
import { installedAppPath } from '../../preview/install.ts';

test.describe.configure({ timeout: 60_000 });

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('Install Update → Restart to Update: the signed file replaces the installed app and the app comes back as 2.1.0, up to date', async ({ world, page }) => {
  await world.start({ install: true });
  await world.check();
  await world.open(page, 'updates');
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
  await page.getByRole('button', { name: 'Install Update' }).click();
  await expect(page.getByText('2.1.0 is downloaded and verified. Restart Tidings to finish updating, or it installs when you quit.')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Install When I Quit' })).toBeVisible();
  // The default action, not the installer file: this install updates itself.
  await expect(page.getByRole('button', { name: 'Open Installer' })).toHaveCount(0);
  const restart = page.getByRole('button', { name: 'Restart to Update' });
  await expect(restart).toBeFocused();
  await restart.click();

  await expect.poll(() => world.run!.installed, { timeout: 15_000 }).toBe('2.1.0');
  await world.check();
  await expect(page.getByText(/^You’re up to date\. Tidings 2\.1\.0 is the newest version on the Stable channel\./)).toBeVisible({ timeout: 15_000 });
  const target = installedAppPath(join(world.dir, 'companion'));
  expect(sha256(readFileSync(target))).toBe(world.feed.asset('2.1.0').sha256);
  expect(statSync(target).mode & 0o777).toBe(0o755);
  expect(readdirSync(dirname(target)).filter((n) => n.includes('tidings-new'))).toEqual([]);
  // The Status log says what happened, in the words the user reads there.
  await page.getByRole('navigation').getByRole('button', { name: /^Status/ }).click();
  await expect(page.getByRole('row', { name: /Updates Installed 2\.1\.0, restarting\./ })).toBeVisible();
});

test('an install that cannot be done says why in one sentence, keeps the current version and offers Try Again', async ({ world, page }) => {
  await world.start({ install: true });
  await world.check();
  await world.open(page, 'updates');
  await page.getByRole('button', { name: 'Install Update' }).click();
  const restart = page.getByRole('button', { name: 'Restart to Update' });
  await expect(restart).toBeVisible({ timeout: 15_000 });
  // The installed app vanished (moved by the user, an unmounted drive) between download and restart.
  const target = installedAppPath(join(world.dir, 'companion'));
  rmSync(target);
  await restart.click();
  await expect(page.getByText('2.1.0 couldn’t be installed. Your current version is unchanged and keeps working.')).toBeVisible();
  await expect(page.getByRole('article').getByText(/The installed app isn't at .+ any more, so the update can't be installed\./)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try Again' })).toBeVisible();
  expect(world.run!.installed).toBe('2.0.3');
  expect(existsSync(target)).toBe(false);
});
