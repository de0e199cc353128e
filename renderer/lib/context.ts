// App-wide context: the app info, navigation between screens, and the polite live region.
import { createContext, useContext } from 'react';
import type { AppInfo, Screen } from '../../shared/ipc/types.ts';

export interface AppContext {
  info: AppInfo;
  /** Says something in the aria-live region (and shows it briefly). */
  announce: (message: string) => void;
  navigate: (screen: Screen, itemKey?: string) => void;
  online: boolean;
}

export const Ctx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('useApp outside the app');
  return ctx;
}
