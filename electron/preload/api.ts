// The renderer's whole view of the app: exactly `TidingsApi`, built from the contract's channel and event
// lists (no hand-kept list to drift). This is the only file that uses ipcRenderer (reliability.md P14):
// the page never sees ipcRenderer itself, only these named functions.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import type { EventName, EventPayloads, InvokeChannel, IpcReply, TidingsApi } from '../../shared/ipc/contract.ts';
import { eventNames, invokeChannels, ipcChannel, parseEvent } from '../../shared/ipc/contract.ts';

export type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/** Rejection for a refused call: carries the field, never a stack from main. */
export class TidingsIpcError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'TidingsIpcError';
    this.field = field;
  }
}

export function buildApi(ipc: IpcRendererLike): TidingsApi {
  const api: Record<string, unknown> = {};
  for (const name of invokeChannels) {
    api[name] = async (args: unknown) => {
      const reply = (await ipc.invoke(ipcChannel(name as InvokeChannel), args)) as IpcReply;
      if (reply.ok) return reply.value;
      throw new TidingsIpcError(reply.error.field, reply.error.message);
    };
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): (() => void) => {
    if (!eventNames.includes(event)) throw new TypeError(`unknown event ${String(event)}`);
    // The IpcRendererEvent (with its sender) is dropped here: the page only ever gets the payload, and only
    // one that passes the contract's schema (main checks before sending; this is the receiving side's check).
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => {
      const checked = parseEvent(event, payload);
      if (checked.ok) listener(checked.payload);
    };
    ipc.on(ipcChannel(event), wrapped);
    return () => void ipc.removeListener(ipcChannel(event), wrapped);
  };
  return Object.freeze(api) as TidingsApi;
}
