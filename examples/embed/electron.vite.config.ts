// electron-vite: the main process (ESM, src/main/index.ts) and a static page. No preload: the page needs
// nothing from main. Inside the Tidings repository `tidings/*` is taken from its sources ("tidings-source");
// an app that installed the package drops the `resolve` lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'electron-vite';

const root = import.meta.dirname;
// In this repository `tidings/*` are its own sources: each public entry point named by package.json's exports
// ("tidings-source"), matched exactly (a bare self-reference isn't resolved the same way by every bundler).
const repo = join(root, '../..');
const exportsMap = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> }).exports;
const fromSources = Object.entries(exportsMap).flatMap(([key, target]) => {
  const source = typeof target === 'object' ? target['tidings-source'] : undefined;
  if (!source) return [];
  const name = key === '.' ? 'tidings' : `tidings/${key.slice(2)}`;
  return [{ find: new RegExp(`^${name.replace(/[/.]/g, (c) => `\\${c}`)}$`), replacement: join(repo, source) }];
});

export default defineConfig({
  main: {
    resolve: { conditions: ['tidings-source', 'node', 'import'], alias: fromSources },
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
