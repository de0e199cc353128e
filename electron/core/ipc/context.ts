// What every screen's handlers share: the companion, the app's facts, and one way to tell the UI what changed.
import type { Companion, DownloadEvent } from '../api.ts';
import type { EventName, EventPayloads } from '../../../shared/ipc/contract.ts';
import type { AppInfo, Topic } from '../../../shared/ipc/types.ts';

export type Emit = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export interface Ctx {
  companion: Companion;
  info: AppInfo;
  /** Development only: loopback http feeds (the embedded demo feed) are allowed. */
  loopback: boolean;
  emit: Emit;
  changed(...topics: Topic[]): void;
  /** The download in flight or last finished (runtime state of this process, not the user's). */
  download: { event: DownloadEvent | null; sha256: string };
}

export const refuse = (field: string, message: string) => ({ ok: false as const, error: { field, message } });
export const ok = { ok: true as const };

/** Inbox keys cross the contract as strings; anything that is not a row id is ignored. */
export const rowKeys = (keys: readonly string[]) => keys.filter((k) => /^\d+$/.test(k)).map(Number);
