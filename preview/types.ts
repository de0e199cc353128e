// What the preview host drives: the typed IPC contract's handlers plus a way to receive the companion's
// events. electron/core/handlers.ts provides this from the real core; tests may pass their own.
import type { EventName, EventPayloads, InvokeHandlers } from '../shared/ipc/contract.ts';

export type EmitEvent = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export interface CompanionBinding {
  handlers: InvokeHandlers;
  /** Calls `emit` for each companion event until the returned function is called. */
  subscribe(emit: EmitEvent): () => void;
}

/** What a shell passes to the core's createBinding (electron/core/handlers.ts). */
export type { CoreAdapterOptions } from '../electron/core/handlers.ts';
