// Every screen renders with the copy of ux.md, passes axe (no serious/critical), and is photographed in
// both themes (test/e2e/screenshots/<screen>-<theme>.png).
import { test, expect, cspViolations } from './fixtures.ts';
import { expectAccessible, shoot } from './a11y.ts';
import { offer, now } from './stub/data.ts';
import type { UpdateView } from '../../shared/ipc/types.ts';

const schemes = ['light', 'dark'] as const;
const base = { installed: '2.0.3', channel: 'stable' as const };

const updateStates: { name: string; view: () => UpdateView; text: RegExp }[] = [
  { name: 'update-available', view: () => ({ ...base, state: 'available', offer: offer(), remindAt: null }), text: /Tidings 2\.1\.0 is now available — you have 2\.0\.3\./ },
  { name: 'update-critical', view: () => ({ ...base, state: 'available', offer: { ...offer(), critical: true }, remindAt: null }), text: /fixes a critical problem and can’t be skipped/ },
  { name: 'update-downloading', view: () => ({ ...base, state: 'downloading', offer: offer(), received: 34_000_000, total: 120_400_000 }), text: /Downloading 2\.1\.0… 34 MB of 120 MB \(28%\)/ },
  { name: 'update-verified', view: () => ({ ...base, state: 'verified', offer: offer(), fileName: 'Tidings-2.1.0.AppImage', apply: 'restart', installOnQuit: true }), text: /2\.1\.0 is downloaded and verified\. Restart Tidings to finish updating, or it installs when you quit\./ },
  { name: 'update-installing', view: () => ({ ...base, state: 'installing', offer: offer() }), text: /Installing 2\.1\.0…/ },
  { name: 'update-install-failed', view: () => ({ ...base, state: 'install-failed', offer: offer(), message: 'The folder Tidings is in is read-only, so the update can’t replace it.' }), text: /2\.1\.0 couldn’t be installed\. Your current version is unchanged/ },
  { name: 'update-restored', view: () => ({ ...base, state: 'up-to-date', checkedAt: now() - 60, restored: { bad: '2.1.0', restored: '2.0.3' } }), text: /2\.1\.0 didn’t start, so 2\.0\.3 was restored\./ },
  { name: 'update-failed', view: () => ({ ...base, state: 'verify-failed', offer: offer(), message: 'hash mismatch' }), text: /didn’t match what the publisher signed, so it was deleted\. Nothing was installed\./ },
  { name: 'update-current', view: () => ({ ...base, state: 'up-to-date', checkedAt: now() - 180 }), text: /You’re up to date\. Tidings 2\.0\.3 is the newest version on the Stable channel\. Checked 3 minutes ago\./ },
  { name: 'update-cant-confirm', view: () => ({ ...base, state: 'cant-confirm', since: now() - 3 * 86400, reason: '' }), text: /Can’t confirm you’re up to date: the update feed hasn’t answered since/ },
];

for (const scheme of schemes) {
  test.describe(`${scheme} theme`, () => {
    for (const s of updateStates) {
      test(`${s.name} renders`, async ({ open, stub }) => {
        stub.state.update.view = s.view();
        const page = await open({ screen: 'updates', scheme });
        await expect(page.getByText(s.text)).toBeVisible();
        if (s.name === 'update-available') {
          await expect(page.getByRole('heading', { name: 'A new version of Tidings is available' })).toBeVisible();
          await expect(page.getByRole('button', { name: 'Install Update' })).toBeFocused();
          await expect(page.getByRole('button', { name: 'Skip This Version' })).toBeVisible();
        }
        if (s.name === 'update-critical') await expect(page.getByRole('button', { name: 'Skip This Version' })).toHaveCount(0);
        if (s.name === 'update-downloading') await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '28');
        if (s.name === 'update-failed') await expect(page.getByRole('button', { name: /Install|Open Installer/ })).toHaveCount(0);
        if (s.name === 'update-verified') await expect(page.getByRole('button', { name: 'Restart to Update' })).toBeVisible();
        await expectAccessible(page);
        await shoot(page, s.name, scheme);
        expect(await cspViolations(page)).toEqual([]);
      });
    }

    test('inbox renders with a post open', async ({ open }) => {
      const page = await open({ screen: 'inbox', scheme });
      await expect(page.getByRole('listbox', { name: 'Posts' }).getByRole('option')).toHaveCount(6);
      await page.getByRole('option', { name: /Planned maintenance/ }).click();
      await expect(page.getByRole('heading', { name: 'Planned maintenance on Saturday' })).toBeVisible();
      await expectAccessible(page);
      await shoot(page, 'inbox', scheme);
      expect(await cspViolations(page)).toEqual([]);
    });

    test('settings renders', async ({ open }) => {
      const page = await open({ screen: 'settings', scheme });
      await expect(page.getByRole('radio', { name: /Stable/ })).toBeChecked();
      await expect(page.getByText('Tested releases. Recommended for most people.')).toBeVisible();
      await expect(page.getByText('Early builds with the newest features. May have bugs. You also get stable releases.')).toBeVisible();
      await expect(page.getByRole('checkbox', { name: 'Check for updates automatically' })).toBeChecked();
      await expectAccessible(page);
      await shoot(page, 'settings', scheme);
      await page.getByRole('button', { name: 'Add Source…' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'About' }).scrollIntoViewIfNeeded();
      await expectAccessible(page);
      await shoot(page, 'settings-sources', scheme);
    });

    test('status renders', async ({ open }) => {
      const page = await open({ screen: 'status', scheme });
      await expect(page.getByText('The update server didn’t answer in time.').first()).toBeVisible();
      await expect(page.getByRole('table')).toBeVisible();
      await expectAccessible(page);
      await shoot(page, 'status', scheme);
    });

    test('publish renders', async ({ open }) => {
      const page = await open({ screen: 'publish', scheme });
      await page.getByLabel('Title').fill('Spring update');
      await page.getByLabel('Message (Markdown)').fill('We shipped **faster sync**.\n\n- fewer requests\n- calmer notifications');
      await expect(page.locator('.preview strong')).toHaveText('faster sync');
      await expectAccessible(page);
      await shoot(page, 'publish', scheme);
    });
  });
}
