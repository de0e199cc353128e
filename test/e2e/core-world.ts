// A real world for the end-to-end specs: the feed service (embedded demo feed, seeded and signed), the real
// companion core behind the IPC contract (electron/core/handlers.ts via the preview's binding) and the
// preview host — restartable on the same data and port, as a person restarting the app would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startDemoFeed, type DemoFeed } from '../../preview/demo-feed.ts';
import { createPreviewBinding } from '../../preview/core-binding.ts';
import { startPreviewHost, type PreviewHost } from '../../preview/host.ts';
import type { SourceConfig } from '../../electron/core/api.ts';
import { rendererDir } from './fixtures.ts';
import { previewInstall } from '../../preview/install.ts';
import { swappableBinding } from '../../preview/swap.ts';

export const platform = `${process.platform}-${process.arch}`;

export interface CoreRun {
  host: PreviewHost;
  binding: Awaited<ReturnType<typeof createPreviewBinding>>;
  /** Restart to Update (with `install: true`) starts the core again as the new version; this is the version running. */
  installed: string;
}

export interface World {
  feed: DemoFeed;
  dir: string;
  run: CoreRun | null;
  /** Starts (or restarts, same data dir and port) the core and the preview host; `pickAssetFile` answers the Publish page's Choose File…. */
  start(o?: { installed?: string; sources?: SourceConfig[]; pickAssetFile?: () => Promise<string | null>; install?: boolean }): Promise<CoreRun>;
  stop(): Promise<void>;
  /** Opens the page on the current run (the secret stays the same across restarts). */
  open(page: Page, screen?: string): Promise<void>;
  /** Runs one check of every source and waits for it (what the scheduler or Check Now would do). */
  check(): Promise<void>;
}

export const test = base.extend<{ world: World }>({
  // eslint-disable-next-line no-empty-pattern
  world: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-e2e-'));
    const feed = await startDemoFeed({ dir, platform });
    let port = 0;
    let secret: string | undefined;
    let last: Parameters<World['start']>[0] = {};
    const world: World = {
      feed, dir, run: null,
      async start(o = last) {
        last = o;
        await world.stop();
        const sources = o?.sources ?? [{ id: 'demo', name: 'Demo feed', kind: 'feed-v1' as const, url: feed.url, token: feed.readToken, live: true, publisher: true }];
        const dataDir = join(dir, 'companion');
        const core = (installedVersion: string): ReturnType<typeof createPreviewBinding> => createPreviewBinding({
          dataDir, product: 'Tidings', installedVersion, platform, trustedKeys: [feed.publicKey],
          allowLoopbackHttp: true, sources, log: () => {},
          publisher: { feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable', 'experimental', 'news'], key: { pkcs8: feed.pkcs8, publicKey: feed.publicKey, keyId: feed.keyId, fileName: 'demo-publisher.key' }, ...(o?.pickAssetFile ? { pickAssetFile: o.pickAssetFile } : {}) },
          // The preview's Restart to Update: a real apply, then the core starts again as that version (preview/install.ts).
          ...(o?.install ? { install: previewInstall(dataDir, installedVersion, restartAs) } : {}),
        });
        async function restartAs(version: string): Promise<void> {
          const run = world.run;
          if (!run) return;
          await run.binding.close();
          run.binding = await core(version);
          run.installed = version;
          swap.swap(run.binding);
        }
        const binding = await core(o?.installed ?? '2.0.3');
        const swap = swappableBinding(binding);
        const host = await startPreviewHost({ binding: swap.binding, rendererDir, port, ...(secret ? { secret } : {}), log: () => {} });
        port = Number(new URL(host.origin).port);
        secret = host.secret;
        world.run = { host, binding, installed: o?.installed ?? '2.0.3' };
        return world.run;
      },
      async stop() {
        if (!world.run) return;
        await world.run.host.close();
        await world.run.binding.close();
        world.run = null;
      },
      async open(page, screen) {
        if (!world.run) throw new Error('start the core first');
        await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
        await page.goto(`${world.run.host.origin}/${screen ? `?screen=${screen}` : ''}#k=${world.run.host.secret}`);
        await expect(page.locator('nav.sidebar')).toBeVisible();
      },
      async check() {
        await world.run?.binding.checkAll();
      },
    };
    await use(world);
    await world.stop();
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
  },
});

export { expect };
