// `npm run preview`: the companion without Electron. Serves the UI at once (the window paints first), then
// starts the embedded demo feed and the real companion core (through electron/core/handlers.ts) behind the
// loopback bridge, and prints the URL to open.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOutDir } from './build.ts';
import { startPreviewHost } from './host.ts';
import { deferBinding } from './deferred.ts';
import type { CompanionBinding } from './types.ts';
import type { AppInfo } from '../shared/ipc/types.ts';

const platform = `${process.platform}-${process.arch}`;
const product = 'Tidings';
const installedVersion = '2.0.3';

async function startCompanion(dir: string) {
  const [{ startDemoFeed }, { createPreviewBinding }, { desktopFilePicker }, { previewInstall }, { swappableBinding }] = await Promise.all([
    import('./demo-feed.ts'), import('./core-binding.ts'), import('./publisher.ts'), import('./install.ts'), import('./swap.ts'),
  ]);
  const feed = await startDemoFeed({ dir, platform });
  const dataDir = join(dir, 'companion');
  // Restart to Update installs for real over a stand-in app file, then the core starts again as that version.
  let current: Awaited<ReturnType<typeof createPreviewBinding>>;
  const restartAs = async (version: string) => {
    await current.close();
    current = await core(version);
    swap.swap(current);
    console.log(`Restarted as ${version}.`);
  };
  const core = (version: string) => createPreviewBinding({
    dataDir, product, installedVersion: version, platform, trustedKeys: [feed.publicKey], allowLoopbackHttp: true,
    install: previewInstall(dataDir, version, restartAs),
    sources: [{ id: 'demo', name: 'Demo feed', kind: 'feed-v1', url: feed.url, token: feed.readToken, live: true, publisher: true }],
    publisher: {
      feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable', 'experimental', 'news'],
      key: { pkcs8: feed.pkcs8, publicKey: feed.publicKey, keyId: feed.keyId, fileName: 'demo-publisher.key' },
      // The page can't open a native dialog for the core: zenity or kdialog on this desktop, else it says so.
      pickAssetFile: desktopFilePicker(),
    },
  });
  current = await core(installedVersion);
  const swap = swappableBinding(current);
  const binding = { ...swap.binding, close: () => current.close() };
  return { feed, binding, info: await current.handlers.getAppInfo({}) };
}

async function main(): Promise<void> {
  const port = process.env.TIDINGS_PREVIEW_PORT ? Number(process.env.TIDINGS_PREVIEW_PORT) : 0;
  const dir = mkdtempSync(join(tmpdir(), 'tidings-preview-'));
  // --no-build: serve the renderer built last time (benchmarks; a development loop that built it already).
  const prebuilt = process.argv.includes('--no-build') && existsSync(join(defaultOutDir, 'index.html'));
  if (!prebuilt) console.log('Building the interface…');
  const rendererDir = prebuilt ? defaultOutDir : await (await import('./build.ts')).buildRenderer();

  // The window paints first: the host answers what is already known while the feed, store and core start.
  let info: AppInfo = { product, version: installedVersion, installId: 'preview', platform, keys: [], publisher: true };
  // The rest starts once the page says it has painted (performance.md row 9: DB open, migrations and the
  // first check come after the first paint), or after a moment when nobody has opened the page yet.
  let resolveCore: (b: CompanionBinding) => void = () => {};
  const coreReady = new Promise<CompanionBinding>((resolve) => { resolveCore = resolve; });
  let begin: () => void = () => {};
  const painted = new Promise<void>((resolve) => { begin = resolve; });
  const host = await startPreviewHost({ binding: deferBinding(coreReady, { getAppInfo: async () => info }), rendererDir, port, onPainted: () => begin() });
  const fallback = setTimeout(() => begin(), 1500);
  const starting = painted.then(() => {
    clearTimeout(fallback);
    return startCompanion(dir);
  });
  void starting.then((s) => { info = s.info; resolveCore(s.binding); }, () => {});

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    const s = await starting.catch(() => null);
    await s?.binding.close();
    await s?.feed.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  console.log(`Tidings preview: open ${host.url}`);
  console.log('The link carries a one-time secret; only this computer can connect. Ctrl+C stops it.');
  const started = await starting.catch((err: unknown) => {
    console.error(`The companion could not start: ${err instanceof Error ? err.message : String(err)}`);
    return process.exit(1);
  });
  console.log(`Demo feed: ${started.feed.url} (key ${started.feed.keyId})`);
}

main().catch((err: unknown) => {
  console.error(`The preview could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
