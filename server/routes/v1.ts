// Feed v1 read and publish endpoints (protocol.md "Feed v1 endpoints" and "Precise rules").
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../../shared/protocol/limits.ts';
import type { ServerConfig } from '../config.ts';
import { HttpError, badRequest } from '../errors.ts';
import { requireScope, readableChannels } from '../auth.ts';
import type { FeedStore, HeadsState } from '../store/types.ts';
import { refuseHaltedAdvance } from '../halts.ts';
import type { Publishers } from '../publishers.ts';
import { cacheControlOf, channelParam, intParam, notModified } from './http.ts';
import type { ReadState } from './fast.ts';
import { recordChecker, storeRecord } from './accept.ts';
import { KEYS_HEADER } from '../../shared/protocol/rotation.ts';

interface Deps {
  store: FeedStore;
  config: ServerConfig;
  now: () => number;
  publishers: Publishers;
}

function visible(all: Record<string, number>, allowed: string[] | null, asked: string[] | null): Record<string, number> {
  if (!allowed && !asked) return all;
  const out: Record<string, number> = {};
  for (const [name, head] of Object.entries(all)) {
    if (allowed && !allowed.includes(name)) continue;
    if (asked && !asked.includes(name)) continue;
    out[name] = head;
  }
  return out;
}

/** Holds of the visible channels only. */
function visibleHolds(holds: Record<string, string[]>, heads: Record<string, number>): Record<string, string[]> | null {
  let out: Record<string, string[]> | null = null;
  for (const [name, versions] of Object.entries(holds)) if (name in heads && versions.length > 0) (out ??= {})[name] = versions;
  return out;
}

/** The heads document: `holds` only while some visible rollout is halted (docs/protocol.md "Holds"). */
function headsBody(heads: Record<string, number>, holds: Record<string, string[]>): string {
  const shown = visibleHolds(holds, heads);
  return JSON.stringify(shown ? { heads, holds: shown } : { heads });
}

/** `-h<generation>` once any rollout was ever halted, so a feed that never halted keeps its ETags byte for byte. */
const holdTag = (generation: number) => (generation > 0 ? `-h${generation}` : '');

function jsonOnly(req: FastifyRequest): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
}

