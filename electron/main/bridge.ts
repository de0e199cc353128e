// What the shell needs from the companion core, as one small interface. The real core is adapted to it in
// core-bridge.ts; tests pass a typed stub. Keeping main behind this seam is what lets every tray,
// notification and IPC behaviour be tested without Electron and without a feed.
import type { InvokeHandlers, EventPayloads } from '../../shared/ipc/contract.ts';
import type { UpdateView, Channel } from '../../shared/ipc/types.ts';
import type { ToastItem } from '../core/handlers.ts';

/** An item whose OS notification is due: the core's type (electron/core/handlers.ts), named once. */
export type { ToastItem };

export type CoreEvent =
  | { type: 'changed'; topics: EventPayloads['changed']['topics'] }
  | { type: 'toasts'; items: ToastItem[] }
  | { type: 'downloadProgress'; payload: EventPayloads['downloadProgress'] }
  | { type: 'notice'; payload: EventPayloads['notice'] }
  | { type: 'hashProgress'; payload: EventPayloads['hashProgress'] };

/** What the tray shows. `attention` is set when a source fails or updates can't be confirmed. */
export interface TrayCoreState {
  update: UpdateView;
  unread: number;
  attention: string | null;
}

/** A downloaded installer whose hash and length matched the signed record. */
export interface VerifiedFile {
  path: string;
  version: string;
  sha256: string;
}

export interface CoreBridge {
  /** Everything the renderer may ask for. main overrides the few that need Electron (openLink, installs). */
  handlers: InvokeHandlers;
  subscribe(listener: (event: CoreEvent) => void): () => void;
  trayState(): TrayCoreState | Promise<TrayCoreState>;
  /** The current verified download, or null. Never a path the renderer supplied. */
  verifiedDownload(): VerifiedFile | null;
  /** Power and network hints for the scheduler (a jittered check after wake, per reliability.md P22). */
  powerEvent(event: 'resume' | 'suspend'): void;
  /** The OS network came or went: the core shows "offline" and re-checks when it is back. */
  networkEvent(online: boolean): void;
  close(): Promise<void> | void;
  /** At quit: installs the verified update if the user lets it (Settings → Install updates when I quit). */
  installAtQuit?(allowed: boolean): Promise<boolean>;
  /** This start is healthy (core started, first window shown): the update watchdog stops waiting (docs/rollback.md). */
  reportHealthy?(): void;
}

export type { Channel };
