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
  const [{ startDemoFeed }, { createPreviewBinding }, { desktopFilePicker }] = await Promise.all([import('./demo-feed.ts'), import('./core-binding.ts'), import('./publisher.ts')]);
  const feed = await startDemoFeed({ dir, platform });
  const binding = await createPreviewBinding({
    dataDir: join(dir, 'companion'), product, installedVersion, platform, trustedKeys: [feed.publicKey], allowLoopbackHttp: true,
    sources: [{ id: 'demo', name: 'Demo feed', kind: 'feed-v1', url: feed.url, token: feed.readToken, live: true, publisher: true }],
    publisher: {
      feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable', 'experimental', 'news'],
      key: { pkcs8: feed.pkcs8, publicKey: feed.publicKey, keyId: feed.keyId, fileName: 'demo-publisher.key' },
      // The page can't open a native dialog for the core: zenity or kdialog on this desktop, else it says so.
      pickAssetFile: desktopFilePicker(),
    },
  });
  return { feed, binding, info: await binding.handlers.getAppInfo({}) };
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
