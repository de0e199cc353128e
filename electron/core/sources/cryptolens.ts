// Cryptolens source: speaks GetMessages exactly (form-encoded POST: token, Channel, Time) and follows the seed
// documents' logic, fixing its holes: updates since the installed release's publish time; news from the newest
// `created` seen, asked with a 60 s overlap and de-duplicated by id; the newest `created` taken over the whole
// batch (never Messages[0]) and never past the server's clock. The first sync of a channel starts at the head
// (protocol.md, ux.md): what it finds (news of the last HISTORY_SECONDS, updates since the installed release) is
// stored as history, read and never toasted; only what is published afterwards is new.
import { cryptolensGetMessages, schemas, type CryptolensMessage } from '../../../shared/protocol/schemas.ts';
import { CRYPTOLENS_OVERLAP_SECONDS } from '../../../shared/protocol/limits.ts';
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import { HttpFailure, request, type Limits } from '../net/http.ts';
import type { Store } from '../store/store.ts';
import type { CursorUpdate } from '../store/apply.ts';
import type { Clock, IncomingMessage } from '../types.ts';
import { CheckError, extractLink, failForStatus, firstLine, jsonBody, serverDate, type CheckOutcome } from './common.ts';
import { fromV1Record } from './records.ts';

export interface CryptolensOptions {
  id: string;
  /** Base URL, e.g. https://api.cryptolens.io */
  url: string;
  token: string;
  allowLoopbackHttp: boolean;
  /** Channel carrying "new version" messages, and the publish time (unix s) of the installed release. */
  updates?: { channel: string; installedReleaseTime: number };
  /** Channel carrying news (Cryptolens uses '' for all; we always name one). */
  news?: { channel: string };
  limits?: Partial<Limits>;
  /** Request deadlines run on it (the companion's clock). */
  clock?: Clock;
}

/**
 * How far back a first sync reads news, kept as history: the default retention (180 days), so the inbox
 * starts with what it would keep anyway. GetMessages has no paging; an answer over the byte cap falls back to
 * the seed's "from now on".
 */
export const HISTORY_SECONDS = 180 * 86_400;

/**
 * How often a news channel is read again over everything held from it, to notice posts removed with
 * RemoveMessage (the dialect has no tombstones; reliability.md case 58). Between these, checks ask only from the
 * newest post (with the overlap), so the routine check stays small.
 */
export const REMOVAL_SWEEP_SECONDS = 6 * 3600;

export class CryptolensSource {
  readonly kind = 'cryptolens';
  readonly id: string;
  readonly url: string;
  private readonly opts: CryptolensOptions;

  constructor(opts: CryptolensOptions) {
    this.opts = opts;
    this.id = opts.id;
    this.url = opts.url.replace(/\/+$/, '');
  }

  private async getMessages(channel: string, time: number, nowMs: number, signal?: AbortSignal) {
    const body = new URLSearchParams({ token: this.opts.token, Channel: channel, Time: String(time) }).toString();
    const res = await request({
      url: `${this.url}/api/message/GetMessages`, method: 'POST', body, signal, limits: this.opts.limits, clock: this.opts.clock,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      allowLoopbackHttp: this.opts.allowLoopbackHttp, redirects: 'same-host',
    });
    // Cryptolens clients parse the body whatever the status; a non-JSON body still falls back to the status.
    let parsed: ReturnType<typeof cryptolensGetMessages.safeParse> | null = null;
    try {
      parsed = cryptolensGetMessages.safeParse(jsonBody(res, 'GetMessages'));
    } catch (e) {
      if (res.status !== 200) failForStatus(res, nowMs, 'GetMessages');
      throw e;
    }
    if (!parsed.success) {
      if (res.status !== 200) failForStatus(res, nowMs, 'GetMessages');
      throw new CheckError('GetMessages: the answer does not match the Cryptolens schema', { status: res.status });
    }
    if (parsed.data.result !== 0 || res.status !== 200) {
      if (res.status !== 200) failForStatus(res, nowMs, `GetMessages (${parsed.data.message ?? 'error'})`);
      const denied = /access denied/i.test(parsed.data.message ?? '');
      throw new CheckError(`GetMessages: ${parsed.data.message ?? 'result 1'}`, { status: res.status, authFailed: denied });
    }
    return { messages: parsed.data.messages ?? [], serverNow: serverDate(res) };
  }

