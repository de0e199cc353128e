// The renderer's part of issue 12, on the stub companion (visual states and wording): the skipped and
// "ahead of Stable" update states, a truthful Status log, Cryptolens and Tidings sources with field errors,
// Undo for dismissals (notice and Settings → Data), refused Undo shown, the empty inbox naming the publisher,
// Post News on a news channel, publishing only with a key and only once, dialogs that open on Cancel,
// notices that can be closed and never cover controls, the narrow inbox, and every screen at three sizes.
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures.ts';
import { expectAccessible } from './a11y.ts';
import { now, offer } from './stub/data.ts';
import { repoRoot } from '../../preview/build.ts';
import type { Screen } from '../../shared/ipc/types.ts';

const base = { installed: '2.0.3', channel: 'stable' as const };
const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation').getByRole('button', { name });
const calls = (stub: { state: { calls: { channel: string; args: unknown }[] } }, channel: string) => stub.state.calls.filter((c) => c.channel === channel).map((c) => c.args);

test.describe('Updates', () => {
  test('ahead of Stable: one statement from the catalogue, never "up to date" twice', async ({ open, stub }) => {
    stub.state.info.version = '2.2.0-beta.1';
    stub.state.update.view = { ...base, installed: '2.2.0-beta.1', state: 'up-to-date', checkedAt: now() - 120, ahead: { stable: '2.1.0' } };
    const page = await open({ screen: 'updates' });
    const card = page.locator('.card.update');
    await expect(card.locator('.lead')).toHaveText('You’re running 2.2.0-beta.1, which is newer than the latest stable release (2.1.0). You’ll keep it and move to Stable with the next stable release newer than yours.');
    await expect(card).not.toContainText('up to date');
    await expect(card).toContainText('Checked 2 minutes ago.');
    stub.setView({ ...base, installed: '2.2.0-beta.1', state: 'up-to-date', checkedAt: null, ahead: { stable: null } });
    await expect(card.locator('.lead')).toHaveText('You’re running 2.2.0-beta.1, and there is no stable release yet. You’ll keep it and move to Stable with the first stable release newer than yours.');
    await expectAccessible(page);
  });

  test('skipping the newest version says so (never "up to date"); Undo Skip brings the offer back', async ({ open, stub }) => {
    const page = await open({ screen: 'updates' });
    await page.getByRole('button', { name: 'Skip This Version' }).click();
    await expect(page.getByText('You skipped Tidings 2.1.0. You’ll hear about the next version after it.')).toBeVisible();
    await expect(page.locator('.card.update')).not.toContainText('up to date');
    await expect(nav(page, /^Updates/).locator('.badge')).toHaveCount(0);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Undo Skip' }).click();
    await expect(page.getByText('Tidings 2.1.0 is now available — you have 2.0.3.')).toBeVisible();
    await expect(page.locator('.toast')).toHaveText('You’ll be offered 2.1.0 again.');
    expect(calls(stub, 'unskipVersion')).toEqual([{ version: '2.1.0' }]);
  });

  test('Check Now on a skipped version offers it again (as Sparkle does)', async ({ open, stub }) => {
    stub.state.update = { ...stub.state.update, skipped: ['2.1.0'], view: { ...base, state: 'skipped', version: '2.1.0', checkedAt: now() - 3600 } };
    const page = await open({ screen: 'updates' });
    await expect(page.getByText(/You skipped Tidings 2\.1\.0\./)).toBeVisible();
    await page.getByRole('button', { name: 'Check Now' }).click();
    await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible();
  });

  test('"Checking for updates…" lasts exactly as long as the check; then its answer is announced', async ({ open, stub }) => {
    stub.state.update.view = { ...base, state: 'up-to-date', checkedAt: now() - 60 };
    let finish: (() => void) | undefined;
    stub.binding.handlers.checkNow = () => new Promise((resolve) => { finish = () => resolve({ ok: true, message: 'Checked just now: nothing new.' }); });
    const page = await open({ screen: 'updates' });
    await page.getByRole('button', { name: 'Check Now' }).click();
    const busy = page.getByRole('button', { name: 'Checking for updates…' });
    await expect(busy).toBeDisabled();
    await expect.poll(() => finish !== undefined).toBe(true);
    finish!();
    await expect(page.getByRole('button', { name: 'Check Now' })).toBeEnabled();
    await expect(page.getByText('Checking for updates…')).toHaveCount(0);
    await expect(page.locator('.toast')).toHaveText('Checked just now: nothing new.');
    // An answer about a check under way ends with the check: the companion's status change takes it away.
    stub.binding.handlers.checkNow = async () => ({ ok: true, message: 'Checking for updates…' });
    await page.getByRole('button', { name: 'Check Now' }).click();
    await expect(page.locator('.toast')).toHaveText('Checking for updates…');
    stub.changed('status');
    await expect(page.locator('.toast')).toHaveText('');
    await expect(page.getByText('Checking for updates…')).toHaveCount(0);
  });

  test('the sidebar keeps its update marker when verification failed', async ({ open, stub }) => {
    stub.state.update.view = { ...base, state: 'verify-failed', offer: offer(), message: 'hash mismatch' };
    const page = await open({ screen: 'inbox' });
    await expect(nav(page, /^Updates/).getByRole('img', { name: 'Update available' })).toBeVisible();
    stub.setView({ ...base, state: 'up-to-date', checkedAt: now() });
    await expect(nav(page, /^Updates/).locator('.badge')).toHaveCount(0);
  });
});

