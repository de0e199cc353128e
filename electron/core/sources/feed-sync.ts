// What the live feed v1 source and the static feed (an export on any static host) share: which channels to
// pull and from where, record validation and signature verification, and the one store transaction.
// Only the transport differs (heads + paged API vs index.json + immutable pages).
import { schemas } from '../../../shared/protocol/schemas.ts';
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import type { Store } from '../store/store.ts';
import type { ApplyResult, CursorUpdate } from '../store/apply.ts';
import type { IncomingMessage } from '../types.ts';
import { HttpFailure } from '../net/http.ts';
import { CheckError, type CheckOutcome } from './common.ts';
import { fromV1Record } from './records.ts';

export interface Pulled {
  messages: IncomingMessage[];
  dropped: string[];
  cursor: number;
  /** Lines for the Status log about how the channel was read (e.g. smaller pages after one over the cap). */
  notes?: string[];
}

/**
 * Pulls one channel. `from` is where to start (0 for a re-sync), `stored` the cursor we hold (0 if none).
 */
export type Pull = (channel: string, from: number, stored: number) => Promise<Pulled>;

/**
 * Schema-checks and verifies the records of one page of `channel` that starts after `after`. Records at or
 * below `keepAbove` are skipped before verification (a static page may start below our cursor). One bad record
 * (schema, signature, another channel, a seq outside the page) is set aside with its reason and never moves the
 * cursor; the others are kept (reliability.md case 57).
 */
export async function verifyPage(channel: string, raw: readonly unknown[], opts: { after: number; keepAbove: number; upTo?: number; keys: KeyRing; allowLoopbackHttp: boolean }) {
  const recordSchema = schemas({ allowLoopbackHttp: opts.allowLoopbackHttp }).stored;
  const messages: IncomingMessage[] = [];
  const dropped: string[] = [];
  let highest = opts.after;
  for (const item of raw) {
    const r = recordSchema.safeParse(item);
    if (!r.success) {
      dropped.push(`a record in ${channel}: does not match the schema`);
      continue;
    }
    const m = r.data;
    if (m.channel !== channel) {
      dropped.push(`record ${m.id}: from channel "${m.channel}", served on ${channel}`);
      continue;
    }
    if (m.seq <= opts.after || (opts.upTo !== undefined && m.seq > opts.upTo)) {
      dropped.push(`record ${m.id} in ${channel}: seq ${m.seq} is outside the page`);
      continue;
    }
    highest = Math.max(highest, m.seq);
    if (m.seq <= opts.keepAbove) continue;
    const c = await fromV1Record(m, opts.keys, m.created, m.seq);
    if (c.ok) messages.push(c.message);
    else dropped.push(c.reason);
  }
  return { messages, dropped, highest };
}

export interface SyncInput {
  sourceId: string;
  channels: readonly string[];
  heads: Readonly<Record<string, number>>;
  /** Static feeds: the feed's epoch, kept with each cursor. A cursor from another epoch re-syncs from 0. */
  epoch?: string;
  /** ETag of the routine request, stored in the same transaction. */
  headsEtag: string | null;
  nowMs: number;
  /** The routine answer's Date (unix s): a message dated beyond it is listed by when it was received. */
  serverNow?: number | null;
}

/**
 * Pulls every followed channel whose head moved, then stores everything in one transaction. A first sync
 * (no cursor yet) starts at the head: what it finds is history, stored read with no toast. A head below the
 * cursor (feed restored from a backup) or another epoch (a different feed) is stored quietly (no toast),
 * re-synced from 0 and de-duplicated by id.
 */
export interface Synced {
  changed: boolean;
  detail: string;
  result: ApplyResult;
  /** The first channel whose answer could not be trusted (its cursor stayed); the other channels were stored. */
  failure: CheckError | HttpFailure | null;
}

/** A channel's answer that cannot be trusted fails that channel; anything else (the store, a bug) the check. */
function channelFailure(e: unknown): e is CheckError | HttpFailure {
  return e instanceof CheckError || (e instanceof HttpFailure && e.kind !== 'cancelled');
}

/** The outcome of a check whose channels were synced: failed when one channel failed, with what was stored. */
export function syncedOutcome(base: Pick<CheckOutcome, 'status' | 'maxAgeSec'>, s: Synced): CheckOutcome {
  const f = s.failure;
  if (!f) return { ok: true, retryAfterSec: null, authFailed: false, ...base, changed: s.changed, detail: s.detail, result: s.result };
  const cause = f instanceof HttpFailure ? `${f.message} (${f.kind})` : f.message;
  return {
    ok: false, changed: s.changed, result: s.result, maxAgeSec: base.maxAgeSec, detail: `${cause}; ${s.detail}`,
    status: f instanceof CheckError ? f.status : null,
    retryAfterSec: f instanceof CheckError ? f.retryAfterSec : null,
    authFailed: f instanceof CheckError && f.authFailed,
  };
}

export async function syncChannels(store: Store, input: SyncInput, pull: Pull): Promise<Synced> {
  const messages: IncomingMessage[] = [];
  const cursors: CursorUpdate[] = [];
  const quiet = new Set<string>();
  const history = new Set<string>();
  const dropped: string[] = [];
  const notes: string[] = [];
  const failures: (CheckError | HttpFailure)[] = [];
  let pulledAny = false;
  const etag = input.epoch ?? null;
  for (const channel of input.channels) {
    const head = input.heads[channel] ?? 0;
    const cur = store.cursor(input.sourceId, channel);
    const otherEpoch = cur !== null && input.epoch !== undefined && cur.etag !== input.epoch;
    const from = otherEpoch ? 0 : cur?.cursor ?? 0;
    const stored = cur?.cursor ?? 0;
    if (head === from) {
      // Record that an empty (or not yet existing) channel was seen, so later checks can be conditional again.
      if (!cur || otherEpoch) cursors.push({ channel, cursor: head, etag });
      continue;
    }
    if (!cur) history.add(channel);
    else if (otherEpoch || head < from) quiet.add(channel);
    let pulled: Pulled;
    try {
      pulled = await pull(channel, head < from ? 0 : from, otherEpoch ? 0 : stored);
    } catch (e) {
      // This channel's answer can't be trusted: its cursor stays, the other channels are still stored.
      if (!channelFailure(e)) throw e;
      failures.push(e);
      history.delete(channel);
      quiet.delete(channel);
      continue;
    }
    pulledAny = true;
    messages.push(...pulled.messages);
    dropped.push(...pulled.dropped);
    notes.push(...(pulled.notes ?? []));
    cursors.push({ channel, cursor: pulled.cursor, etag });
  }
  // Nothing could be read: the check fails as a whole, as before.
  if (failures.length > 0 && !pulledAny) throw failures[0];
  const now = Math.floor(input.nowMs / 1000);
  // With a channel left behind, the heads ETag is not kept: a 304 next time would hide that channel's news.
  const headsEtag = failures.length > 0 ? null : input.headsEtag;
  const result = store.apply(input.sourceId, { messages, cursors, headsEtag, quietChannels: quiet, historyChannels: history, now, serverNow: input.serverNow ?? null });
  for (const n of notes) store.log(input.sourceId, now, true, n);
  for (const d of dropped) store.log(input.sourceId, now, false, `dropped ${d}`);
  const changed = result.inserted.length > 0 || result.retracted > 0;
  return { changed, detail: `${result.inserted.length} new, ${result.retracted} retracted${dropped.length ? `, ${dropped.length} dropped` : ''}`, result, failure: failures[0] ?? null };
}
