// App-wide context: the app info, navigation between screens, and the polite live region.
// The window paints its shell (sidebar, the Inbox's frame) before the companion has answered, so the
// shell's context may not know the app info yet; screens that need it are shown once it has arrived.
import { createContext, useContext } from 'react';
import type { AppInfo, Screen } from '../../shared/ipc/types.ts';
import type { NoticeOptions } from '../components/Notice.tsx';

export interface ShellContext {
  /** Undefined until the companion has answered getAppInfo. */
  info: AppInfo | undefined;
  /** Says something in the aria-live region and shows it in the notice bar (with an action such as Undo). */
  announce: (message: string, opts?: NoticeOptions) => void;
  navigate: (screen: Screen, itemKey?: string) => void;
  online: boolean;
}

export interface AppContext extends ShellContext {
  info: AppInfo;
}

export const Ctx = createContext<ShellContext | null>(null);

/** The shell's context: usable before the app info has arrived. */
export function useShell(): ShellContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useShell outside the app');
  return ctx;
}

/** The context with the app info; only inside screens the shell shows once the info is known. */
export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx?.info) throw new Error('useApp before the app info is known');
  return ctx as AppContext;
}
