// Static export: the feed as plain files that any static host or CDN can serve.
//
//   <out>/v1/index.json                               the routine check: epoch, heads, and each channel's pages
//   <out>/v1/pages/<channel>/<after>-<next>.<hash>.json  immutable pages of up to 100 messages (feed v1 page shape)
//   <out>/electron-updater/*.yml, <out>/appcast/*.xml     files for updaters already in the field (server/legacy/export.ts)
//
// Page names carry a content hash, so a page never changes under its name (a retraction or a new message
// produces a new name) and can be cached forever; only index.json changes between exports. Files are
// written atomically and rewritten only when their content changes, so a host's ETag stays stable for an
// unchanged file. Pages no longer referenced are kept for `keepOldSeconds` for clients holding an old index.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL_PATTERN, MAX_PAGE_LIMIT } from '../shared/protocol/limits.ts';
import type { FeedStore } from './store/types.ts';
import { exportLegacy, type LegacyExport } from './legacy/export.ts';

export interface StaticPageRef {
  after: number;
  next: number;
  count: number;
  file: string;
}

/** No timestamp inside: an export of an unchanged feed is byte-identical, so hosts keep their ETag. */
export interface StaticIndex {
  version: 1;
  epoch: string;
  heads: Record<string, number>;
  channels: { name: string; kind: 'update' | 'news'; title: string; head: number; pages: StaticPageRef[] }[];
}

export interface ExportResult {
  index: StaticIndex;
  written: number;
  unchanged: number;
  removed: number;
  /** electron-updater files and Sparkle appcasts (counted apart from the feed's own files). */
  legacy: LegacyExport;
}

function writeIfChanged(file: string, text: string): boolean {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return true;
}

export async function exportFeed(store: FeedStore, out: string, opts: { now: number; keepOldSeconds?: number; pageSize?: number }): Promise<ExportResult> {
  const pageSize = Math.min(opts.pageSize ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT);
  const keepOld = opts.keepOldSeconds ?? 86_400;
  const root = join(out, 'v1');
  mkdirSync(join(root, 'pages'), { recursive: true });
  const index: StaticIndex = { version: 1, epoch: store.epoch, heads: {}, channels: [] };
  const referenced = new Set<string>();
  let written = 0;
  let unchanged = 0;
  for (const ch of await store.channels()) {
    // Channel names match a strict pattern (no dots first, no slashes), so they are safe as folder names.
    if (!CHANNEL_PATTERN.test(ch.name)) continue;
    const dir = join(root, 'pages', ch.name);
    mkdirSync(dir, { recursive: true });
    const pages: StaticPageRef[] = [];
    let after = 0;
    for (;;) {
      const page = await store.page(ch.name, after, pageSize, Number.MAX_SAFE_INTEGER);
      if (page.items.length === 0 && after >= page.head) break;
      // A page's head is its own `next`: pages stay self-contained, so a publish never renames old pages.
      const body = `{"channel":${JSON.stringify(ch.name)},"messages":[${page.items.map((i) => i.json).join(',')}],"next":${page.next},"head":${page.next},"more":false}`;
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const name = `${after}-${page.next}.${hash}.json`;
      const rel = `pages/${ch.name}/${name}`;
      referenced.add(join(root, rel));
      if (writeIfChanged(join(dir, name), body)) written++;
      else unchanged++;
      pages.push({ after, next: page.next, count: page.items.length, file: rel });
      if (!page.more) break;
      after = page.next;
    }
    index.heads[ch.name] = ch.head;
    index.channels.push({ name: ch.name, kind: ch.kind, title: ch.title, head: ch.head, pages });
  }
  let removed = 0;
  for (const chDir of readdirSync(join(root, 'pages'))) {
    for (const f of readdirSync(join(root, 'pages', chDir))) {
      const file = join(root, 'pages', chDir, f);
      if (referenced.has(file)) continue;
      if (opts.now - statSync(file).mtimeMs / 1000 > keepOld || f.includes('.tmp-')) {
        rmSync(file);
        removed++;
      }
    }
  }
  if (writeIfChanged(join(root, 'index.json'), JSON.stringify(index))) written++;
  const legacy = await exportLegacy(store, out);
  return { index, written, unchanged, removed, legacy };
}
