// The notice bar: what `announce` says, at the bottom of the main pane. It takes its own room in the layout
// (it never covers a control), can be closed with its button or Esc, stays while the pointer or focus is on
// it, and leaves by itself after a few seconds (longer for warnings and for notices with Undo).
// The live region is always in the page, so screen readers hear every new message.
import { useEffect, useRef, useState } from 'react';
import type { Topic } from '../../shared/ipc/types.ts';
import { t } from '../i18n/en.ts';

export interface NoticeAction {
  label: string;
  run: () => void;
}

export interface NoticeOptions {
  level?: 'info' | 'warning';
  action?: NoticeAction;
  /** The notice is over when the companion reports this topic changed (e.g. "Checking…" ends with the check). */
  endsOn?: Topic;
}

export interface NoticeItem extends NoticeOptions {
  id: number;
  message: string;
}

/** How long a notice stays, in ms: short for information, longer when there is something to read or undo. */
export function noticeDuration(n: NoticeOptions): number {
  if (n.action) return 10_000;
  return n.level === 'warning' ? 8_000 : 5_000;
}

export function NoticeBar({ notice, onClose }: { notice: NoticeItem | null; onClose: () => void }) {
  const [paused, setPaused] = useState(false);
  const left = useRef(0);
  // Where focus was before it entered the bar: it goes back there when the bar closes under it.
  const before = useRef<HTMLElement | null>(null);
  const bar = useRef<HTMLDivElement>(null);

  useEffect(() => {
    left.current = notice ? noticeDuration(notice) : 0;
  }, [notice]);
  useEffect(() => {
    if (!notice || paused) return;
    const started = performance.now();
    const timer = setTimeout(onClose, left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1_500, left.current - (performance.now() - started));
    };
  }, [notice, paused, onClose]);
  // The Esc listener is installed once and reads the latest notice through a ref: one installed per notice
  // (after paint) missed an Esc pressed in the instant between the bar appearing and the effect running.
  const latest = useRef<{ notice: NoticeItem | null; close: () => void }>({ notice: null, close: () => {} });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Esc belongs to an open dialog or menu first.
      if (e.key !== 'Escape' || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      if (latest.current.notice) latest.current.close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const close = () => {
    const hadFocus = bar.current?.contains(document.activeElement) ?? false;
    setPaused(false);
    onClose();
    if (hadFocus) (before.current?.isConnected ? before.current : document.querySelector<HTMLElement>('main'))?.focus();
  };
  latest.current = { notice, close };
  const run = (action: NoticeAction) => {
    close();
    action.run();
  };
  return (
    <div
      ref={bar}
      className={`notice${notice ? ' notice-on' : ''}${notice?.level === 'warning' ? ' notice-warning' : ''}`}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={(e) => {
        if (!bar.current?.contains(e.relatedTarget as Node | null)) before.current = e.relatedTarget as HTMLElement | null;
        setPaused(true);
      }}
      onBlur={(e) => { if (!bar.current?.contains(e.relatedTarget as Node | null)) setPaused(false); }}
    >
      <p className="toast" role="status" aria-live="polite">{notice?.message ?? ''}</p>
      {notice?.action ? <button type="button" onClick={() => run(notice.action!)}>{notice.action.label}</button> : null}
      {notice ? <button type="button" className="notice-close" aria-label={t.closeNotice} aria-keyshortcuts="Escape" onClick={close}><span aria-hidden="true">×</span></button> : null}
    </div>
  );
}