test('Status → Recent checks says what each check brought: new posts, no change, or the problem', async ({ open, stub }) => {
  stub.state.status.log = [
    { at: now() - 60, sourceId: 'src1', outcome: 'new', added: 1, message: '' },
    { at: now() - 300, sourceId: 'src1', outcome: 'unchanged', added: 0, message: '' },
    { at: now() - 600, sourceId: 'src2', outcome: 'error', added: 0, message: 'The feed refused the access token. Check Sources in Settings.' },
    { at: now() - 900, sourceId: 'src1', outcome: 'new', added: 3, message: '' },
  ];
  const page = await open({ screen: 'status' });
  const rows = page.getByRole('table').locator('tbody tr');
  await expect(rows.locator('td:nth-child(3)')).toHaveText(['1 new post', 'No change', 'The feed refused the access token. Check Sources in Settings.', '3 new posts']);
  await expect(page.getByRole('table')).not.toContainText('Checked.');
  // The scrolling part of the screen can be reached and scrolled from the keyboard (axe scrollable-region-focusable).
  const region = page.getByRole('region', { name: 'Sources and recent checks' });
  await expect(region).toHaveAttribute('tabindex', '0');
  await expectAccessible(page);
});

test.describe('Sources', () => {
  test('a Cryptolens account: masked token, its update and news channel names; saved and listed', async ({ open, stub }) => {
    const page = await open({ screen: 'settings' });
    await page.getByRole('button', { name: 'Add Source…' }).click();
    const form = page.getByRole('form', { name: 'New source' });
    await form.getByLabel('Kind').selectOption('cryptolens');
    await form.getByLabel('Name', { exact: true }).fill('Acme licensing');
    await form.getByLabel('Address (URL)').fill('https://api.cryptolens.io');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form.locator('#src-token-error')).toHaveText('Enter the access token from your Cryptolens account.');
    await expect(form.locator('#src-updateChannel-error')).toHaveText('Enter at least one channel name.');
    await expect(form.getByLabel('Access token')).toHaveAttribute('type', 'password');
    await form.getByLabel('Access token').fill('WyI0NjUiLCJBWTBGTlQwZm');
    await form.getByLabel('Update channel name').fill('acme releases');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form.locator('#src-updateChannel-error')).toHaveText(/^Use letters, digits/);
    await form.getByLabel('Update channel name').fill('acme-releases');
    await form.getByLabel('News channel name').fill('acme-news');
    await form.getByRole('button', { name: 'Test Connection' }).click();
    await expect(form.getByRole('status')).toHaveText('Reached feed: 2 channels, latest stable 2.1.0');
    expect(calls(stub, 'saveSource')).toEqual([]);
    await form.getByRole('button', { name: 'Save' }).click();
    const saved = page.locator('.source').filter({ hasText: 'Acme licensing' });
    await expect(saved).toContainText('Cryptolens · Updates: acme-releases · News: acme-news · Token saved');
    expect(calls(stub, 'saveSource')).toEqual([{ name: 'Acme licensing', kind: 'cryptolens', url: 'https://api.cryptolens.io', channels: [], updateChannel: 'acme-releases', newsChannel: 'acme-news', token: 'WyI0NjUiLCJBWTBGTlQwZm' }]);
    // Editing keeps the saved token unless one is typed, and shows the stored channel names.
    await page.getByRole('button', { name: 'Edit Acme licensing' }).click();
    const edit = page.getByRole('form', { name: 'Edit Acme licensing' });
    await expect(edit.getByLabel('Update channel name')).toHaveValue('acme-releases');
    await expect(edit.getByText('A token is saved. Leave empty to keep it.')).toBeVisible();
    await edit.getByLabel('News channel name').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(saved).toContainText('Cryptolens · Updates: acme-releases · Token saved');
    expect((calls(stub, 'saveSource')[1] as { token?: string }).token).toBeUndefined();
  });

  test('a Tidings feed: URL, optional token, news channels; the companion’s refusal shows at its field and nothing is saved', async ({ open, stub }) => {
    const page = await open({ screen: 'settings' });
    await page.getByRole('button', { name: 'Add Source…' }).click();
    const form = page.getByRole('form', { name: 'New source' });
    await expect(form.getByLabel('News channels')).toHaveValue('news');
    await form.getByLabel('Name', { exact: true }).fill('Staging feed');
    await form.getByLabel('Address (URL)').fill('http://localhost:8787');
    await form.getByLabel('News channels').fill('news, security');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form.locator('#src-url-error')).toHaveText('The address must start with https://.');
    await expect(form.getByLabel('Address (URL)')).toHaveAttribute('aria-invalid', 'true');
    expect(stub.state.settings.sources.map((s) => s.name)).toEqual(['Tidings updates', 'Licensing messages']);
    await form.getByLabel('Address (URL)').fill('https://staging.example.com');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('.source').filter({ hasText: 'Staging feed' })).toContainText('Tidings feed · News: news, security');
    expect(stub.state.settings.sources.find((s) => s.name === 'Staging feed')).toMatchObject({ channels: ['news', 'security'], hasToken: false });
    await page.getByRole('button', { name: 'Remove Staging feed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Staging feed?' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect(page.locator('.source').filter({ hasText: 'Staging feed' })).toHaveCount(0);
  });
});

