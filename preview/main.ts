// `npm run preview`: the companion without Electron. Builds the renderer, starts the embedded demo feed,
// runs the real companion core (through electron/core/handlers.ts) and serves the UI to a browser over
// the loopback bridge, then prints the URL to open.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRenderer, defaultOutDir } from './build.ts';
import { startDemoFeed } from './demo-feed.ts';
import { startPreviewHost } from './host.ts';
import { createBinding } from './core-binding.ts';

const platform = `${process.platform}-${process.arch}`;

async function main(): Promise<void> {
  const port = process.env.TIDINGS_PREVIEW_PORT ? Number(process.env.TIDINGS_PREVIEW_PORT) : 0;
  const dir = mkdtempSync(join(tmpdir(), 'tidings-preview-'));
  // --no-build: serve the renderer built last time (benchmarks; a development loop that built it already).
  const prebuilt = process.argv.includes('--no-build') && existsSync(join(defaultOutDir, 'index.html'));
  if (!prebuilt) console.log('Building the interface…');
  const rendererDir = prebuilt ? defaultOutDir : await buildRenderer();
  const feed = await startDemoFeed({ dir, platform });
  const binding = await createBinding({
    dataDir: join(dir, 'companion'), product: 'Tidings', installedVersion: '2.0.3', platform,
    trustedKeys: [feed.publicKey], allowLoopbackHttp: true,
    sources: [{ id: 'demo', name: 'Demo feed', kind: 'tidings', url: feed.url, token: feed.readToken, channels: ['stable', 'experimental'], publisher: true }],
    publisher: {
      feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable', 'experimental', 'news'],
      key: { pkcs8: feed.pkcs8, publicKey: feed.publicKey, keyId: feed.keyId, fileName: 'demo-publisher.key' },
    },
  });
  const host = await startPreviewHost({ binding, rendererDir, port });
  console.log(`Demo feed: ${feed.url} (key ${feed.keyId})`);
  console.log(`Tidings preview: open ${host.url}`);
  console.log('The link carries a one-time secret; only this computer can connect. Ctrl+C stops it.');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await binding.close();
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`The preview could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
