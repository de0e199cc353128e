// electron-vite: the main process (ESM, src/main/index.ts) and a static page. No preload: the page needs
// nothing from main. Inside the Tidings repository `tidings/*` is taken from its sources ("tidings-source");
// an app that installed the package drops the `resolve` lines.
import { join } from 'node:path';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    resolve: { conditions: ['tidings-source', 'node', 'import'] },
    build: {
      outDir: join(root, 'out/main'),
      rollupOptions: { input: { index: join(root, 'src/main/index.ts') }, output: { format: 'es', entryFileNames: '[name].js' } },
    },
  },
  renderer: {
    root: join(root, 'src/renderer'),
    base: './',
    build: { outDir: join(root, 'out/renderer'), rollupOptions: { input: { index: join(root, 'src/renderer/index.html') } } },
  },
});
