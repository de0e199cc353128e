// `tidings`: the companion core for any Node host (docs/library.md). createCompanion opens the store and
// follows the feeds; the typed events (offer, download, install, message, …) tell the host what changed.
export { createCompanion, ConfigError, StoreTooNewError } from '../core/index.ts';
export type * from '../core/api.ts';
export { UPDATE_CHANNELS, isUpdateChannel } from '../../shared/channels.ts';