  async check(store: Store, keys: KeyRing, nowMs: number, signal?: AbortSignal): Promise<CheckOutcome> {
    const clientNow = Math.floor(nowMs / 1000);
    const messages: IncomingMessage[] = [];
    const cursors: CursorUpdate[] = [];
    const dropped: string[] = [];
    const removed: { channel: string; id: string }[] = [];
    const plans: { channel: string; update: boolean }[] = [];
    if (this.opts.updates) plans.push({ channel: this.opts.updates.channel, update: true });
    if (this.opts.news) plans.push({ channel: this.opts.news.channel, update: false });
    const history = new Set<string>();
    let serverNow: number | null = null;
    /** News channels read over everything held this time (removal sweeps). */
    const sweeps = new Set<string>();
    /** News channels whose sweep is done or was tried (an answer over the cap waits for the next one). */
    const swept = new Set<string>();
    const sweepKey = (channel: string) => `cryptolens_sweep:${this.id}:${channel}`;
    for (const plan of plans) {
      const cur = store.cursor(this.id, plan.channel);
      // No cursor yet: this is the channel's first sync, and everything it finds is history.
      if (!cur) history.add(plan.channel);
      let floor: number;
      let time: number;
      if (plan.update) {
        // Only releases published after the installed one interest us; the floor moves when the app updates.
        // The whole window since the installed release is asked every time (as the seed code does; update
        // channels are short), so a message removed with RemoveMessage is noticed and hidden here too.
        floor = this.opts.updates!.installedReleaseTime;
        time = floor;
      } else if (cur) {
        floor = cur.floor ?? 0;
        time = Math.max(floor, cur.cursor - CRYPTOLENS_OVERLAP_SECONDS);
        const last = Number(store.getMeta(sweepKey(plan.channel)) ?? 0);
        // Now and then, everything held since the floor, so a removed post is noticed (case 58).
        if (clientNow - last >= REMOVAL_SWEEP_SECONDS || clientNow < last) {
          sweeps.add(plan.channel);
          swept.add(plan.channel);
          time = floor;
        }
      } else {
        floor = Math.max(0, clientNow - HISTORY_SECONDS);
        time = floor;
      }
      let got: Awaited<ReturnType<CryptolensSource['getMessages']>>;
      try {
        got = await this.getMessages(plan.channel, time, nowMs, signal);
      } catch (e) {
        const tooLarge = e instanceof HttpFailure && e.kind === 'too-large';
        if (!tooLarge || plan.update) throw e;
        if (cur) {
          // Too much held to re-read in one answer: no removal sweep this time (the next in REMOVAL_SWEEP_SECONDS),
          // the routine ask instead. Outside a sweep the routine ask itself was too large: a real failure.
          if (!sweeps.delete(plan.channel)) throw e;
          time = Math.max(floor, cur.cursor - CRYPTOLENS_OVERLAP_SECONDS);
        } else {
          // Too much history for one answer: start from "now" without it, one second back so a message posted
          // later in the same second as this poll is not lost.
          floor = clientNow - 1;
          time = floor;
        }
        got = await this.getMessages(plan.channel, time, nowMs, signal);
      }
      // The cursor never passes the server's "now" (its Date; our clock only when it sent none): a message dated
      // a year ahead cannot hide the ones published after it, which the server dates at its real now
      // (reliability.md P24, case 53). Not even by a few minutes: the next poll asks from the cursor.
      const ceiling = got.serverNow ?? clientNow;
      if (!plan.update && cur && got.serverNow !== null && cur.cursor > got.serverNow) {
        // The server's clock is now behind our cursor: it was ahead, and has been put right. What it published
        // since our last check is dated below the cursor, so ask again for that stretch, measured back from its
        // clock by the time that passed on ours (with the overlap), de-duplicated by id.
        const since = Math.min(Math.max(0, clientNow - (cur.lastCheck ?? clientNow)), HISTORY_SECONDS);
        time = Math.max(floor, got.serverNow - since - CRYPTOLENS_OVERLAP_SECONDS);
        got = await this.getMessages(plan.channel, time, nowMs, signal);
      }
      // A first news sync starts at the server's "now" (one second back, as above), or at the newest message
      // when the server sent no clock: later polls ask from there (with the overlap), not from the history.
      let newest = cur ? Math.min(cur.cursor, ceiling) : !plan.update && got.serverNow !== null ? got.serverNow - 1 : floor;
      for (const m of got.messages) {
        if (m.channel !== plan.channel && plan.channel !== '') {
          dropped.push(`message ${m.id}: from channel "${m.channel}", asked for "${plan.channel}"`);
          continue;
        }
        if (m.created <= floor) continue;
        newest = Math.max(newest, Math.min(m.created, ceiling));
        const c = await this.convert(m, plan.update, keys);
        if (c.ok) messages.push(c.message);
        else dropped.push(c.reason);
      }
      cursors.push({ channel: plan.channel, cursor: newest, floor });
      if (got.serverNow !== null) serverNow = Math.max(serverNow ?? 0, got.serverNow);
      // A first sync read everything since the floor too: it counts as a sweep.
      if (!plan.update && !cur) swept.add(plan.channel);
      if (plan.update || sweeps.has(plan.channel)) {
        const listed = new Set(got.messages.map((m) => m.id));
        for (const held of store.heldSince(this.id, plan.channel, time)) {
          // `seq` holds the Cryptolens message id for everything this source stored.
          if (held.seq !== null && !listed.has(held.seq)) removed.push({ channel: plan.channel, id: held.id });
        }
      }
    }
    const result = store.apply(this.id, { messages, cursors, historyChannels: history, now: clientNow, removed, serverNow });
    for (const channel of swept) store.setMeta(sweepKey(channel), String(clientNow));
    for (const d of dropped) store.log(this.id, clientNow, false, `dropped ${d}`);
    return {
      ok: true, changed: result.inserted.length > 0 || result.retracted > 0, status: 200, retryAfterSec: null, maxAgeSec: null, authFailed: false, result,
      detail: `${result.inserted.length} new${result.retracted ? `, ${result.retracted} removed` : ''}${dropped.length ? `, ${dropped.length} dropped` : ''}`,
    };
  }