test.describe('Undo', () => {
  test('Delete in the inbox says so with Undo; Undo restores the post', async ({ open, stub }) => {
    const page = await open({ screen: 'inbox' });
    const list = page.getByRole('listbox', { name: 'Posts' });
    await list.getByRole('option', { name: /Planned maintenance/ }).click();
    await list.focus();
    await page.keyboard.press('Delete');
    await expect(list.getByRole('option')).toHaveCount(5);
    await expect(page.locator('.toast')).toHaveText('Post dismissed.');
    await page.locator('.notice').getByRole('button', { name: 'Undo' }).click();
    await expect(list.getByRole('option')).toHaveCount(6);
    await expect(page.locator('.toast')).toHaveText('Post restored.');
    expect(calls(stub, 'restoreItems')).toEqual([{ keys: ['src1:news-maint'] }]);
  });

  test('the Dismiss button too; Settings → Data lists dismissed posts with Undo each', async ({ open, stub }) => {
    const page = await open({ screen: 'inbox' });
    await page.getByRole('option', { name: /Planned maintenance/ }).click();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.locator('.notice').getByRole('button', { name: 'Undo' })).toBeVisible();
    await page.getByRole('option', { name: /Welcome to Tidings/ }).click();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await nav(page, 'Settings').click();
    const data = page.getByRole('region', { name: 'Data' });
    await data.scrollIntoViewIfNeeded();
    await expect(data.locator('.undo-list li')).toHaveCount(2);
    await expect(data.locator('.undo-list li').first()).toContainText('Welcome to Tidings');
    await expectAccessible(page);
    await data.getByRole('button', { name: 'Undo: Planned maintenance on Saturday' }).click();
    await expect(data.locator('.undo-list li')).toHaveCount(1);
    expect(stub.state.items.some((i) => i.title === 'Planned maintenance on Saturday')).toBe(true);
  });

  test('Settings: a refused Undo says why next to it; an accepted one updates the list', async ({ open, stub }) => {
    stub.state.update = { ...stub.state.update, skipped: ['2.1.0', '2.0.9'], remindAt: now() + 86400 };
    stub.binding.handlers.clearRemind = async () => ({ ok: false, error: { field: '', message: 'Tidings can’t cancel this reminder right now.' } });
    const page = await open({ screen: 'settings' });
    await page.getByRole('button', { name: /^Undo: Reminder snoozed until/ }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Tidings can’t cancel this reminder right now.' })).toBeVisible();
    await page.getByRole('button', { name: 'Undo: Skipping 2.0.9' }).click();
    await expect(page.getByRole('button', { name: 'Undo: Skipping 2.0.9' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Undo: Skipping 2.1.0' })).toBeVisible();
  });
});

test('the empty inbox names the publisher (the first source), not the product', async ({ open, stub }) => {
  stub.state.items = [];
  stub.state.settings.sources[0]!.name = 'Acme Corp';
  const page = await open({ screen: 'inbox' });
  await expect(page.getByText('No news yet. Posts from Acme Corp will appear here.')).toBeVisible();
});

test.describe('Publish', () => {
  test('Post News starts on the news channel', async ({ open }) => {
    const page = await open({ screen: 'publish' });
    await expect(page.getByLabel('Channel')).toHaveValue('news');
  });

  test('no key, no publishing; after confirming, "Publishing…" at once and one publish only', async ({ open, stub }) => {
    const real = stub.binding.handlers.publish;
    let release: (() => void) | undefined;
    stub.binding.handlers.publish = (a) => new Promise((resolve) => { release = () => resolve(real(a)); });
    const page = await open({ screen: 'publish' });
    await page.getByLabel('Title').fill('Office hours');
    const review = page.getByRole('button', { name: 'Review and Publish…' });
    await expect(review).toBeDisabled();
    await expect(page.locator('#key-needed')).toHaveText('Choose the key file to sign with before publishing.');
    await expect(review).toHaveAttribute('aria-describedby', 'key-needed');
    await page.getByRole('button', { name: 'Choose Key File…' }).click();
    await expect(page.getByText('publisher.key (key 9f3c2a1b7d4e6f80)')).toBeVisible();
    await review.click();
    await page.getByRole('dialog', { name: 'Publish this?' }).getByRole('button', { name: 'Publish' }).click();
    const busy = page.getByRole('button', { name: 'Publishing…' });
    await expect(busy).toBeDisabled();
    await expect(page.locator('.toast')).toHaveText('Publishing…');
    await busy.click({ force: true });
    await page.keyboard.press('Enter');
    await expect.poll(() => release !== undefined).toBe(true);
    release!();
    await expect(page.locator('.toast')).toHaveText('Published “Office hours”.');
    await expect(page.getByRole('button', { name: 'Review and Publish…' })).toBeEnabled();
    expect(calls(stub, 'publish')).toHaveLength(1);
    // The key stays chosen on the other form.
    await page.getByRole('tab', { name: 'Link a New Version' }).click();
    await expect(page.getByText('publisher.key (key 9f3c2a1b7d4e6f80)')).toBeVisible();
  });

  test('a chosen file still needs the address people download it from; both are sent', async ({ open, stub }) => {
    const page = await open({ screen: 'publish' });
    await page.getByRole('tab', { name: 'Link a New Version' }).click();
    await page.getByRole('button', { name: 'Choose Key File…' }).click();
    await page.getByRole('textbox', { name: 'Version', exact: true }).fill('2.2.0');
    await page.getByRole('button', { name: 'Choose File…' }).click();
    await expect(page.getByText(/Tidings-2\.2\.0\.AppImage — 98 MB/)).toBeVisible();
    const url = page.getByLabel('Download address');
    await expect(url).toBeEditable();
    await page.getByRole('button', { name: 'Review and Publish…' }).click();
    await expect(page.locator('#asset-0-url-error')).toHaveText('Enter the https:// address people will download this file from.');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await url.fill('https://downloads.example.com/Tidings-2.2.0.AppImage');
    await page.getByRole('button', { name: 'Review and Publish…' }).click();
    await page.getByRole('dialog', { name: 'Publish this?' }).getByRole('button', { name: 'Publish' }).click();
    await expect(page.locator('.toast')).toHaveText('Published 2.2.0.');
    expect((calls(stub, 'publish')[0] as { assets: unknown[] }).assets).toEqual([{ platform: 'linux-x64', handle: 'h1', url: 'https://downloads.example.com/Tidings-2.2.0.AppImage' }]);
  });

  for (const width of [880, 600, 420]) {
    test(`Link a New Version: no field overlaps another at ${width} px`, async ({ open, page }) => {
      await page.setViewportSize({ width, height: 600 });
      await open({ screen: 'publish' });
      await page.getByRole('tab', { name: 'Link a New Version' }).click();
      const boxes = await page.locator('.compose-form .field').evaluateAll((els) => els.map((el) => {
        const r = el.getBoundingClientRect();
        const input = el.querySelector('input, select, textarea')!.getBoundingClientRect();
        return { id: el.querySelector('label')!.textContent, field: [r.left, r.top, r.right, r.bottom], input: [input.left, input.top, input.right, input.bottom] };
      }));
      const overlap = (a: number[], b: number[]) => a[0]! < b[2]! - 1 && b[0]! < a[2]! - 1 && a[1]! < b[3]! - 1 && b[1]! < a[3]! - 1;
      for (const [i, a] of boxes.entries()) {
        // Each input stays inside its own field, and no two fields share space.
        expect(a.input[0]! >= a.field[0]! - 1 && a.input[2]! <= a.field[2]! + 1, `${a.id} sticks out of its field`).toBe(true);
        for (const b of boxes.slice(i + 1)) expect(overlap(a.field, b.field), `${a.id} overlaps ${b.id}`).toBe(false);
      }
    });
  }
});

test.describe('Dialogs', () => {
  test('the downgrade confirmation opens on Cancel; Esc cancels', async ({ open, stub }) => {
    stub.state.settings.channel = 'experimental';
    stub.state.info.version = '2.2.0-beta.1';
    const page = await open({ screen: 'settings' });
    await page.getByRole('radio', { name: /Stable/ }).click();
    await page.getByRole('dialog', { name: 'Switch to Stable?' }).getByRole('button', { name: 'Switch and install 2.1.0 now…' }).click();
    const second = page.getByRole('dialog', { name: 'Install 2.1.0?' });
    await expect(second.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(calls(stub, 'setChannel')).toEqual([{ channel: 'stable' }]);
    await page.getByRole('radio', { name: /Stable/ }).click();
    await page.getByRole('dialog', { name: 'Switch to Stable?' }).getByRole('button', { name: 'Switch and install 2.1.0 now…' }).click();
    await expect(second).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(stub.state.settings.channel).toBe('experimental');
  });

  test('Clear history? opens on Cancel; Esc cancels and nothing is cleared', async ({ open, stub }) => {
    const page = await open({ screen: 'settings' });
    await page.getByRole('button', { name: 'Clear History…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clear history?' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(calls(stub, 'clearHistory')).toEqual([]);
    expect(stub.state.items).toHaveLength(6);
  });
});

test.describe('Notices', () => {
  test('a notice sits below the screen (covering no control), closes with its button or Esc', async ({ open, stub }) => {
    const page = await open({ screen: 'updates' });
    stub.emit('notice', { level: 'warning', message: 'The download didn’t finish. Nothing was installed; try again later.' });
    const bar = page.locator('.notice-on');
    await expect(bar).toContainText('The download didn’t finish.');
    const barBox = (await bar.boundingBox())!;
    for (const button of await page.locator('.screen button').all()) {
      const b = (await button.boundingBox())!;
      expect(b.y + b.height <= barBox.y + 0.5, `${await button.textContent()} is under the notice`).toBe(true);
    }
    await page.getByRole('button', { name: 'Close notice' }).click();
    await expect(bar).toHaveCount(0);
    await expect(page.locator('.toast')).toHaveText('');
    stub.emit('notice', { level: 'info', message: 'Checked just now: nothing new.' });
    await expect(bar).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(bar).toHaveCount(0);
  });

  test('an information notice leaves by itself after a few seconds, but not while the pointer is on it', async ({ open, stub }) => {
    const page = await open({ screen: 'updates' });
    stub.emit('notice', { level: 'info', message: 'First' });
    const bar = page.locator('.notice-on');
    await expect(bar).toBeVisible();
    await expect(bar).toHaveCount(0, { timeout: 7_000 });
    stub.emit('notice', { level: 'info', message: 'Second' });
    await expect(bar).toBeVisible();
    await bar.hover();
    await page.waitForTimeout(6_000);
    await expect(bar).toContainText('Second');
    await page.mouse.move(10, 10);
    await expect(bar).toHaveCount(0, { timeout: 7_000 });
  });
});

test('the offline banner follows getStatus().online as the status changes', async ({ open, stub }) => {
  const page = await open({ screen: 'inbox' });
  const banner = page.getByText('You’re offline. Showing what was saved; Tidings will check again when you’re back online.');
  await expect(page.getByRole('listbox', { name: 'Posts' })).toBeVisible();
  await expect(banner).toHaveCount(0);
  stub.state.status = { ...stub.state.status, online: false };
  stub.changed('status');
  await expect(banner).toBeVisible();
  stub.state.status = { ...stub.state.status, online: true };
  stub.changed('status');
  await expect(banner).toHaveCount(0);
});

test('at 420 px the inbox shows the list or the opened post (with Back), never off-screen', async ({ open, page }) => {
  await page.setViewportSize({ width: 420, height: 700 });
  await open({ screen: 'inbox' });
  const list = page.getByRole('listbox', { name: 'Posts' });
  await list.getByRole('option', { name: /Planned maintenance/ }).click();
  const title = page.getByRole('heading', { name: 'Planned maintenance on Saturday' });
  await expect(title).toBeInViewport({ ratio: 1 });
  const box = (await page.locator('.detail').boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(420);
  await expect(list).toBeHidden();
  await expect(page.getByRole('button', { name: 'Back to Posts' })).toBeFocused();
  await expectAccessible(page);
  await page.keyboard.press('Enter');
  await expect(list).toBeVisible();
  await expect(list).toBeFocused();
  await expect(title).toBeHidden();
});

// Every screen at the window's usual size and two smaller ones, in both themes: axe-clean, and photographed
// to out/e2e-screens/ (for a person to look at; not committed).
const sizes = [{ name: '880x600', width: 880, height: 600 }, { name: '600x400', width: 600, height: 400 }, { name: '420x700', width: 420, height: 700 }];
const screens: { screen: Screen; ready: (page: Page) => Promise<void> }[] = [
  { screen: 'inbox', ready: async (page) => { await page.getByRole('option', { name: /Planned maintenance/ }).click(); await expect(page.getByRole('heading', { name: 'Planned maintenance on Saturday' })).toBeVisible(); } },
  { screen: 'updates', ready: async (page) => { await expect(page.getByRole('button', { name: 'Install Update' })).toBeVisible(); } },
  { screen: 'settings', ready: async (page) => { await expect(page.getByRole('radio', { name: /Stable/ })).toBeVisible(); } },
  { screen: 'status', ready: async (page) => { await expect(page.getByRole('table')).toBeVisible(); } },
  { screen: 'publish', ready: async (page) => { await page.getByRole('tab', { name: 'Link a New Version' }).click(); await expect(page.getByRole('textbox', { name: 'Version', exact: true })).toBeVisible(); } },
];
const shots = join(repoRoot, 'out', 'e2e-screens');

for (const scheme of ['light', 'dark'] as const) {
  for (const size of sizes) {
    for (const { screen, ready } of screens) {
      test(`${screen} at ${size.name}, ${scheme}: axe-clean, photographed`, async ({ open, page }) => {
        mkdirSync(shots, { recursive: true });
        await page.setViewportSize({ width: size.width, height: size.height });
        await open({ screen, scheme });
        await ready(page);
        await page.mouse.move(0, size.height - 1);
        await expectAccessible(page);
        await page.screenshot({ path: join(shots, `${screen}-${size.name}-${scheme}.png`), animations: 'disabled', caret: 'hide' });
      });
    }
  }
}
