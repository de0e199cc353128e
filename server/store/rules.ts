// The publish rules every store applies inside its write transaction, as one pure function over facts the
// store looked up under its lock, so SQLite and PostgreSQL cannot drift apart.
import { canonicalPayload, signedFields } from '../../shared/protocol/signing.ts';
import type { InsertRequest, InsertResult, PageResult, RawMessage } from './types.ts';

export interface ExistingRow {
  id: string;
  channel: string;
  kind: string;
  payload: string;
  record: string;
}

export interface InsertFacts {
  /** The stored message with the same id, if any. */
  existing: ExistingRow | undefined;
  /** Canonical payloads of live releases with the same (channel, version). */
  sameVersion: string[];
  /** The message a retraction names, if any. */
  target: ExistingRow | undefined;
  /** Newest `created` in the record's channel (undefined: new channel) and in the whole feed. */
  channelNewest: number | undefined;
  feedNewest: number;
}

export type InsertPlan =
  | { action: 'return'; existing: ExistingRow }
  | { action: 'reject'; result: InsertResult }
  | { action: 'insert'; payload: string; created: number; content: string; version: string | null; newChannelKind: 'update' | 'news' | null };

function releaseFacts(payloadText: string): { assets: string; issued: number } {
  const p = JSON.parse(payloadText) as { issued?: number; release?: { assets?: unknown } };
  return { assets: JSON.stringify(p.release?.assets ?? []), issued: p.issued ?? 0 };
}

const reject = (httpStatus: 400 | 409, code: string, field: string, message: string): InsertPlan =>
  ({ action: 'reject', result: { status: 'rejected', httpStatus, code, field, message } });

export function planInsert(req: InsertRequest, facts: InsertFacts): InsertPlan {
  const { record } = req;
  const payload = canonicalPayload(record);
  if (facts.existing) {
    const sameSig = JSON.stringify((JSON.parse(facts.existing.record) as { sig: unknown }).sig) === JSON.stringify(record.sig);
    if (facts.existing.payload === payload && sameSig) return { action: 'return', existing: facts.existing };
    return reject(409, 'id_conflict', 'id', 'a different message with this id was already published');
  }
  if (record.kind === 'release' && record.release) {
    const mine = releaseFacts(payload);
    const others = facts.sameVersion.map(releaseFacts);
    if (others.some((other) => other.assets !== mine.assets)) {
      return reject(409, 'version_conflict', 'release.version', `version ${record.release.version} was already published on ${record.channel} with different assets`);
    }
    // Same version, same assets: accepted only as a renewal, issued after every copy already live
    // (protocol.md, Releases). A re-signed copy with an older or equal `issued` renews nothing; accepting it
    // would let a replayed old copy (say with an earlier `expires`) sit beside the newer one.
    const newest = Math.max(...others.map((o) => o.issued));
    if (others.length > 0 && mine.issued <= newest) {
      return reject(409, 'version_conflict', 'issued', `version ${record.release.version} was already published on ${record.channel}; a renewal must be issued after ${newest}`);
    }
  }
  if (record.kind === 'retraction') {
    if (!facts.target || facts.target.channel !== record.channel) return reject(400, 'unknown_message', 'retracts', `no message with this id in channel ${record.channel}`);
    if (facts.target.kind === 'retraction') return reject(400, 'invalid', 'retracts', 'a retraction cannot be retracted');
  }
  let created: number;
  if (req.created !== undefined) {
    if (facts.channelNewest !== undefined && req.created < facts.channelNewest) {
      return reject(400, 'backdated', 'Time', 'is older than the newest message in this channel; readers that already synced would never see it');
    }
    created = req.created;
  } else {
    // Never below anything already served, even if the clock stepped back: readers that sync by
    // `created` (the Cryptolens dialect) would otherwise miss this message.
    created = Math.max(req.now, facts.feedNewest);
  }
  return {
    action: 'insert',
    payload,
    created,
    content: req.content ?? JSON.stringify({ ...signedFields(record), sig: record.sig }),
    version: record.kind === 'release' ? (record.release?.version ?? null) : null,
    newChannelKind: facts.channelNewest === undefined ? (record.kind === 'release' ? 'update' : 'news') : null,
  };
}

/** The record as finally stored, with the seq-derived id of Cryptolens-created messages. */
export function finalRecord(req: InsertRequest, seq: number) {
  return req.idFromSeq ? { ...req.record, id: `${req.idFromSeq}${seq}` } : req.record;
}

/**
 * A page from the rows a store read (at most `limit`, ascending, retracted ones already left out) and the
 * channel head read in the same snapshot. Pages stop early at `maxBytes` (always at least one message).
 */
export function assemblePage(channel: string, rows: { seq: number; created: number; record: string }[], after: number, limit: number, head: number, maxBytes: number): PageResult {
  const items: RawMessage[] = [];
  let bytes = 0;
  let capped = false;
  for (const r of rows) {
    const json = rawJson(r);
    // UTF-8 bytes, as the client's cap counts them (shared/protocol/limits.ts; reliability.md P4, case 56): counted
    // in characters, a page of multi-byte text would be up to three times the budget and stall the channel.
    const size = Buffer.byteLength(json) + 1;
    if (items.length > 0 && bytes + size > maxBytes) { capped = true; break; }
    bytes += size;
    items.push({ seq: r.seq, json });
  }
  // A full (or size-capped) page ends at its last message; a short page examined everything up to head.
  const next = capped || rows.length === limit ? (items.at(-1)?.seq ?? after) : Math.max(after, head);
  return { channel, items, next, head, more: next < head };
}

/** A stored row as the JSON text we serve: server fields prefixed without re-serializing the record. */
export function rawJson(row: { seq: number; created: number; record: string }): string {
  return `{"seq":${row.seq},"created":${row.created},${row.record.slice(1)}`;
}
