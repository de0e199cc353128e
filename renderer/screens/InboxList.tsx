// The virtualized inbox list (10,000 rows stay smooth: only the visible rows exist in the DOM).
// A listbox with aria-activedescendant; keys ↑/↓ j/k move, Enter opens, m toggles read, Delete
// dismisses, Shift+M marks all read.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { InboxItem } from '../../shared/ipc/types.ts';
import type { Pages } from '../lib/inboxPages.ts';
import { relativeTime } from '../i18n/format.ts';
import { t } from '../i18n/en.ts';
import { Chip } from '../components/common.tsx';

export interface ListProps {
  pages: Pages;
  active: number;
  setActive: (i: number) => void;
  openKey: string | undefined;
  onOpen: (item: InboxItem) => void;
  onToggleRead: (item: InboxItem) => void;
  onDismiss: (item: InboxItem, index: number) => void;
  onMarkAll: () => void;
}

const ROW = 68;

export function InboxList(props: ListProps) {
  const { pages, active, setActive } = props;
  const total = pages.total ?? 0;
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: total, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 8 });
  const rows = virtual.getVirtualItems();
  const first = rows[0]?.index ?? 0;
  const last = rows[rows.length - 1]?.index ?? 0;
  const { want } = pages;
  useEffect(() => {
    if (total > 0) want(first, last);
  }, [first, last, total, want]);

  const move = (to: number) => {
    const next = Math.max(0, Math.min(total - 1, to));
    setActive(next);
    virtual.scrollToIndex(next, { align: 'auto' });
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const item = pages.item(active);
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW) / ROW) - 1);
    const key = e.key;
    if (key === 'ArrowDown' || key === 'j') move(active + 1);
    else if (key === 'ArrowUp' || key === 'k') move(active - 1);
    else if (key === 'PageDown') move(active + page);
    else if (key === 'PageUp') move(active - page);
    else if (key === 'Home') move(0);
    else if (key === 'End') move(total - 1);
    else if (key === 'Enter' || key === ' ') { if (item) props.onOpen(item); }
    else if (key === 'M' && e.shiftKey) props.onMarkAll();
    else if (key === 'm') { if (item) props.onToggleRead(item); }
    else if (key === 'Delete' || key === 'Backspace') { if (item) props.onDismiss(item, active); }
    else return;
    e.preventDefault();
  };

  const activeItem = pages.item(active);
  return (
    <div
      ref={scroller}
      className="inbox-list"
      role="listbox"
      tabIndex={0}
      aria-label={t.inbox.listLabel}
      aria-activedescendant={activeItem ? `row-${active}` : undefined}
      onKeyDown={onKey}
    >
      <div className="inbox-list-inner" style={{ height: virtual.getTotalSize() }}>
        {rows.map((row) => {
          const item = pages.item(row.index);
          return (
            <div
              key={row.key}
              id={`row-${row.index}`}
              role="option"
              aria-selected={row.index === active}
              aria-setsize={total}
              aria-posinset={row.index + 1}
              className={`row${row.index === active ? ' row-active' : ''}${item && item.key === props.openKey ? ' row-open' : ''}${item && !item.read ? ' row-unread' : ''}`}
              style={{ transform: `translateY(${row.start}px)`, height: ROW }}
              onClick={() => { setActive(row.index); if (item) props.onOpen(item); }}
            >
              {item ? <Row item={item} /> : <span className="row-placeholder" aria-hidden="true" />}
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function Row({ item }: { item: InboxItem }) {
  return (
    <>
      <span className={`dot${item.read ? ' dot-read' : ''}`} role="img" aria-label={item.read ? undefined : t.inbox.unread} aria-hidden={item.read ? true : undefined} />
      <span className="row-main">
        <span className="row-top">
          <span className="row-title" dir="auto">{item.title}</span>
          <time className="row-time" dateTime={new Date(item.created * 1000).toISOString()}>{relativeTime(item.created)}</time>
        </span>
        <span className="row-bottom">
          <Chip tone={item.channel === 'stable' ? undefined : 'accent'}>{t.channelName(item.channel)}</Chip>
          <span className="row-excerpt">{item.excerpt}</span>
        </span>
      </span>
    </>
  );
}
