// What the preview host drives: the typed IPC contract's handlers plus a way to receive the companion's
// events. The real core's binding (electron/core/handlers.ts) is one; tests may pass their own.
import type { CoreBinding } from '../electron/core/handlers.ts';
import type { EventName, EventPayloads } from '../shared/ipc/contract.ts';

export type EmitEvent = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export type CompanionBinding = Pick<CoreBinding, 'handlers' | 'subscribe'>;
