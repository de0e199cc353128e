// The legacy files in the static export, at the paths the service serves them: <out>/electron-updater/*.yml
// and <out>/appcast/*.xml. A file that can no longer be built (say its only release was retracted) is
// removed, so a static host never keeps offering what the live feed stopped offering.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeedStore } from '../store/types.ts';
import { LEGACY_FILES, loadReleases } from './files.ts';
import type { ReleaseRecord } from './releases.ts';

export interface LegacyExport {
  /** Paths under the export root, e.g. `electron-updater/latest-linux.yml`. */
  files: string[];
  written: number;
  unchanged: number;
  removed: number;
}

export async function exportLegacy(store: FeedStore, out: string): Promise<LegacyExport> {
  const result: LegacyExport = { files: [], written: 0, unchanged: 0, removed: 0 };
  const loaded = new Map<string, ReleaseRecord[]>();
  for (const file of LEGACY_FILES) {
    const key = file.sources.join(',');
    let records = loaded.get(key);
    if (!records) {
      records = await loadReleases(store, file.sources);
      loaded.set(key, records);
    }
    const built = file.build(records);
    const dir = join(out, file.dir);
    const path = join(dir, file.name);
    if (!built.ok) {
      if (existsSync(path)) {
        rmSync(path);
        result.removed++;
      }
      continue;
    }
    result.files.push(`${file.dir}/${file.name}`);
    // Rewritten only when the content changes, atomically, so a host's ETag stays put for an unchanged file.
    if (existsSync(path) && readFileSync(path, 'utf8') === built.text) {
      result.unchanged++;
      continue;
    }
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, built.text);
    renameSync(tmp, path);
    result.written++;
  }
  return result;
}
