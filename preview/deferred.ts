// A binding that exists before the companion does: the window can paint (and answer what is already known,
// such as the app's name and version) while the demo feed, the store and the core start. Calls made before
// then wait for the real binding; events flow once it is there.
import { invokeChannels, type InvokeHandlers } from '../shared/ipc/contract.ts';
import type { CompanionBinding, EmitEvent } from './types.ts';

export function deferBinding(ready: Promise<CompanionBinding>, known: Partial<InvokeHandlers> = {}): CompanionBinding {
  const handlers = {} as Record<string, (args: unknown) => Promise<unknown>>;
  for (const channel of invokeChannels) {
    handlers[channel] = async (args: unknown) => {
      const early = known[channel] as ((a: unknown) => Promise<unknown>) | undefined;
      if (early) return early(args);
      const b = await ready;
      return (b.handlers[channel] as (a: unknown) => Promise<unknown>)(args);
    };
  }
  return {
    handlers: handlers as unknown as InvokeHandlers,
    subscribe(emit: EmitEvent) {
      let off: (() => void) | null = null;
      let closed = false;
      void ready.then((b) => {
        if (closed) return;
        off = b.subscribe(emit);
        // Whatever the page asked while waiting may have changed since: let it re-query.
        emit('changed', { topics: ['inbox', 'counts', 'update', 'status', 'settings', 'publisher'] });
      }, () => {});
      return () => {
        closed = true;
        off?.();
      };
    },
  };
}
