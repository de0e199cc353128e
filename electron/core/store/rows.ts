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

/** The columns an item is made of, in the order itemFromArray reads them (list pages select only these). */
export const ITEM_COLUMNS = 'rowid, source_id, id, channel, kind, trusted, title, link, version, critical, expires, created, read, record';

/** An item from a row selected with ITEM_COLUMNS in raw (array) mode: the list's hot path. */
export function itemFromArray(a: unknown[]): InboxItem {
  return new StoredItem(a[0] as number, a[1] as string, a[2] as string, a[3] as string, a[4] as MessageKind, a[5] === 1, a[6] as string,
    a[7] as string | null, a[8] as string | null, a[9] === 1, a[10] as number | null, a[11] as number, a[12] === 1, a[13] as string);
}

/**
 * A row as an item. The record's JSON is parsed only when something reads `record` (an opened item, a policy
 * check), never for a list page (performance.md row 5). `record` is a getter on the class, not an own property
 * (an object literal with an accessor costs ~3 µs to build, 50 times a page); `toJSON` includes it, so JSON
 * serialization still carries the record, while a spread copy or structuredClone carries the columns only.
 */
export function toItem(r: MessageRow): InboxItem {
  return new StoredItem(r.rowid, r.source_id, r.id, r.channel, r.kind as MessageKind, r.trusted === 1, r.title, r.link, r.version,
    r.critical === 1, r.expires, r.created, r.read === 1, r.record);
}

class StoredItem implements InboxItem {
  key: number;
  sourceId: string;
  id: string;
  channel: string;
  kind: MessageKind;
  trusted: boolean;
  title: string;
  link: string | null;
  version: string | null;
  critical: boolean;
  expires: number | null;
  created: number;
  read: boolean;
  #text: string | null;
  #parsed: unknown;

  constructor(key: number, sourceId: string, id: string, channel: string, kind: MessageKind, trusted: boolean, title: string,
    link: string | null, version: string | null, critical: boolean, expires: number | null, created: number, read: boolean, record: string) {
    this.key = key;
    this.sourceId = sourceId;
    this.id = id;
    this.channel = channel;
    this.kind = kind;
    this.trusted = trusted;
    this.title = title;
    this.link = link;
    this.version = version;
    this.critical = critical;
    this.expires = expires;
    this.created = created;
    this.read = read;
    this.#text = record;
    this.#parsed = undefined;
  }

  get record(): unknown {
    if (this.#text !== null) {
      this.#parsed = JSON.parse(this.#text) as unknown;
      this.#text = null;
    }
    return this.#parsed;
  }

  set record(value: unknown) {
    this.#text = null;
    this.#parsed = value;
  }

  toJSON(): Omit<InboxItem, 'record'> & { record: unknown } {
    return { ...this, record: this.record };
  }
}