export function registerV1(app: FastifyInstance, { store, config, now, publishers }: Deps): ReadState {
  const checkRecord = recordChecker({ config, publishers });
  // The unfiltered heads document is the routine check of every client: computed once per feed change.
  let headsCache: { global: number; holdGeneration: number; body: string; bytes: Buffer | null } | null = null;
  const headsFor = (state: HeadsState) => {
    if (!headsCache || headsCache.global !== state.global || headsCache.holdGeneration !== state.holdGeneration) {
      headsCache = { global: state.global, holdGeneration: state.holdGeneration, body: headsBody(state.heads, state.holds), bytes: null };
    }
    return headsCache;
  };
  const pageCache = new Map<string, Buffer>();
  let pageCacheBytes = 0;
  const remember = (key: string, body: Buffer) => {
    pageCache.set(key, body);
    pageCacheBytes += body.length;
    // Oldest first out, up to 32 MiB of rendered pages.
    for (const [k, v] of pageCache) {
      if (pageCacheBytes <= 32 * 1024 * 1024) break;
      pageCache.delete(k);
      pageCacheBytes -= v.length;
    }
  };

  app.get('/v1/health', async () => ({ ok: true, head: await store.globalHead() }));

  const cacheControl = cacheControlOf(config);
  // The unfiltered ETag, rebuilt only when the feed's head or its holds move.
  let plainTag = { global: -1, holdGeneration: -1, etag: '' };
  const plainEtag = (global: number, holdGeneration: number) => {
    if (plainTag.global !== global || plainTag.holdGeneration !== holdGeneration) plainTag = { global, holdGeneration, etag: `"${store.epoch}-${global}${holdTag(holdGeneration)}"` };
    return plainTag.etag;
  };

  const sendHeads = async (reply: FastifyReply, allowed: string[] | null, asked: string[] | null, state: HeadsState) => {
    // A changed heads answer names the newest key rotation statement, so companions fetch the chain then
    // (docs/key-rotation.md); the routine 304 stays as it is.
    const keySeq = await publishers.advertisedSeq();
    if (keySeq > 0) void reply.header(KEYS_HEADER, String(keySeq));
    if (!allowed && !asked) return reply.type('application/json; charset=utf-8').send(headsFor(state).body);
    return reply.type('application/json; charset=utf-8').send(headsBody(visible(state.heads, allowed, asked), state.holds));
  };
  /** A 304 is answered at once (undefined: already sent); anything else continues in sendHeads. */
  const heads = (req: FastifyRequest, reply: FastifyReply, asked: string[] | null, state: HeadsState) => {
    const allowed = readableChannels(req.token);
    const filterTag = allowed || asked ? `-${[...(allowed ?? ['*'])].join('.')}~${(asked ?? ['*']).join('.')}` : '';
    const etag = filterTag === '' ? plainEtag(state.global, state.holdGeneration) : `"${store.epoch}-${state.global}${holdTag(state.holdGeneration)}${filterTag}"`;
    if (notModified(req, reply, etag, cacheControl)) return undefined;
    return sendHeads(reply, allowed, asked, state);
  };

  // Not async: the routine check (heads known in memory, If-None-Match matching) is answered without a
  // promise; anything else continues in `heads`.
  app.get('/v1/heads', (req, reply) => {
    requireScope(req.token, 'read', undefined, config.publicRead);
    const q = req.query as { channels?: unknown };
    let asked: string[] | null = null;
    if (q.channels !== undefined) {
      if (typeof q.channels !== 'string') throw badRequest('channels', 'must be a comma-separated list of channel names');
      asked = q.channels.split(',').filter(Boolean).map((c) => channelParam(c));
    }
    const known = store.peekHeads();
    if (known === undefined) return store.headsState().then((state): unknown => heads(req, reply, asked, state) ?? reply);
    return heads(req, reply, asked, known);
  });

  app.get('/v1/channels', async (req, reply) => {
    requireScope(req.token, 'read', undefined, config.publicRead);
    const allowed = readableChannels(req.token);
    const global = await store.globalHead();
    if (notModified(req, reply, `"${store.epoch}-c${global}${allowed ? '-' + allowed.join('.') : ''}"`, cacheControl)) return reply;
    const channels = (await store.channels()).filter((c) => !allowed || allowed.includes(c.name));
    return { channels };
  });

  /** Renders a page, caching it when it matches the head it was asked for (cacheKey: see the route below). */
  const render = async (cacheKey: string, channel: string, after: number, limit: number, head: number): Promise<Buffer> => {
    const page = await store.page(channel, after, limit, config.pageBytes);
    const body = Buffer.from(`{"channel":${JSON.stringify(channel)},"messages":[${page.items.map((i) => i.json).join(',')}],"next":${page.next},"head":${page.head},"more":${page.more}}`);
    // Only cache what matches the head we validated against (a publish may have landed in between).
    if (page.head === head) remember(cacheKey, body);
    return body;
  };
  const pageKey = (channel: string, after: number, limit: number, head: number) => `${channel}\u0000${after}\u0000${limit}\u0000${head}`;

  // Not async either: with the head known in memory, a 304 or an already rendered page is sent at once.
  app.get('/v1/channels/:channel/messages', (req, reply) => {
    const channel = channelParam((req.params as { channel?: string }).channel);
    requireScope(req.token, 'read', channel, config.publicRead);
    const q = req.query as { after?: unknown; limit?: unknown };
    const after = intParam('after', q.after, 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam('limit', q.limit, DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT);
    const known = store.peekHeads();
    const respond = (head: number) => {
      if (notModified(req, reply, `"${store.epoch}-${head}"`, cacheControl)) return undefined;
      // A page is fully determined by (channel, after, limit, head): every change, retractions included,
      // moves the head. So rendered pages can be reused until then.
      const cacheKey = pageKey(channel, after, limit, head);
      const cached = pageCache.get(cacheKey);
      if (cached !== undefined) {
        void reply.type('application/json; charset=utf-8').send(cached);
        return undefined;
      }
      return render(cacheKey, channel, after, limit, head).then((body) => reply.type('application/json; charset=utf-8').send(body));
    };
    if (known === undefined) return store.channelHead(channel).then((head) => respond(head ?? 0) ?? reply);
    return respond(known.heads[channel] ?? 0);
  });

  app.post('/v1/channels/:channel/messages', {
    config: { publish: true },
    // Who may publish is settled before the body is read; then content type, size, JSON, schema, signature.
    onRequest: async (req) => {
      requireScope(req.token, 'publish', channelParam((req.params as { channel?: string }).channel), false);
      jsonOnly(req);
    },
  }, async (req, reply) => {
    const channel = channelParam((req.params as { channel?: string }).channel);
    const record = await checkRecord(req.body, channel);
    await refuseHaltedAdvance(store, record);
    const accepted = await storeRecord({ store, now }, record);
    return reply.code(accepted.status).send(accepted.message);
  });

  // The same validators and rendered pages, for the routine reads answered before Fastify (fast.ts).
  return {
    cacheControl,
    headsEtag: plainEtag,
    cachedPage: (channel, after, limit, head) => pageCache.get(pageKey(channel, after, limit, head)),
    renderPage: (channel, after, limit, head) => render(pageKey(channel, after, limit, head), channel, after, limit, head),
    headsDocument: (state) => {
      const keys = publishers.peekAdvertisedSeq();
      if (keys === undefined) return undefined;
      const doc = headsFor(state);
      doc.bytes ??= Buffer.from(doc.body);
      return { body: doc.bytes, keys };
    },
    prepareHeads: () => publishers.advertisedSeq(),
  };
}
