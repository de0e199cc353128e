// A binding that exists before the companion does: the window can paint (and answer what is already known,
// such as the app's name and version) while the demo feed, the store and the core start. Calls made before
// then wait for the real binding; events flow once it is there.
// Built without the contract's channel list (so that it loads without zod): the bridge only asks for channels
// it has already checked against the contract.
import type { InvokeHandlers } from '../shared/ipc/contract.ts';
import type { CompanionBinding, EmitEvent } from './types.ts';

type Handler = (args: unknown) => Promise<unknown>;

export function deferBinding(ready: Promise<CompanionBinding>, known: Partial<InvokeHandlers> = {}): CompanionBinding {
  const made = new Map<string, Handler>();
  const handler = (channel: string): Handler => {
    let h = made.get(channel);
    if (!h) {
      h = async (args: unknown) => {
        const early = (known as Record<string, Handler | undefined>)[channel];
        if (early && Object.hasOwn(known, channel)) return early(args);
        const b = await ready;
        return ((b.handlers as unknown as Record<string, Handler>)[channel]!)(args);
      };
      made.set(channel, h);
    }
    return h;
  };
  const handlers = new Proxy({}, { get: (_target, channel) => (typeof channel === 'string' ? handler(channel) : undefined) });
  return {
    handlers: handlers as InvokeHandlers,
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