  /** JSON content carrying a signed v1 record is verified and typed; anything else is untrusted text. */
  private async convert(m: CryptolensMessage, update: boolean, keys: KeyRing) {
    const trimmed = m.content.trimStart();
    if (trimmed.startsWith('{')) {
      let json: unknown = null;
      try {
        json = JSON.parse(trimmed);
      } catch {
        // not JSON after all: free text
      }
      const asRecord = json && typeof json === 'object' && 'sig' in json && 'kind' in json
        ? schemas({ allowLoopbackHttp: this.opts.allowLoopbackHttp }).publish.safeParse(json) : null;
      if (asRecord?.success) {
        if (asRecord.data.channel !== m.channel) return { ok: false as const, reason: `message ${m.id}: record for channel ${asRecord.data.channel} served on ${m.channel}` };
        return fromV1Record(asRecord.data, keys, m.created, m.id);
      }
      if (asRecord && !asRecord.success) return { ok: false as const, reason: `message ${m.id}: a v1 record that does not match the schema` };
    }
    const msg: IncomingMessage = {
      id: `cl-${m.id}`, seq: m.id, channel: m.channel, kind: update ? 'note' : 'news', trusted: false,
      created: m.created, expires: null, version: null, critical: false, retracts: null,
      title: firstLine(m.content), link: extractLink(m.content), record: m,
    };
    return { ok: true as const, message: msg };
  }
}
