// The renderer's only way out: the typed API on window (Electron's preload or the browser preview provides
// it; the renderer does not know which).
import type { TidingsApi, EventName, EventPayloads } from '../../shared/ipc/contract.ts';
import type { Topic } from '../../shared/ipc/types.ts';

declare global {
  interface Window {
    tidings?: TidingsApi;
  }
}

export function hasApi(): boolean {
  return typeof window.tidings === 'object' && window.tidings !== null;
}

export function api(): TidingsApi {
  if (!window.tidings) throw new Error('no companion API');
  return window.tidings;
}

export function on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
  return hasApi() ? api().on(event, listener) : () => {};
}

/** Runs `listener` whenever the companion says one of `topics` changed. */
export function onTopics(topics: Topic[], listener: () => void): () => void {
  return on('changed', ({ topics: changed }) => {
    if (changed.some((x) => topics.includes(x))) listener();
  });
}
