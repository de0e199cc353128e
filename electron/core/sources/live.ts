// Live push for a feed v1 source: one SSE stream per followed channel. A `message` event (or a reconnect) only
// triggers the ordinary check, so everything still goes through the cursor, validation and one transaction;
// polling stays the fallback. Message events are de-duplicated by their seq (the SSE id): one at or below the
// highest seen, or below what the store already holds, starts no check (a replay after a reconnect, the same
// event from two nodes behind a balancer). Streams open after the stored cursor (`?after=`, then the library's
// Last-Event-ID on reconnects), and a channel never synced opens no stream until its first check has set one,
// so no start replays a channel's history (reliability.md case 55). How often events may start checks is the
// scheduler's business (`nudge`: never sooner than the feed's max-age). Timers run on the injected clock.
// A `holds` event (a rollout halted or resumed) triggers a check too. Both it and a retraction are urgent: they
// may come sooner than max-age (scheduler.ts nudgeAt), so that a recall reaches a fleet within seconds.
// `live` events (persistent: false) are verified and handed to the shell, never stored; a badly signed one is
// dropped.
import { EventSource } from 'eventsource';
import { isAllowedUrl } from '../../../shared/protocol/limits.ts';
import { z } from 'zod';
import { schemas, semverString } from '../../../shared/protocol/schemas.ts';
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import { feedV1Url } from './feed-url.ts';
import { systemClock, type Clock } from '../types.ts';

export interface LiveMessage {
  id: string;
  channel: string;
  title: string;
  body: string;
  /** Signed by a built-in key; unsigned live messages are untrusted text. */
  trusted: boolean;
  expires: number | null;
  /** The publisher's machine-readable code and JSON data (a host app reacts to them), if the message has them. */
  code: number | null;
  data: Record<string, unknown> | null;
}

export interface LiveOptions {
  url: string;
  token?: string;
  allowLoopbackHttp: boolean;
  keys: KeyRing;
  /** urgent: a recall or a halted rollout, which the publisher needs to reach clients within seconds. */
  onTrigger: (urgent: boolean) => void;
  onLive: (m: LiveMessage) => void;
  /** A `holds` event: the versions of this channel held now (replacing what the last heads answer said). */
  onHolds?: (channel: string, versions: string[]) => void;
  /** The highest seq already stored for a channel (the source's cursor), if any. */
  after?: (channel: string) => number | null;
  /** Coalesces bursts of events into one check. */
  debounceMs?: number;
  /** No byte (not even the 30 s heartbeat) for this long: reconnect. */
  idleMs?: number;
  clock?: Clock;
}

/**
 * Whether a message event carries a retraction. Not verified here: it only makes the next check come sooner (the
 * check verifies everything), and the scheduler still keeps urgent checks 5 s apart.
 */
function isRetraction(data: string): boolean {
  if (!data.includes('"retraction"')) return false;
  try {
    return (JSON.parse(data) as { kind?: unknown }).kind === 'retraction';
  } catch {
    return false;
  }
}

const holdsEvent = z.strictObject({ holds: z.array(semverString).max(100) });

/** The versions a `holds` event lists, or null when its data is not `{"holds":[…]}`. */
function heldVersions(data: string): string[] | null {
  try {
    const parsed = holdsEvent.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data.holds : null;
  } catch {
    return null;
  }
}

export class LiveSubscription {
  private readonly o: LiveOptions;
  private streams = new Map<string, { es: EventSource; watchdog: unknown }>();
  private debounce: unknown = null;
  private readonly clock: Clock;
  /** Channels waiting for their first sync before a stream opens (a check was asked for once). */
  private readonly waiting = new Set<string>();
  /** Highest message seq seen per channel, kept across reconnects. */
  private readonly seen = new Map<string, number>();

  constructor(opts: LiveOptions) {
    this.o = opts;
    this.clock = opts.clock ?? systemClock;
  }

  /** Follows exactly these channels (opening and closing streams as needed). Called again after each check. */
  follow(channels: readonly string[]): void {
    for (const [c] of this.streams) if (!channels.includes(c)) this.close(c);
    for (const c of this.waiting) if (!channels.includes(c)) this.waiting.delete(c);
    for (const c of channels) if (!this.streams.has(c)) this.open(c);
  }

  stop(): void {
    for (const [c] of this.streams) this.close(c);
    this.waiting.clear();
    if (this.debounce !== null) this.clock.clearTimeout(this.debounce);
    this.debounce = null;
  }

  /** An urgent event (a retraction, a halt or resume) came during the debounce. */
  private urgent = false;

  private trigger(urgent = false): void {
    this.urgent ||= urgent;
    if (this.debounce !== null) return;
    this.debounce = this.clock.setTimeout(() => {
      this.debounce = null;
      const u = this.urgent;
      this.urgent = false;
      this.o.onTrigger(u);
    }, this.o.debounceMs ?? 500);
  }

