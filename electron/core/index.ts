// electron/core: the companion engine in plain Node (never imports 'electron'). Shells (Electron main, the
// browser preview) create one companion and drive it through this facade:
//
//   const companion = await createCompanion({ dataDir, publisherKeys, installedVersion, platform, channel, sources });
//   companion.on('offer', ({ status, notify }) => …);   // typed events, no UI polling
//   companion.start();
//
// Queries always read the store; commands change it and emit events. Nothing a feed does throws out of here.
import type { Companion, CompanionOptions } from './api.ts';
import { createCompanionEngine } from './companion.ts';

export type * from './api.ts';
export { ConfigError } from './companion.ts';
export { StoreTooNewError } from './store/open.ts';

/**
 * Opens (or creates) the store in `options.dataDir` and prepares one scheduler per source. Throws
 * ConfigError for an invalid configuration (e.g. an http:// feed outside development) and StoreTooNewError
 * when the data file belongs to a newer Tidings; a corrupt file is moved aside instead (see `notice`).
 */
export function createCompanion(options: CompanionOptions): Promise<Companion> {
  return createCompanionEngine(options);
}
