// The settings file of an embedded Tidings (tidings/electron without a settingsStore): a small JSON file in its
// data folder with the shell's defaults, written whole to a temporary file and renamed, so a crash mid-write
// leaves the previous file. The standalone app passes electron-store instead.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultSettings, type KeyValueStore, type StoredSettings } from '../main/settings.ts';

export function settingsFile(path: string, log: (msg: string) => void = () => {}): KeyValueStore<StoredSettings> {
  let data: StoredSettings = { ...defaultSettings };
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) data = { ...defaultSettings, ...(raw as Partial<StoredSettings>) };
  } catch (e) {
    // No file yet is the normal first start; an unreadable one starts from the defaults (the core keeps the rest).
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log(`settings file unreadable, starting from defaults: ${String(e)}`);
  }
  return {
    get: (key) => data[key],
    set(key, value) {
      data = { ...data, [key]: value };
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(data, null, 2));
      renameSync(`${path}.tmp`, path);
    },
  };
}
