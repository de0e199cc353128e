// Server-Sent Events per channel: replay from Last-Event-ID (or ?after=), then live messages, with a
// comment heartbeat. Subscribing before the replay and dropping anything at or below the replayed seq
// means no message falls between replay and live, and none is sent twice.
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.ts';
import type { Hub, HubEvent } from '../hub.ts';
import { requireScope } from '../auth.ts';
import type { FeedStore } from '../store/types.ts';
import { channelParam, intParam } from './http.ts';
import { badRequest } from '../errors.ts';

/** Functions that end each open stream (used at shutdown). */
export type SseRegistry = Set<() => void>;

interface Deps {
  store: FeedStore;
  hub: Hub;
  config: ServerConfig;
  registry: SseRegistry;
}

/** A slow reader whose unsent data passes this is dropped; it reconnects with Last-Event-ID. */
const MAX_BUFFERED = 1024 * 1024;

/** An event's SSE frame, formatted once however many subscribers receive it. */
const frames = new WeakMap<HubEvent, string>();
function frame(e: HubEvent): string {
  let text = frames.get(e);
  if (text === undefined) {
    text = e.event === 'holds' ? `event: holds\ndata: ${e.json}\n\n` : e.seq === undefined ? `event: live\ndata: ${e.json}\n\n` : `id: ${e.seq}\nevent: message\ndata: ${e.json}\n\n`;
    frames.set(e, text);
  }
  return text;
}

export function registerEvents(app: FastifyInstance, { store, hub, config, registry }: Deps): void {
  // One timer beats for every open stream (a timer per subscriber costs memory at 10,000 subscribers).
  const beats = new Set<() => void>();
  const timer = setInterval(() => { for (const beat of beats) beat(); }, config.heartbeatMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.get('/v1/channels/:channel/events', async (req, reply) => {
    const channel = channelParam((req.params as { channel?: string }).channel);
    requireScope(req.token, 'read', channel, config.publicRead);
    const lastEventId = req.headers['last-event-id'];
    let after: number;
    if (typeof lastEventId === 'string' && lastEventId !== '') {
      if (!/^\d{1,15}$/.test(lastEventId)) throw badRequest('Last-Event-ID', 'must be a message seq');
      after = Number(lastEventId);
    } else {
      after = intParam('after', (req.query as { after?: unknown }).after, 0, 0, Number.MAX_SAFE_INTEGER);
    }

    // Subscribe, then read the first replay page before answering: if the database is unreachable the
    // reader gets a typed 503 with Retry-After (the error handler), not a stream that ends at once.
    let pending: HubEvent[] | null = [];
    let deliver: (e: HubEvent) => void = () => {};
    const unsubscribe = hub.subscribe(channel, (e) => (pending ? pending.push(e) : deliver(e)));
    let page;
    try {
      page = await store.page(channel, after, 100, config.pageBytes);
    } catch (err) {
      unsubscribe();
      throw err;
    }

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');

    let closed = false;
    let sent = after;
    const write = (text: string) => {
      if (closed) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED) end();
    };
    const send = (e: HubEvent) => {
      if (e.seq !== undefined) {
        if (e.seq <= sent) return;
        sent = e.seq;
      }
      write(frame(e));
    };
    deliver = send;
    const heartbeat = () => write(': heartbeat\n\n');
    beats.add(heartbeat);
    function end() {
      if (closed) return;
      closed = true;
      beats.delete(heartbeat);
      unsubscribe();
      registry.delete(end);
      res.end();
    }
    registry.add(end);
    res.on('close', end);
    // The reader may have gone while the first page was read (before 'close' was listened for).
    if (res.destroyed || !res.socket || res.socket.destroyed) {
      end();
      return;
    }

    try {
      // Replay what the reader missed, page by page (retracted messages are skipped by the store).
      for (;;) {
        for (const item of page.items) send({ channel, seq: item.seq, json: item.json });
        if (closed || !page.more) break;
        sent = Math.max(sent, page.next);
        page = await store.page(channel, sent, 100, config.pageBytes);
      }
    } catch (err) {
      req.log.error({ err }, 'SSE replay failed');
      end();
      return;
    }
    const queued = pending;
    pending = null;
    for (const e of queued) send(e);
  });
}
