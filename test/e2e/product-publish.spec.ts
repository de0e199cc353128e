// The Publish page on the product path: the companion's own publisher (electron/core/publisher.ts, the code the
// desktop app runs) through the preview, posting to the real feed service, read back by the real core
// (ux.md "Publisher page"; issue 12 point 1 and "Bad input"). No stub. What the feed holds is counted at the
// feed itself, so "published once" means one message on the wire.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, platform, type World } from './core-world.ts';

const nav = (page: Page, name: string | RegExp) => page.getByRole('navigation').getByRole('button', { name });
const row = (page: Page, title: string | RegExp) => page.getByRole('listbox', { name: 'Posts' }).getByRole('option', { name: title });
const newsForm = (page: Page) => page.getByRole('form', { name: 'Post News' });
const releaseForm = (page: Page) => page.getByRole('form', { name: 'Link a New Version' });
const confirmDialog = (page: Page) => page.getByRole('dialog', { name: 'Publish this?' });

/** The messages the feed holds on a channel (retractions included), read from the feed service's own API. */
async function onFeed(world: World, channel: string): Promise<{ id: string; title: string; kind: string; release?: { version: string } }[]> {
  const res = await fetch(`${world.feed.url}/v1/channels/${channel}/messages?after=0`, { headers: { Authorization: `Bearer ${world.feed.readToken}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: { id: string; title: string; kind: string; release?: { version: string } }[] }).messages;
}
const titled = async (world: World, channel: string, title: string) => (await onFeed(world, channel)).filter((m) => m.title === title).length;

async function chooseKey(form: Locator): Promise<void> {
  await form.getByRole('button', { name: 'Choose Key File…' }).click();
  await expect(form.getByText(/^Signing key: demo-publisher\.key \(key /)).toBeVisible();
}

test('news posted from the Publish page reaches the feed once and is in the inbox, unread, after a check', async ({ world, page }) => {
  await world.start();
  await world.check();
  await world.open(page, 'publish');
  const form = newsForm(page);
  await expect(form.getByLabel('Channel')).toHaveValue('news'); // never an update channel unasked
  await chooseKey(form);
  await form.getByLabel('Title').fill('Office hours on Friday');
  await form.getByLabel('Message (Markdown)').fill('Join us **live**.');
  await expect(page.getByRole('region', { name: /^Preview/ }).locator('strong')).toHaveText('live');
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await expect(confirmDialog(page)).toContainText('Office hours on Friday');
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.published li', { hasText: 'Office hours on Friday' })).toHaveCount(1);
  await expect(form.getByLabel('Title')).toHaveValue(''); // the form is ready for the next post
  expect(await titled(world, 'news', 'Office hours on Friday')).toBe(1);

  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Office hours on Friday/)).toHaveCount(1);
  await expect(page).toHaveTitle('Tidings — 1 unread');
});

test('without a chosen key nothing can be published, and the page and the core say why', async ({ world, page }) => {
  await world.start();
  await world.open(page, 'publish');
  const form = newsForm(page);
  await form.getByLabel('Title').fill('Unsigned thoughts');
  const review = form.getByRole('button', { name: 'Review and Publish…' });
  await expect(review).toBeDisabled();
  await expect(form.getByText('No key chosen. The key file stays on this computer; Tidings only signs with it.')).toBeVisible();
  await expect(review).toHaveAccessibleDescription('Choose the key file to sign with before publishing.');
  // The core refuses too, at the key, whatever a page sends.
  const direct = await world.run!.binding.handlers.publish({ kind: 'news', channel: 'news', title: 'Unsigned thoughts', body: '' });
  expect(direct).toMatchObject({ ok: false, error: { field: 'key', message: expect.stringMatching(/^Choose your signing key first/) } });

  // A key chosen before a restart of the core is gone after it (the core keeps keys in memory only): the
  // page still names it, and publishing says at the key to choose it again.
  await chooseKey(form);
  await world.start();
  await form.getByLabel('Title').fill('Signed after all');
  await review.click();
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(form.locator('#news-key-error')).toHaveText(/^Choose your signing key first/);
  expect(await titled(world, 'news', 'Unsigned thoughts')).toBe(0);
  expect(await titled(world, 'news', 'Signed after all')).toBe(0);
  await chooseKey(form);
  await review.click();
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.published li', { hasText: 'Signed after all' })).toHaveCount(1);
  expect(await titled(world, 'news', 'Signed after all')).toBe(1);
});

test('confirming twice quickly, or publishing the same post again, publishes exactly once', async ({ world, page }) => {
  await world.start();
  await world.open(page, 'publish');
  const form = newsForm(page);
  await chooseKey(form);
  await form.getByLabel('Title').fill('Double-click safe');
  await form.getByLabel('Message (Markdown)').fill('Once only.');
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).dblclick();
  await expect(page.locator('.published li', { hasText: 'Double-click safe' })).toHaveCount(1);
  expect(await titled(world, 'news', 'Double-click safe')).toBe(1);

  // The same post again (same words, same key): a clear message, nothing sent.
  await form.getByLabel('Title').fill('Double-click safe');
  await form.getByLabel('Message (Markdown)').fill('Once only.');
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(form.locator('#news-form-error')).toHaveText(/^Already published: “Double-click safe” on news \(seq \d+\)\. Nothing was sent again/);
  expect(await titled(world, 'news', 'Double-click safe')).toBe(1);

  // Two windows (or a shell and a page) sending the same form at the same moment: one message, one answer.
  const input = { kind: 'news' as const, channel: 'news', title: 'Sent from two windows', body: 'Still once.' };
  const [a, b] = await Promise.all([world.run!.binding.handlers.publish(input), world.run!.binding.handlers.publish(input)]);
  expect(a.ok && b.ok && a.item.id === b.item.id).toBe(true);
  expect(await titled(world, 'news', 'Sent from two windows')).toBe(1);
});

test('the release form says at each field what is wrong before anything is sent', async ({ world, page }) => {
  await world.start();
  await world.open(page, 'publish');
  await page.getByRole('tab', { name: 'Link a New Version' }).click();
  const form = releaseForm(page);
  await chooseKey(form);
  await form.getByRole('textbox', { name: 'Version', exact: true }).fill('2.1');
  await form.getByLabel('Rollout (% of users)').fill('150');
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await expect(form.locator('#rel-version-error')).toHaveText('Enter a version such as 2.1.0.');
  await expect(form.locator('#rel-rollout-error')).toHaveText('Enter a whole number from 0 to 100.');
  await expect(form.locator('#asset-0-error')).toHaveText('Choose a file or enter an address for each download.');
  await form.getByLabel('Download address').fill('ftp://downloads.example.com/Tidings.bin');
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await expect(form.locator('#asset-0-url-error')).toHaveText('Enter an https:// address.');
  await expect(confirmDialog(page)).toHaveCount(0);
  expect((await onFeed(world, 'stable')).map((m) => m.release?.version)).toEqual(['2.1.0']);
});

test('a release with a local file: hashed by the core, a taken version refused at the version, then published, offered and verified by the companion, and retracted', async ({ world, page }) => {
  // The installer on this computer: the very bytes the demo feed's file server will hand to clients.
  const served = world.feed.asset('2.1.1');
  const file = join(world.dir, `Tidings-2.1.1-${platform}.bin`);
  writeFileSync(file, Buffer.from(await (await fetch(served.url)).arrayBuffer()));
  await world.start({ pickAssetFile: async () => file });
  await world.check();
  await world.open(page, 'publish');
  await page.getByRole('tab', { name: 'Link a New Version' }).click();
  const form = releaseForm(page);
  const version = form.getByRole('textbox', { name: 'Version', exact: true });
  await chooseKey(form);
  await form.getByLabel('Channel').selectOption('stable');
  await version.fill('2.1.0'); // already on Stable, with other downloads
  await form.getByLabel('Title').fill('Tidings 2.1.1');
  await form.getByLabel('Release notes (Markdown)').fill('Fixes **two** crashes.');
  await form.getByRole('button', { name: 'Choose File…' }).click();
  await expect(form.getByText(`Tidings-2.1.1-${platform}.bin — 1 MB, SHA-256 ${served.sha256.slice(0, 12)}…`)).toBeVisible();
  // Where clients download it from (the file itself stays here; only its hash and size are signed). The core
  // asks for this address when a file is chosen ("Enter the https address clients will download … from."), so
  // the field must stay editable beside the chosen file.
  await expect(form.getByLabel('Download address')).toBeEditable();
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await expect(form.locator('#asset-0-url-error')).toHaveText('Enter the https:// address people will download this file from.');
  await expect(confirmDialog(page)).toHaveCount(0);
  await form.getByLabel('Download address').fill(served.url);
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(form.locator('#rel-version-error')).toHaveText('2.1.0 is already published on stable with other downloads. Use a new version number, or retract the old release first.');

  await version.fill('2.1.1');
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await expect(confirmDialog(page)).toContainText('2.1.1');
  await expect(confirmDialog(page)).toContainText('Stable');
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.published li', { hasText: '2.1.1 — Tidings 2.1.1' })).toHaveCount(1);
  expect((await onFeed(world, 'stable')).filter((m) => m.release?.version === '2.1.1')).toHaveLength(1);

  await world.check();
  await nav(page, /^Updates/).click();
  await expect(page.getByText('Tidings 2.1.1 is now available — you have 2.0.3.')).toBeVisible();
  await expect(page.locator('.notes strong')).toHaveText('two');
  await page.getByRole('button', { name: 'Install Update' }).click();
  await expect(page.getByText('Downloaded and verified: the file matches what the publisher signed.')).toBeVisible();

  await nav(page, 'Publish').click();
  await page.getByRole('button', { name: 'Retract 2.1.1…' }).click();
  await page.getByRole('dialog', { name: 'Retract 2.1.1?' }).getByRole('button', { name: 'Retract' }).click();
  // The feed stops serving a retracted post: the list shows it struck through or not at all.
  await expect(page.locator('.published li:not(.published-retracted)', { hasText: '2.1.1' })).toHaveCount(0);
  await world.check();
  await nav(page, /^Inbox/).click();
  await expect(row(page, /Tidings 2\.1\.1/)).toHaveCount(0);
});

test('a chosen local file that vanished before publishing is refused at the file, and nothing is sent', async ({ world, page }) => {
  const served = world.feed.asset('2.1.2');
  const file = join(world.dir, `Tidings-2.1.2-${platform}.bin`);
  writeFileSync(file, Buffer.from(await (await fetch(served.url)).arrayBuffer()));
  await world.start({ pickAssetFile: async () => file });
  await world.open(page, 'publish');
  await page.getByRole('tab', { name: 'Link a New Version' }).click();
  const form = releaseForm(page);
  await chooseKey(form);
  await form.getByRole('textbox', { name: 'Version', exact: true }).fill('2.1.2');
  await form.getByRole('button', { name: 'Choose File…' }).click();
  await expect(form.getByText(new RegExp(`^Tidings-2\\.1\\.2-${platform}\\.bin — `))).toBeVisible();
  await expect(form.getByLabel('Download address')).toBeEditable(); // as above: the core needs it
  await form.getByLabel('Download address').fill(served.url);
  rmSync(file);
  await form.getByRole('button', { name: 'Review and Publish…' }).click();
  await confirmDialog(page).getByRole('button', { name: 'Publish' }).click();
  await expect(form.locator('#asset-0-error')).toHaveText(`Tidings-2.1.2-${platform}.bin is no longer there: it was moved or deleted after it was hashed. Choose it again.`);
  expect((await onFeed(world, 'stable')).filter((m) => m.release?.version === '2.1.2')).toHaveLength(0);
});

test('Link a New Version: no field overlaps another at 880, 600 or 420 px', async ({ world, page }) => {
  await world.start();
  await world.open(page, 'publish');
  await page.getByRole('tab', { name: 'Link a New Version' }).click();
  await expect(releaseForm(page)).toBeVisible();
  const overlap = (a: number[], b: number[]) => a[0]! < b[2]! - 1 && b[0]! < a[2]! - 1 && a[1]! < b[3]! - 1 && b[1]! < a[3]! - 1;
  for (const width of [880, 600, 420]) {
    await page.setViewportSize({ width, height: 600 });
    const boxes = await page.locator('.compose-form .field').evaluateAll((els) => els.map((el) => {
      const r = el.getBoundingClientRect();
      const input = el.querySelector('input, select, textarea')!.getBoundingClientRect();
      return { id: el.querySelector('label')!.textContent, field: [r.left, r.top, r.right, r.bottom], input: [input.left, input.top, input.right, input.bottom] };
    }));
    expect(boxes.length).toBeGreaterThan(3);
    for (const [i, a] of boxes.entries()) {
      // Each input stays inside its own field, and no two fields share space.
      expect(a.input[0]! >= a.field[0]! - 1 && a.input[2]! <= a.field[2]! + 1, `${a.id} sticks out of its field at ${width} px`).toBe(true);
      for (const b of boxes.slice(i + 1)) expect(overlap(a.field, b.field), `${a.id} overlaps ${b.id} at ${width} px`).toBe(false);
    }
  }
});
