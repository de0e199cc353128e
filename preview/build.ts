// Builds the renderer with Vite (production mode: no inline scripts, so the strict CSP holds) for the
// preview host and the browser tests, and the host's bridge as one bundled file (see bridge-entry.ts).
import { fileURLToPath } from 'node:url';
import { dirname, isAbsolute, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { ContractNames } from './client.ts';
import type * as Vite from 'vite';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultOutDir = join(repoRoot, 'out', 'preview-renderer');

/** `withBench` also builds renderer/bench/ (performance.md rows 6 and 9; never part of the product). */
export async function buildRenderer(outDir: string = defaultOutDir, quiet = true, withBench = false): Promise<string> {
  const root = join(repoRoot, 'renderer');
  const input: Record<string, string> = { index: join(root, 'index.html') };
  if (withBench) {
    input.bench = join(root, 'bench', 'inbox.html');
    input.empty = join(root, 'bench', 'empty.html');
  }
  // Imported here so that serving a prebuilt renderer doesn't pay for loading Vite.
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: quiet ? 'warn' : 'info',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false, modulePreload: { polyfill: false }, reportCompressedSize: false, rollupOptions: { input } },
  });
  await buildHostBundle(build);
  return outDir;
}

export const hostBundleDir = join(repoRoot, 'out', 'preview-host');
export const hostBundle = join(hostBundleDir, 'bridge.mjs');
export const hostManifest = join(hostBundleDir, 'bridge.json');
/** The page client's event checker (client.ts EVENTS_PATH): parseEvent as one browser ES module. */
export const eventsBundle = join(hostBundleDir, 'events.js');

/** What the host needs to trust the bundle: the sources it holds (fresh while none is newer) and the names. */
export interface HostManifest {
  builtMs: number;
  modules: string[];
  names: ContractNames;
}

/**
 * Bundles preview/bridge-entry.ts (ws, zod and the contract included) into one ES module for the host, and
 * preview/events-entry.ts (parseEvent, zod and the schemas) into one browser module for the page client.
 */
async function buildHostBundle(build: typeof Vite.build): Promise<void> {
  const builtMs = Date.now();
  const result = await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: join(repoRoot, 'preview', 'bridge-entry.ts'), outDir: hostBundleDir, emptyOutDir: true, sourcemap: false, minify: false,
      reportCompressedSize: false, rollupOptions: { output: { format: 'es', entryFileNames: 'bridge.mjs' } },
    },
  });
  const events = await build({
    configFile: false,
    root: repoRoot,
    logLevel: 'warn',
    build: {
      outDir: hostBundleDir, emptyOutDir: false, sourcemap: false, reportCompressedSize: false, target: 'es2022', minify: true,
      lib: { entry: join(repoRoot, 'preview', 'events-entry.ts'), formats: ['es'], fileName: () => 'events.js' },
    },
  });
  const outputs = [result, events].flatMap((r) => (Array.isArray(r) ? r : [r])).flatMap((r) => ('output' in r ? r.output : []));
  const modules = [...new Set(outputs.flatMap((o) => ('moduleIds' in o ? [...o.moduleIds, ...Object.keys(o.modules)] : [])))].filter((id) => isAbsolute(id));
  const { invokeChannels, eventNames } = await import('./bridge-entry.ts');
  const manifest: HostManifest = { builtMs, modules, names: { channels: invokeChannels, events: eventNames } };
  writeFileSync(hostManifest, JSON.stringify(manifest));
}
