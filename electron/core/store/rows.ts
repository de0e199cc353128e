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
  return {
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
    record: JSON.parse(r.record) as unknown,
  };
}
