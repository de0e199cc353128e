// Bundles a bench child (TypeScript, many modules) into one ES module under out/bench/, as an app ships its
// code: run from source, Node's type stripping and module loading would be measured too (row 10 measures
// memory, and the stripper's memory grows with the source it has read). better-sqlite3 stays external (native).
import { join } from 'node:path';
import { benchDir } from './proc.ts';

/** Builds bench/<script> into out/bench/<name>.mjs and returns its path relative to bench/ (for startNode). */
export async function bundleChild(script: string, name: string): Promise<string> {
  const { build } = await import('vite');
  const outDir = join(benchDir, '..', 'out', 'bench', name);
  await build({
    configFile: false,
    root: join(benchDir, '..'),
    logLevel: 'warn',
    ssr: { noExternal: true, target: 'node' },
    build: {
      ssr: join(benchDir, script), outDir, emptyOutDir: true, sourcemap: false, minify: false, reportCompressedSize: false,
      rollupOptions: { external: ['better-sqlite3'], output: { format: 'es', entryFileNames: `${name}.mjs` } },
    },
  });
  return `../out/bench/${name}/${name}.mjs`;
}
