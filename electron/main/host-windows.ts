// A host app's own windows that show tidings/react components (issue 14): the host allows a window, and from
// then on that window's main frame — at the page it was allowed at — may call the contract and gets its events,
// like Tidings' own window. A subframe, another window, or the same window after it navigated to another page
// stay refused; closing the window forgets it.
import type { FrameLike, WindowLike } from './electron-api.ts';
import type { EventName, EventPayloads } from '../../shared/ipc/contract.ts';
import { originOf, sendEvent } from './window.ts';

/** What of a BrowserWindow this needs. */
export type HostWindow = Pick<WindowLike, 'webContents' | 'on' | 'isDestroyed'>;

/**
 * What a page is compared by: its origin, or for file: pages (which share one opaque origin) the file itself,
 * so a file page can't hand its access to another local file it navigates to. null: nothing to pin to.
 */
export function pageOf(url: string): string | null {
  const origin = originOf(url);
  if (origin) return origin;
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? `file://${u.pathname}` : null;
  } catch {
    return null;
  }
}

export function createHostWindows(log: (msg: string) => void) {
  const allowed = new Map<HostWindow, string>();

  /** The allowed window's main frame, still at the page it was allowed at (or null). */
  const mainFrameOf = (w: HostWindow): FrameLike | null => {
    if (w.isDestroyed() || w.webContents.isDestroyed()) return null;
    const main = w.webContents.mainFrame;
    return pageOf(main.url) === allowed.get(w) ? main : null;
  };

  return {
    /** Allows `w`'s main frame at `page` (a URL or origin); returns the sentence why not, or null. */
    allow(w: HostWindow, page: string): string | null {
      const pinned = pageOf(page);
      if (!pinned) return `"${page.slice(0, 200)}" is not a page a window can be allowed at: load the page first, or pass its URL.`;
      if (!allowed.has(w)) w.on('closed', () => allowed.delete(w));
      allowed.set(w, pinned);
      return null;
    },
    /** Whether `frame` is the main frame of an allowed window, at its allowed page. */
    accepts(frame: FrameLike | null): boolean {
      if (!frame) return false;
      for (const w of allowed.keys()) {
        const main = mainFrameOf(w);
        if (main && (frame === main || (frame.processId === main.processId && frame.routingId === main.routingId)) && pageOf(frame.url) === allowed.get(w)) return true;
      }
      return false;
    },
    /** Sends an event (checked against the contract) to every allowed window still at its page. */
    send<E extends EventName>(event: E, payload: EventPayloads[E]): void {
      for (const w of allowed.keys()) if (mainFrameOf(w)) sendEvent(w.webContents, event, payload, log);
    },
  };
}
