// Browser tests against Debian's Chromium (never a downloaded browser): see docs in toolchain.md.
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '*.spec.ts',
  globalSetup: './test/e2e/global-setup.ts',
  outputDir: 'out/e2e-results',
  // Screenshots of every screen are files to look at (and one is in the README), not a pixel gate:
  // they are rewritten when a screen visibly changes.
  snapshotPathTemplate: 'test/e2e/screenshots/{arg}{ext}',
  updateSnapshots: 'changed',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 880, height: 600 },
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'off',
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
