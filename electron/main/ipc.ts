// The only file that touches ipcMain (reliability.md P14, cases 32 and 34). Every invoke channel of the
// contract is registered from `invokeChannels` (no hand-kept list), every call is checked to come from our
// window's main frame at our origin, its argument is validated with the contract's zod schema, and every
// answer is an IpcReply: a handler that throws is logged here and the renderer gets plain words, no stack.
import type { ElectronApi, FrameLike } from './electron-api.ts';
import type { InvokeChannel, InvokeHandlers, IpcReply } from '../../shared/ipc/contract.ts';
import { invokeChannels, ipcChannel, parseArgs } from '../../shared/ipc/contract.ts';

export type SenderCheck = (frame: FrameLike | null) => boolean;

export const FOREIGN_SENDER = { field: '', message: 'This request did not come from the Tidings window.' } as const;
export const INTERNAL_ERROR = { field: '', message: 'Something went wrong in Tidings. Details are in the log.' } as const;

export async function dispatch(
  handlers: InvokeHandlers, name: InvokeChannel, frame: FrameLike | null, raw: unknown, isOurs: SenderCheck, log: (msg: string) => void,
): Promise<IpcReply> {
  if (!isOurs(frame)) {
    log(`ipc ${name}: refused a call from ${frame ? frame.url.slice(0, 200) : 'a destroyed frame'}`);
    return { ok: false, error: FOREIGN_SENDER };
  }
  const parsed = parseArgs(name, raw);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  try {
    const handler = handlers[name] as (args: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.args) };
  } catch (e) {
    log(`ipc ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { ok: false, error: INTERNAL_ERROR };
  }
}

export function registerIpc(ipcMain: ElectronApi['ipcMain'], handlers: InvokeHandlers, isOurs: SenderCheck, log: (msg: string) => void) {
  for (const name of invokeChannels) {
    // Exactly one argument is part of the contract; extra arguments are ignored, never forwarded.
    ipcMain.handle(ipcChannel(name), (event, raw) => dispatch(handlers, name, event.senderFrame, raw, isOurs, log));
  }
  return {
    dispose(): void {
      for (const name of invokeChannels) ipcMain.removeHandler(ipcChannel(name));
    },
  };
}