  /** The stored cursor of a channel: null when it was never synced (or the store is closing). */
  private stored(channel: string): number | null {
    try {
      return this.o.after ? this.o.after(channel) : 0;
    } catch {
      return null;
    }
  }

  /** The highest seq this client knows of on a channel: seen on the stream or already stored. */
  private known(channel: string): number {
    // The store may be closing (null); the stream's own record still de-duplicates.
    return Math.max(this.seen.get(channel) ?? 0, this.stored(channel) ?? 0);
  }

  /** A message event starts a check unless its seq is already known. An event without a usable id always does. */
  private message(channel: string, lastEventId: string, data: string): void {
    if (/^\d{1,15}$/.test(lastEventId)) {
      const seq = Number(lastEventId);
      if (seq <= this.known(channel)) return;
      this.seen.set(channel, seq);
    }
    this.trigger(isRetraction(data));
  }

  private close(channel: string): void {
    const s = this.streams.get(channel);
    if (!s) return;
    if (s.watchdog !== null) this.clock.clearTimeout(s.watchdog);
    s.es.close();
    this.streams.delete(channel);
  }

  private open(channel: string): void {
    if (this.stored(channel) === null && !this.seen.has(channel)) {
      // Never synced: a stream opened now would replay the channel's whole history. The first check sets the
      // cursor (at the head), and the next follow() opens the stream after it.
      if (!this.waiting.has(channel)) {
        this.waiting.add(channel);
        this.trigger();
      }
      return;
    }
    this.waiting.delete(channel);
    const after = this.known(channel);
    const url = feedV1Url(this.o.url, `channels/${encodeURIComponent(channel)}/events?after=${after}`);
    if (!isAllowedUrl(url, this.o.allowLoopbackHttp)) return;
    const entry = { es: null as unknown as EventSource, watchdog: null as unknown };
    const kick = () => {
      if (entry.watchdog !== null) this.clock.clearTimeout(entry.watchdog);
      entry.watchdog = this.clock.setTimeout(() => {
        // A silent stream (a dead NAT mapping, a proxy holding it open): reconnect from scratch.
        this.close(channel);
        this.open(channel);
      }, this.o.idleMs ?? 90_000);
    };
    const token = this.o.token;
    entry.es = new EventSource(url, {
      fetch: async (input, init) => {
        const res = await fetch(input, { ...init, redirect: 'error', headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
        const body = res.body;
        if (!body) return res;
        // Watch every chunk (heartbeats included) for the idle deadline.
        const reader = body.getReader();
        kick();
        const watched = { getReader: () => ({ read: async () => { const r = await reader.read(); kick(); return r; }, cancel: () => reader.cancel() }) };
        return { body: watched, url: res.url, status: res.status, redirected: res.redirected, headers: res.headers };
      },
    });
    // (Re)connected: whatever happened while we were away is fetched by a normal check.
    entry.es.addEventListener('open', () => this.trigger());
    entry.es.addEventListener('message', (ev: MessageEvent) => this.message(channel, ev.lastEventId, String(ev.data)));
    entry.es.addEventListener('live', (ev: MessageEvent) => void this.live(channel, String(ev.data)));
    // A rollout on this channel was halted or resumed (issue 15, docs/protocol.md "Holds"): the holds come with
    // the heads of an ordinary check, so the event only asks for one (the data is not trusted for anything).
    entry.es.addEventListener('holds', (ev: MessageEvent) => {
      // The event says which versions are held now: applied at once, so a download in flight stops within the
      // event's delivery rather than at the check it starts (the 10,000-companion simulation: the installs that
      // overshoot a self-halt are the ones in flight). Unsigned like the heads answer, and like it it can only
      // withhold; the check it starts then brings the heads answer, which replaces it.
      const holds = heldVersions(String(ev.data));
      if (holds) this.o.onHolds?.(channel, holds);
      this.trigger(true);
    });
    this.streams.set(channel, entry);
  }

  private async live(channel: string, data: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    if (!json || typeof json !== 'object') return;
    // The server adds `created` to a live message; the signed fields are everything else.
    const { sig, seq: _seq, created: _created, ...rest } = json as { sig?: unknown; seq?: unknown; created?: unknown };
    const s = schemas({ allowLoopbackHttp: this.o.allowLoopbackHttp });
    const parsed = sig === null ? s.unsigned.safeParse(rest) : s.publish.safeParse({ ...rest, sig });
    if (!parsed.success || parsed.data.channel !== channel || parsed.data.kind === 'release') return;
    const v = await this.o.keys.verify(json as { sig?: unknown });
    if (!v.ok && v.reason !== 'unsigned') return; // badly signed: dropped
    const m = parsed.data;
    this.o.onLive({ id: m.id, channel: m.channel, title: m.title, body: m.body, trusted: v.ok, expires: m.expires ?? null, code: m.code ?? null, data: (m.data as Record<string, unknown> | undefined) ?? null });
  }
}
