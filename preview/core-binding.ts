// The preview's CompanionBinding: the real companion core behind the IPC contract (createBinding in
// electron/core/handlers.ts, the same adapter Electron's main uses), with the preview's own answers where a
// desktop shell would use its powers: publishing with the demo key, and links (printed for the person at
// the terminal, never opened by the page).
import { createBinding as createCoreBinding } from '../electron/core/handlers.ts';
import type { InvokeHandlers } from '../shared/ipc/contract.ts';
import { publisherHandlers, type PublisherOptions } from './publisher.ts';
import type { CompanionBinding, CoreAdapterOptions } from './types.ts';

export interface BindingOptions extends CoreAdapterOptions {
  publisher?: Omit<PublisherOptions, 'changed'>;
  log?: (line: string) => void;
}

export async function createBinding(opts: BindingOptions): Promise<CompanionBinding & { close(): Promise<void>; checkAll(): Promise<void> }> {
  const { publisher, log = (line: string) => console.log(line), ...core } = opts;
  const bound = await createCoreBinding(core);
  const handlers: InvokeHandlers = { ...bound.handlers };
  const info = await bound.handlers.getAppInfo({});
  handlers.getAppInfo = async () => ({ ...info, installId: 'preview', publisher: !!publisher });
  handlers.openLink = async ({ url }) => {
    log(`Link from the page (open it yourself if you trust it): ${url}`);
    return { ok: false, error: { field: 'url', message: 'The preview doesn’t open links; the address was printed where the preview runs.' } };
  };
  const listeners = new Set<() => void>();
  if (publisher) Object.assign(handlers, publisherHandlers({ ...publisher, changed: () => listeners.forEach((l) => l()) }));
  return {
    handlers,
    subscribe: (emit) => {
      const l = () => emit('changed', { topics: ['publisher'] });
      listeners.add(l);
      const off = bound.subscribe(emit);
      return () => { listeners.delete(l); off(); };
    },
    checkAll: () => bound.checkAll(),
    close: () => bound.close(),
  };
}
