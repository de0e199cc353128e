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
  /** 1: `record` lost the prefix the columns hold (migration 7); unfoldRecord puts it back. */
  folded: number;
  created: number;
  received: number;
  read: number;
  dismissed: number;
  notified: number;
  retracted: number;
}

/**
 * The JSON a v1 record starts with when the feed serves it, made from the row's columns: the part a folded record
 * does not store (migration 7). Null when the row has no seq (not a v1 record).
 */
function recordPrefix(seq: number | null, created: number, id: string, channel: string, kind: string): string | null {
  if (seq === null) return null;
  return `{"seq":${seq},"created":${created},"id":${JSON.stringify(id)},"channel":${JSON.stringify(channel)},"kind":${JSON.stringify(kind)},`;
}

/** Where a JSON string value equal to `value` ends, if the JSON has one at `at`, else -1. */
function stringAt(json: string, at: number, value: string): number {
  // Without a backslash the raw text between the quotes is the value itself (no escapes to decode).
  if (json.charCodeAt(at) !== 34 || value.includes('\\') || !json.startsWith(value, at + 1)) return -1;
  const end = at + 1 + value.length;
  return json.charCodeAt(end) === 34 ? end + 1 : -1;
}

/** Where `text` ends, if the JSON has it at `at`, else -1. */
function textAt(json: string, at: number, text: string): number {
  return at >= 0 && json.startsWith(text, at) ? at + text.length : -1;
}

/**
 * The record text to store folded: the JSON after the prefix the columns already hold (recordPrefix), when it
 * starts with exactly that prefix, so unfoldRecord gives back the same bytes; null when it does not (the JSON is
 * stored as it is, folded = 0). Compared in place, piece by piece: building the prefix for every stored message
 * would cost more than the bytes it saves (row 4).
 */
export function foldRecord(json: string, seq: number | null, created: number, id: string, channel: string, kind: string): string | null {
  if (seq === null) return null;
  let at = textAt(json, 0, '{"seq":');
  at = textAt(json, at, String(seq));
  at = textAt(json, at, ',"created":');
  at = textAt(json, at, String(created));
  at = textAt(json, at, ',"id":');
  if (at >= 0) at = stringAt(json, at, id);
  at = textAt(json, at, ',"channel":');
  if (at >= 0) at = stringAt(json, at, channel);
  at = textAt(json, at, ',"kind":');
  if (at >= 0) at = stringAt(json, at, kind);
  at = textAt(json, at, ',');
  return at >= 0 ? json.slice(at) : null;
}

/** The stored record's JSON text as it was received. */
export function unfoldRecord(text: string, folded: number, seq: number | null, created: number, id: string, channel: string, kind: string): string {
  return folded === 1 ? `${recordPrefix(seq, created, id, channel, kind) ?? '{'}${text}` : text;
}

/** The columns an item is made of, in the order itemFromArray reads them (list pages select only these). */
export const ITEM_COLUMNS = 'rowid, source_id, id, channel, kind, trusted, title, link, version, critical, expires, created, read, record, folded, seq';

/** An item from a row selected with ITEM_COLUMNS in raw (array) mode: the list's hot path. */
export function itemFromArray(a: unknown[]): InboxItem {
  return new StoredItem(a[0] as number, a[1] as string, a[2] as string, a[3] as string, a[4] as MessageKind, a[5] === 1, a[6] as string,
    a[7] as string | null, a[8] as string | null, a[9] === 1, a[10] as number | null, a[11] as number, a[12] === 1, a[13] as string,
    a[14] as number, a[15] as number | null);
}

/**
 * A row as an item. The record's JSON is parsed only when something reads `record` (an opened item, a policy
 * check), never for a list page (performance.md row 5). `record` is a getter on the class, not an own property
 * (an object literal with an accessor costs ~3 µs to build, 50 times a page); `toJSON` includes it, so JSON
 * serialization still carries the record, while a spread copy or structuredClone carries the columns only.
 */
export function toItem(r: MessageRow): InboxItem {
  return new StoredItem(r.rowid, r.source_id, r.id, r.channel, r.kind as MessageKind, r.trusted === 1, r.title, r.link, r.version,
    r.critical === 1, r.expires, r.created, r.read === 1, r.record, r.folded, r.seq);
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
  #folded: number;
  #seq: number | null;

  constructor(key: number, sourceId: string, id: string, channel: string, kind: MessageKind, trusted: boolean, title: string,
    link: string | null, version: string | null, critical: boolean, expires: number | null, created: number, read: boolean, record: string, folded: number, seq: number | null) {
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
    this.#folded = folded;
    this.#seq = seq;
  }

  get record(): unknown {
    if (this.#text !== null) {
      this.#parsed = JSON.parse(unfoldRecord(this.#text, this.#folded, this.#seq, this.created, this.id, this.channel, this.kind)) as unknown;
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
