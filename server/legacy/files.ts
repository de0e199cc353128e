// Every legacy file the service and the static export offer, by its path, with what it is built from and
// how (docs/legacy-feeds.md). Paths are the same on both, so an app finds them at the same URL either way.
import { createHash } from 'node:crypto';
import type { FeedStore } from '../store/types.ts';
import { ELECTRON_FILES, electronUpdateInfo } from './electron-updater.ts';
import { APPCAST_FILES, appcast } from './sparkle.ts';
import { releasesFrom, sourcesOf, type ReleaseRecord } from './releases.ts';

export interface LegacyFile {
  /** `electron-updater` or `appcast`: the folder under the feed's root. */
  dir: string;
  name: string;
  contentType: string;
  /** The feed channels it is built from. */
  sources: readonly string[];
  build(records: readonly ReleaseRecord[]): { ok: true; text: string } | { ok: false; message: string };
}

export const LEGACY_DIRS = ['electron-updater', 'appcast'] as const;

export const LEGACY_FILES: readonly LegacyFile[] = [
  ...ELECTRON_FILES.map((f): LegacyFile => ({
    dir: 'electron-updater', name: f.name, contentType: 'text/yaml; charset=utf-8', sources: sourcesOf(f.channel),
    build: (records) => electronUpdateInfo(records, f),
  })),
  ...APPCAST_FILES.map((f): LegacyFile => ({
    dir: 'appcast', name: f.name, contentType: 'application/xml; charset=utf-8', sources: sourcesOf(f.channel),
    build: (records) => appcast(records, f),
  })),
];

export function legacyFile(dir: string, name: string): LegacyFile | undefined {
  return LEGACY_FILES.find((f) => f.dir === dir && f.name === name);
}

/** The live release records of these channels (retracted ones are not in pages), read page by page. */
export async function loadReleases(store: FeedStore, channels: readonly string[]): Promise<ReleaseRecord[]> {
  const out: ReleaseRecord[] = [];
  for (const channel of channels) {
    let after = 0;
    for (;;) {
      const page = await store.page(channel, after, 100, Number.MAX_SAFE_INTEGER);
      out.push(...releasesFrom(page.items.map((i) => i.json)));
      if (!page.more || page.next <= after) break;
      after = page.next;
    }
  }
  return out;
}

/** A strong ETag from the content itself: the same on every node and in the static export. */
export function contentEtag(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}
