// The renderer's part of issue 12 that the real core can't produce on demand, on the stub companion: an
// answer held for as long as the test likes ("Checking for updates…", "Publishing…") and a notice's timing and
// hover. Every flow runs on the real core (core.spec.ts, product-*.spec.ts, product-screens.spec.ts).
import { test, expect } from './fixtures.ts';
import { now } from './stub/data.ts';

const base = { installed: '2.0.3', channel: 'stable' as const };
const calls = (stub: { state: { calls: { channel: string; args: unknown }[] } }, channel: string) => stub.state.calls.filter((c) => c.channel === channel).map((c) => c.args);

test.describe('Updates', () => {
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
});

test.describe('Publish', () => {
  // Without a key and twice-in-a-row run on the real core (product-publish.spec.ts); here the answer is held.
  test('after confirming, "Publishing…" at once while the answer is held, and one publish only', async ({ open, stub }) => {
    const real = stub.binding.handlers.publish;
    let release: (() => void) | undefined;
    stub.binding.handlers.publish = (a) => new Promise((resolve) => { release = () => resolve(real(a)); });
    const page = await open({ screen: 'publish' });
    await page.getByLabel('Title').fill('Office hours');
    const review = page.getByRole('button', { name: 'Review and Publish…' });
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
