// A binding whose core can be replaced while the page stays connected: Restart to Update in the preview starts
// the core again as the new version (preview/install.ts). Subscribers move to the new core and are told that
// everything may have changed, so the page re-reads it as it would after a relaunch.
import type { CompanionBinding, EmitEvent } from './types.ts';
import type { InvokeHandlers } from '../shared/ipc/contract.ts';

type Handler = (args: unknown) => Promise<unknown>;

export function swappableBinding(initial: CompanionBinding) {
  let current = initial;
  const subscribers = new Map<EmitEvent, () => void>();
  const handlers = new Proxy({}, {
    get: (_t, channel) => (typeof channel === 'string' ? (args: unknown) => ((current.handlers as unknown as Record<string, Handler>)[channel]!)(args) : undefined),
  }) as InvokeHandlers;
  const binding: CompanionBinding = {
    handlers,
    subscribe(emit) {
      subscribers.set(emit, current.subscribe(emit));
      return () => {
        subscribers.get(emit)?.();
        subscribers.delete(emit);
      };
    },
  };
  return {
    binding,
    current: () => current,
    swap(next: CompanionBinding): void {
      current = next;
      for (const [emit, off] of subscribers) {
        off();
        subscribers.set(emit, next.subscribe(emit));
        emit('changed', { topics: ['inbox', 'counts', 'update', 'status', 'settings', 'publisher'] });
      }
    },
  };
}
