// `tidings/react`: the Tidings screens as components a host app places in its own windows (docs/library.md).
// They talk to the typed API the Tidings preload exposes on window (shared/ipc), never to a transport, and are
// themed by the CSS variables in `tidings/react/styles.css` (--bg, --fg, --accent, …): override them on :root.
// Wrap them in <TidingsProvider> (or use <TidingsApp>, the whole window, as the standalone app does).
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { Ctx, type ShellContext } from './lib/context.ts';
import type { AppInfo, Screen } from '../shared/ipc/types.ts';

export { App as TidingsApp } from './App.tsx';
export { Inbox } from './screens/Inbox.tsx';
/** The update prompt: what is offered, Install / Skip This Version / Remind Me Later, download and restart. */
export { Updates as UpdatePrompt } from './screens/Updates.tsx';
/** The channel picker (stable / experimental) with what a switch does to the running version. */
export { ChannelCards as ChannelPicker } from './screens/ChannelCards.tsx';
/** The settings section: channel, checks, notifications, quiet hours, sources, data. */
export { Settings as SettingsSection } from './screens/Settings.tsx';
export type { ShellContext, AppInfo, Screen };

export interface TidingsProviderProps {
  /** From the API's getAppInfo(); the screens that need it wait for it. */
  info: AppInfo | undefined;
  /** Where a component asks to go (e.g. "open in Inbox"): route it in your own UI. */
  onNavigate?: (screen: Screen, itemKey?: string) => void;
  /** A polite announcement (also what an Undo notice says); default: nothing shown. */
  onAnnounce?: (message: string) => void;
  online?: boolean;
  children: ReactNode;
}

export function TidingsProvider(p: TidingsProviderProps) {
  const [, setLast] = useState('');
  const announce = useCallback((message: string) => { setLast(message); p.onAnnounce?.(message); }, [p.onAnnounce]);
  const navigate = useCallback((screen: Screen, itemKey?: string) => p.onNavigate?.(screen, itemKey), [p.onNavigate]);
  const value = useMemo<ShellContext>(() => ({ info: p.info, announce, navigate, online: p.online ?? true }), [p.info, announce, navigate, p.online]);
  return <Ctx.Provider value={value}>{p.children}</Ctx.Provider>;
}
