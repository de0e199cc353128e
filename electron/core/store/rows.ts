// Row shapes as SQLite returns them, and their mapping to the public types.
import type { InboxItem, MessageKind } from '../types.ts';

export interface MessageRow {
  rowid: number;
  source_id: string;
  id: string;
  seq: number | null;
  channel: string;
  kind: string;
  trusted: number;
  version: string | null;
  critical: number;
  retracts: string | null;
  title: string;
  link: string | null;
  expires: number | null;
  record: string;
  created: number;
  received: number;
  read: number;
  dismissed: number;
  notified: number;
  retracted: number;
}

export function toItem(r: MessageRow): InboxItem {
  const item = {
    key: r.rowid,
    sourceId: r.source_id,
    id: r.id,
    channel: r.channel,
    kind: r.kind as MessageKind,
    trusted: r.trusted === 1,
    title: r.title,
    link: r.link,
    version: r.version,
    critical: r.critical === 1,
    expires: r.expires,
    created: r.created,
    read: r.read === 1,
  } as InboxItem;
  // The record is parsed on first read: an inbox page shows titles, and most rows are never opened. The getter
  // is enumerable, so spreading, JSON and structured clone (IPC) still see a plain value.
  let parsed: unknown;
  let done = false;
  Object.defineProperty(item, 'record', {
    enumerable: true,
    get: () => {
      if (!done) {
        parsed = JSON.parse(r.record) as unknown;
        done = true;
      }
      return parsed;
    },
  });
  return item;
}
