// Playwright fixtures: a fresh stub companion and preview host per test, and a page opened on it with a
// CSP-violation recorder installed before any page script runs.
import { test as base, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { repoRoot } from '../../preview/build.ts';
import { startPreviewHost, type PreviewHost } from '../../preview/host.ts';
import { createStub, type Stub } from './stub/handlers.ts';
import { NOW } from './stub/data.ts';
import type { Screen } from '../../shared/ipc/types.ts';

/** TIDINGS_E2E_RENDERER lets two runs on one machine build into separate folders (each build empties its own). */
export const rendererDir = process.env.TIDINGS_E2E_RENDERER ?? join(repoRoot, 'out', 'e2e-renderer');

export interface OpenOptions {
  screen?: Screen;
  scheme?: 'light' | 'dark';
}

interface Fixtures {
  stubOptions: { extraItems?: number };
  stub: Stub;
  host: PreviewHost;
  open: (opts?: OpenOptions) => Promise<Page>;
}

export const test = base.extend<Fixtures>({
  stubOptions: [{}, { option: true }],
  stub: async ({ stubOptions }, use) => {
    await use(createStub(stubOptions));
  },
  host: async ({ stub }, use) => {
    const host = await startPreviewHost({ binding: stub.binding, rendererDir, log: () => {} });
    await use(host);
    await host.close();
  },
  open: async ({ page, host }, use) => {
    await use(async (opts = {}) => {
      await page.emulateMedia({ colorScheme: opts.scheme ?? 'light', reducedMotion: 'reduce' });
      await page.addInitScript({ content: recorder });
      await page.clock.setFixedTime(NOW * 1000);
      const search = opts.screen ? `?screen=${opts.screen}` : '';
      await page.goto(`${host.origin}/${search}#k=${host.secret}`);
      await expect(page.locator('nav.sidebar')).toBeVisible();
      return page;
    });
  },
});

export { expect };

// Runs in the page (as text: this file is compiled without DOM types).
const recorder = `window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`;

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate('window.__csp');
}

/** Evaluates an expression in the page. */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}
