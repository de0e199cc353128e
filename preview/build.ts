// Builds the renderer with Vite (production mode: no inline scripts, so the strict CSP holds) for the
// preview host and the browser tests.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build } from 'vite';
import react from '@vitejs/plugin-react';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultOutDir = join(repoRoot, 'out', 'preview-renderer');

/** `withBench` also builds renderer/bench/inbox.html (performance.md row 6; never part of the product). */
export async function buildRenderer(outDir: string = defaultOutDir, quiet = true, withBench = false): Promise<string> {
  const root = join(repoRoot, 'renderer');
  const input: Record<string, string> = { index: join(root, 'index.html') };
  if (withBench) input.bench = join(root, 'bench', 'inbox.html');
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
