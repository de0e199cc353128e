// Builds the renderer with Vite (production mode: no inline scripts, so the strict CSP holds) for the
// preview host and the browser tests.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

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
  return outDir;
}
