// What the preview host drives: the typed IPC contract's handlers plus a way to receive the companion's
// events. electron/core/handlers.ts provides this from the real core; tests may pass their own.
import type { EventName, EventPayloads, InvokeHandlers } from '../shared/ipc/contract.ts';

export type EmitEvent = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export interface CompanionBinding {
  handlers: InvokeHandlers;
  /** Calls `emit` for each companion event until the returned function is called. */
  subscribe(emit: EmitEvent): () => void;
}

/** What electron/core/handlers.ts exports for the preview (and any other non-Electron host). */
export interface CoreAdapterOptions {
  /** Where the companion keeps its store and downloads. */
  dataDir: string;
  product: string;
  installedVersion: string;
  platform: string;
  /** Trusted publisher keys (base64 raw Ed25519). */
  trustedKeys: string[];
  sources: { id: string; name: string; kind: 'tidings' | 'cryptolens'; url: string; token: string | null; channels: string[]; publisher: boolean }[];
  /** Loopback http asset URLs are acceptable (the embedded demo feed). */
  allowLoopbackHttp: boolean;
}

export type CreateBinding = (opts: CoreAdapterOptions) => Promise<CompanionBinding & { close(): Promise<void> }>;
