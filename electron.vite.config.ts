// electron-vite: three bundles (docs: toolchain.md). Main is ESM in out/main; the preload is CommonJS
// (out/preload/index.cjs) because a sandboxed preload cannot be an ES module, and it bundles its
// dependencies (zod, the contract) because a sandboxed preload cannot require them either. Paths come from
// import.meta.dirname: declaring __dirname here or in main collides with electron-vite's ESM shim.
import { join } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

/**
 * `electron-vite dev` only: the dev server needs an inline React Refresh preamble, injected <style> tags and
 * its HMR WebSocket, which the page's strict CSP meta tag forbids. Loosen exactly those three in the served
 * page; `build` output keeps the CSP as written (and main adds the strict header to app:// responses).
 */
const devCsp = (): Plugin => ({
  name: 'tidings-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")/, (_m, a: string, csp: string, z: string) => a + csp
    .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    .replace("connect-src 'none'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*") + z),
});

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
    plugins: [react(), devCsp()],
    build: {
      outDir: join(root, 'out/renderer'),
      modulePreload: { polyfill: false },
      rollupOptions: { input: { index: join(root, 'renderer/index.html') } },
    },
  },
});
