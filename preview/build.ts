// Builds the renderer with Vite (production mode: no inline scripts, so the strict CSP holds) for the
// preview host and the browser tests.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build } from 'vite';
import react from '@vitejs/plugin-react';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultOutDir = join(repoRoot, 'out', 'preview-renderer');

export async function buildRenderer(outDir: string = defaultOutDir, quiet = true): Promise<string> {
  await build({
    configFile: false,
    root: join(repoRoot, 'renderer'),
    base: './',
    logLevel: quiet ? 'warn' : 'info',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false, modulePreload: { polyfill: false }, reportCompressedSize: false },
  });
  return outDir;
}
