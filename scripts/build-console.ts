// Builds the publisher console (console/) with Vite into out/console, which the feed service serves at
// /console (server/console/static.ts). Production mode: no inline script, so the console's CSP holds.
// `npm test` runs it before the suites; `node scripts/build-console.ts [outDir]` builds by hand.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const repoRoot = join(import.meta.dirname, '..');
export const consoleOut = join(repoRoot, 'out', 'console');

export async function buildConsole(outDir: string = consoleOut): Promise<string> {
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    configFile: false,
    root: join(repoRoot, 'console'),
    base: '/console/',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false, modulePreload: { polyfill: false }, reportCompressedSize: false, target: 'es2022', assetsInlineLimit: 0 },
  });
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildConsole(process.argv[2] ?? consoleOut);
  console.log(`console built into ${out}`);
}
