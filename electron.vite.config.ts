// electron-vite: three bundles (docs: toolchain.md). Main is ESM in out/main; the preload is CommonJS
// (out/preload/index.cjs) because a sandboxed preload cannot be an ES module, and it bundles its
// dependencies (zod, the contract) because a sandboxed preload cannot require them either. Paths come from
// import.meta.dirname: declaring __dirname here or in main collides with electron-vite's ESM shim.
import { join } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: join(root, 'out/main'),
      rollupOptions: { input: { index: join(root, 'electron/main/index.ts') }, output: { format: 'es', entryFileNames: '[name].js' } },
    },
  },
  preload: {
    build: {
      outDir: join(root, 'out/preload'),
      externalizeDeps: false,
      rollupOptions: {
        input: { index: join(root, 'electron/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: join(root, 'renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: join(root, 'out/renderer'),
      modulePreload: { polyfill: false },
      rollupOptions: { input: { index: join(root, 'renderer/index.html') } },
    },
  },
});
