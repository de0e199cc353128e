// `tidings export --db <db> --out <dir>`: the feed as static files for any static host or CDN.
import { openStore } from '../store/index.ts';
import { exportFeed } from '../export.ts';
import { UsageError } from './errors.ts';
import type { Out } from './output.ts';

export async function exportCommand(out: Out, v: { db?: string; out?: string; 'keep-old'?: string }): Promise<void> {
  if (!v.db) throw new UsageError('export needs --db <feed database file or postgres:// URL>');
  if (!v.out) throw new UsageError('export needs --out <directory>');
  let keep = 86_400;
  if (v['keep-old'] !== undefined) {
    if (!/^\d+$/.test(v['keep-old'])) throw new UsageError('--keep-old must be a number of seconds');
    keep = Number(v['keep-old']);
  }
  const store = await openStore(v.db);
  try {
    const r = await exportFeed(store, v.out, { now: Math.floor(Date.now() / 1000), keepOldSeconds: keep });
    const pages = r.index.channels.reduce((n, c) => n + c.pages.length, 0);
    out.result({ out: v.out, channels: r.index.channels.length, pages, written: r.written, unchanged: r.unchanged, removed: r.removed, heads: r.index.heads, legacy: r.legacy }, [
      `Exported ${r.index.channels.length} channels (${pages} pages) to ${v.out}/v1: ${r.written} files written, ${r.unchanged} unchanged, ${r.removed} stale removed.`,
      `Files for electron-updater and Sparkle: ${r.legacy.files.length ? r.legacy.files.join(', ') : 'none (no release carries what they need)'}.`,
      'Serve v1/index.json, electron-updater/ and appcast/ with a short max-age and v1/pages/ as immutable (docs/operations.md, docs/legacy-feeds.md).',
    ]);
  } finally {
    await store.close();
  }
}
