// Updates, the channel switch and About on the product path: the real feed service, the real core and the
// UI in Chromium (ux.md: Updates, Settings; issue 12 point 4). Skips and reminders are stored, so a restart
// of the core on the same data directory keeps them. No stub here.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { test, expect, platform, type World } from './core-world.ts';

// Each test starts a feed service and a core (and some download 1 MiB slowly on purpose).
test.describe.configure({ timeout: 60_000 });

const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation').getByRole('button', { name });
const card = (page: Page) => page.locator('.card.update');

const servers: Server[] = [];
test.afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/**
 * The demo installer for `version`, served slowly (64 KiB every 150 ms, about 2.5 s for its 1 MiB) from a
 * loopback server of this test, so the download's progress can be seen; the bytes and hash are the real ones.
 */
async function slowAsset(world: World, version: string, o: { answerAfterMs?: number } = {}) {
  const real = world.feed.asset(version);
  const bytes = Buffer.from(await (await fetch(real.url)).arrayBuffer());
  const server = createServer((_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const answer = () => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
      res.flushHeaders();
      let offset = 0;
      timer = setInterval(() => {
        if (offset >= bytes.length) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(bytes.subarray(offset, (offset += 64 * 1024)));
      }, 150);
    };
    // A server slow to answer at all (a busy CDN): the headers come only after `answerAfterMs`.
    const wait = setTimeout(answer, o.answerAfterMs ?? 0);
    res.on('close', () => { clearTimeout(wait); clearInterval(timer); });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { ...real, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${new URL(real.url).pathname}` };
}

async function publishRelease(world: World, version: string, asset: ReturnType<World['feed']['asset']>) {
  await world.feed.publish({ id: `rel-${version}`, channel: 'stable', kind: 'release', title: `Tidings ${version}`, body: `Fixes in **${version}**.`, release: { version, assets: [asset] } });
}

/** Starts the core, checks once and opens Updates, where 2.1.0 (seeded on the demo feed) is offered. */
async function offered(world: World, page: Page, version = '2.1.0'): Promise<void> {
  await world.start();
  await world.check();
  await world.open(page, 'updates');
  await expect(page.getByText(`Tidings ${version} is now available — you have 2.0.3.`)).toBeVisible();
}

test('the offer; Install shows the download’s progress, then “Downloaded and verified” with Open Installer', async ({ world, page }) => {
  const asset = await slowAsset(world, '2.1.1');
  await publishRelease(world, '2.1.1', asset);
  await offered(world, page, '2.1.1');
  await expect(page.getByRole('heading', { name: 'A new version of Tidings is available' })).toBeVisible();
  await expect(page.locator('.notes strong')).toHaveText('2.1.1');
  await expect(nav(page, /^Updates/).getByRole('img', { name: 'Update available' })).toBeVisible();
  await page.getByRole('button', { name: 'Install Update' }).click();
  const bar = page.getByRole('progressbar', { name: 'Downloading 2.1.1' });
  await expect(bar).toBeVisible();
  await expect(page.getByText(/^Downloading 2\.1\.1… .+ of 1 MB \(\d+%\)/)).toBeVisible();
  // Progress moves: some bytes in, and not yet all of them.
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await expect(page.getByText('Downloaded and verified: the file matches what the publisher signed.')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Open Installer' })).toBeVisible();
  await expect(page.getByText(`File: Tidings-2.1.1-${platform}.bin`)).toBeVisible();
  await expect(bar).toHaveCount(0);
  // The file on disk is the one the publisher signed, and Open Installer reaches the shell with it.
  const file = world.run!.binding.verifiedDownload();
  expect(file?.version).toBe('2.1.1');
  expect(createHash('sha256').update(readFileSync(file!.path)).digest('hex')).toBe(asset.sha256);
  await page.getByRole('button', { name: 'Open Installer' }).click();
  await expect(page.locator('.toast')).toHaveText('The preview doesn’t run installers; the file’s place was printed where the preview runs.');
});

test('Install Update has focus; Cancel during the download goes back to the offer; Remind Me Later works from the keyboard', async ({ world, page }) => {
  await publishRelease(world, '2.1.1', await slowAsset(world, '2.1.1'));
  await offered(world, page, '2.1.1');
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeFocused();
  await page.keyboard.press('Enter');
  const bar = page.getByRole('progressbar', { name: 'Downloading 2.1.1' });
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0); // bytes are flowing
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  // Nothing finishes behind the user's back: after the asset would have arrived, it is still only offered.
  await page.waitForTimeout(3_000);
  await expect(page.getByText('Downloaded and verified', { exact: false })).toHaveCount(0);

  await page.getByRole('button', { name: /Remind Me Later/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Tomorrow' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('menuitem', { name: 'In 3 days' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('.toast')).toHaveText('We’ll remind you in 3 days.');
  const { remindAt } = await world.run!.binding.handlers.getUpdate({});
  // Three days from now, to within a minute.
  expect(Math.abs(remindAt! - (Date.now() / 1000 + 3 * 86_400))).toBeLessThan(60);
});

test('Cancel before the download server has answered still cancels: nothing is downloaded behind the user’s back', async ({ world, page }) => {
  await publishRelease(world, '2.1.1', await slowAsset(world, '2.1.1', { answerAfterMs: 1_500 }));
  await offered(world, page, '2.1.1');
  await page.getByRole('button', { name: 'Install Update' }).click();
  await expect(page.getByRole('progressbar', { name: 'Downloading 2.1.1' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click(); // the server hasn't sent a byte yet
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
  // Long after the server would have sent the whole file, it is still only offered.
  await page.waitForTimeout(5_000);
  await expect(page.getByText('Downloaded and verified', { exact: false })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
  expect(world.run!.binding.verifiedDownload()).toBeNull();
});

test('a tampered download: verification failed in plain words, no install button, the sidebar still marks the update', async ({ world, page }) => {
  await publishRelease(world, '2.1.1', world.feed.asset('2.1.1', true));
  await offered(world, page, '2.1.1');
  await page.getByRole('button', { name: 'Install Update' }).click();
  await expect(page.getByRole('alert')).toHaveText('The download didn’t match what the publisher signed, so it was deleted. Nothing was installed.');
  await expect(page.getByRole('button', { name: /Install Update|Open Installer/ })).toHaveCount(0);
  await expect(nav(page, /^Updates/).getByRole('img', { name: 'Update available' })).toBeVisible();
  await nav(page, /^Inbox/).click();
  await expect(nav(page, /^Updates/).getByRole('img', { name: 'Update available' })).toBeVisible();
});

test('Skip says you skipped it (never “up to date”); Undo Skip brings the offer back', async ({ world, page }) => {
  await offered(world, page);
  await page.getByRole('button', { name: 'Skip This Version' }).click();
  await expect(page.locator('.toast')).toHaveText('Version 2.1.0 will be skipped. You can undo this in Settings.');
  await expect(card(page).locator('.lead')).toHaveText('You skipped Tidings 2.1.0. You’ll hear about the next version after it.');
  await expect(card(page)).not.toContainText('up to date');
  await expect(card(page)).not.toContainText('newest version');
  await expect(nav(page, /^Updates/).locator('.badge')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo Skip' }).click();
  await expect(page.locator('.toast')).toHaveText('You’ll be offered 2.1.0 again.');
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
});

test('Skip, then Undo in Settings offers the version again', async ({ world, page }) => {
  await offered(world, page);
  await page.getByRole('button', { name: 'Skip This Version' }).click();
  await expect(page.getByText(/You skipped Tidings 2\.1\.0\./)).toBeVisible();
  await nav(page, 'Settings').click();
  const updates = page.getByRole('region', { name: 'Updates' });
  await expect(updates.getByText('Skipping 2.1.0')).toBeVisible();
  await updates.getByRole('button', { name: 'Undo: Skipping 2.1.0' }).click();
  await expect(page.locator('.toast')).toHaveText('You’ll be offered 2.1.0 again.');
  await expect(updates.getByText('No skipped versions or reminders.')).toBeVisible();
  await nav(page, /^Updates/).click();
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
});

test('Skip, then Check Now offers the skipped version again (as Sparkle does on a manual check)', async ({ world, page }) => {
  await offered(world, page);
  await page.getByRole('button', { name: 'Skip This Version' }).click();
  await expect(page.getByText(/You skipped Tidings 2\.1\.0\./)).toBeVisible();
  await card(page).getByRole('button', { name: 'Check Now' }).click();
  await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
});

test('Remind Me Later: Settings lists the reminder and Undo cancels it', async ({ world, page }) => {
  await offered(world, page);
  await page.getByRole('button', { name: /Remind Me Later/ }).click();
  await page.getByRole('menuitem', { name: 'Tomorrow' }).click();
  await expect(page.locator('.toast')).toHaveText('We’ll remind you tomorrow.');
  await nav(page, 'Settings').click();
  const updates = page.getByRole('region', { name: 'Updates' });
  await expect(updates.getByText(/^Reminder snoozed until /)).toBeVisible();
  await updates.getByRole('button', { name: /^Undo: Reminder snoozed until / }).click();
  await expect(page.locator('.toast')).toHaveText('Reminder cancelled. The update is offered again.');
  await expect(updates.getByText('No skipped versions or reminders.')).toBeVisible();
  // The core agrees: nothing is snoozed, and the offer stands.
  const state = await world.run!.binding.handlers.getUpdate({});
  expect(state.remindAt).toBeNull();
  expect(state.view.state).toBe('available');
  await nav(page, /^Updates/).click();
  await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
});

test('a skip and a reminder survive a restart of the core', async ({ world, page }) => {
  await offered(world, page);
  await page.getByRole('button', { name: 'Skip This Version' }).click();
  await expect(page.getByText(/You skipped Tidings 2\.1\.0\./)).toBeVisible();
  await world.start(); // same data directory and port
  await page.reload();
  await expect(card(page).locator('.lead')).toHaveText('You skipped Tidings 2.1.0. You’ll hear about the next version after it.');

  await publishRelease(world, '2.1.1', world.feed.asset('2.1.1'));
  await world.check();
  await expect(page.getByText('Tidings 2.1.1 is now available — you have 2.0.3.')).toBeVisible();
  await page.getByRole('button', { name: /Remind Me Later/ }).click();
  await page.getByRole('menuitem', { name: 'In 3 days' }).click();
  await expect(page.locator('.toast')).toHaveText('We’ll remind you in 3 days.');
  await world.start();
  await page.reload();
  await nav(page, 'Settings').click();
  const updates = page.getByRole('region', { name: 'Updates' });
  await expect(updates.getByText('Skipping 2.1.0')).toBeVisible();
  await expect(updates.getByText(/^Reminder snoozed until /)).toBeVisible();
  await expect(updates.getByRole('button', { name: 'Undo: Skipping 2.1.0' })).toBeVisible();
});

/** Running a pre-release on Experimental, after a check: the starting point of the switch back to Stable. */
async function onExperimentalBeta(world: World, page: Page): Promise<void> {
  await world.start({ installed: '2.2.0-beta.1' });
  await world.open(page, 'settings');
  await page.getByRole('radio', { name: /Experimental/ }).click();
  await expect(page.getByRole('radio', { name: /Experimental/ })).toBeChecked();
  await world.check();
}

test('Experimental → Stable on a newer pre-release: “Switch” keeps it, and Updates says so in one statement', async ({ world, page }) => {
  await onExperimentalBeta(world, page);
  await page.getByRole('radio', { name: /Stable/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Switch to Stable?' });
  await expect(dialog).toContainText('You’re running 2.2.0-beta.1, which is newer than the latest stable release (2.1.0). You’ll keep 2.2.0-beta.1 and move to Stable with the next stable release newer than yours.');
  await expect(dialog.getByRole('button', { name: 'Switch', exact: true })).toBeFocused();
  await dialog.getByRole('button', { name: 'Switch', exact: true }).click();
  await expect(page.getByRole('radio', { name: /Stable/ })).toBeChecked();
  await nav(page, /^Updates/).click();
  // One statement from the catalogue, nothing overlapping it (the core used to add a sentence of its own).
  await expect(card(page).locator('.lead')).toHaveText('You’re running 2.2.0-beta.1, which is newer than the latest stable release (2.1.0). You’ll keep it and move to Stable with the next stable release newer than yours.');
  const paragraphs = await card(page).locator('p').allTextContents();
  expect(paragraphs.filter((p) => !/^Checked .+\.$/.test(p))).toHaveLength(1);
  await expect(card(page)).not.toContainText('up to date');
  await expect(page.getByRole('button', { name: 'Install Update' })).toHaveCount(0);
});

test('Experimental → Stable, “Switch and install” asks again (focus on Cancel), then downloads and verifies that stable', async ({ world, page }) => {
  await publishRelease(world, '2.1.1', await slowAsset(world, '2.1.1'));
  await onExperimentalBeta(world, page);
  await page.getByRole('radio', { name: /Stable/ }).click();
  const ask = page.getByRole('dialog', { name: 'Switch to Stable?' });
  await expect(ask).toContainText('newer than the latest stable release (2.1.1)');
  await ask.getByRole('button', { name: 'Switch and install 2.1.1 now…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Install 2.1.1?' });
  await expect(confirm).toContainText('This replaces 2.2.0-beta.1 with the older stable release 2.1.1.');
  // A downgrade is destructive: Enter must not start it.
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Install 2.1.1' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('radio', { name: /Stable/ })).toBeChecked();
  await nav(page, /^Updates/).click();
  await expect(page.getByRole('progressbar', { name: 'Downloading 2.1.1' })).toBeVisible();
  await expect(page.getByText(/^Downloading 2\.1\.1… /)).toBeVisible();
  await expect(page.getByText('Downloaded and verified: the file matches what the publisher signed.')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText(`File: Tidings-2.1.1-${platform}.bin`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open Installer' })).toBeVisible();
  await expect(card(page)).not.toContainText('up to date');
});

test('Experimental → Stable: Cancel on the downgrade question changes nothing', async ({ world, page }) => {
  await onExperimentalBeta(world, page);
  await page.getByRole('radio', { name: /Stable/ }).click();
  await page.getByRole('dialog', { name: 'Switch to Stable?' }).getByRole('button', { name: 'Switch and install 2.1.0 now…' }).click();
  await page.getByRole('dialog', { name: 'Install 2.1.0?' }).getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('radio', { name: /Experimental/ })).toBeChecked();
  expect(world.run!.binding.companion.channel()).toBe('experimental');
  // Enter (focus is on Cancel) and Esc cancel it too.
  for (const key of ['Enter', 'Escape']) {
    await page.getByRole('radio', { name: /Stable/ }).click();
    await page.getByRole('dialog', { name: 'Switch to Stable?' }).getByRole('button', { name: 'Switch and install 2.1.0 now…' }).click();
    await expect(page.getByRole('dialog', { name: 'Install 2.1.0?' }).getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press(key);
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(page.getByRole('radio', { name: /Experimental/ })).toBeChecked();
  }
  expect(world.run!.binding.companion.channel()).toBe('experimental');
});

test('About shows the install id, the same one after a restart', async ({ world, page }) => {
  await world.start();
  const id = world.run!.binding.companion.installId();
  expect(id).toMatch(/\S{8,}/);
  await world.open(page, 'settings');
  const about = page.getByRole('region', { name: 'About' });
  await about.scrollIntoViewIfNeeded();
  await expect(about).toContainText('Tidings 2.0.3');
  await expect(about.locator('dd.mono').first()).toHaveText(id);
  await expect(about).toContainText(world.feed.keyId);
  await world.start();
  await page.reload();
  await expect(page.getByRole('region', { name: 'About' }).locator('dd.mono').first()).toHaveText(id);
});
