// npm run build:lib: the library's entry points (package.json exports) as JavaScript and .d.ts in dist/. Node
// won't strip types from files inside node_modules, so a host app needs real JS; tsc rewrites the sources'
// `.ts` import specifiers to `.js` (rewriteRelativeImportExtensions). Two programs: Node (tidings, tidings/updater,
// tidings/electron) and DOM (tidings/react), as the two tsconfigs split them. Plus the preload a host window
// showing tidings/react needs (dist/preload/index.cjs, tidings/electron's `preloadPath`): one CommonJS file that
// requires only electron, since a sandboxed preload can require nothing else.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const root = join(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const config of ['tsconfig.lib.json', 'tsconfig.lib-react.json']) {
  execFileSync(process.execPath, [tsc, '-p', join(root, config)], { stdio: 'inherit', cwd: root });
}
mkdirSync(join(root, 'dist', 'renderer'), { recursive: true });
copyFileSync(join(root, 'renderer', 'styles.css'), join(root, 'dist', 'renderer', 'styles.css'));
await build({
  configFile: false, logLevel: 'warn', root,
  build: {
    outDir: join(root, 'dist', 'preload'), emptyOutDir: true, minify: false, ssr: join(root, 'electron', 'preload', 'index.ts'),
    rollupOptions: { external: ['electron'], output: { format: 'cjs', entryFileNames: 'index.cjs', codeSplitting: false } },
  },
  ssr: { noExternal: true },
});
console.log('dist/: tidings, tidings/updater, tidings/electron, tidings/react (+ styles.css), preload/index.cjs');
