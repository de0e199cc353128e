// Builds the feed service: Fastify with a strict JSON parser, token auth, rate limits, the feed v1 routes,
// SSE and the Cryptolens-compatible dialect over one FeedStore.
import Fastify, { type FastifyInstance } from 'fastify';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MAX_PUBLISH_BODY_BYTES } from '../shared/protocol/limits.ts';
import { defaults, type ServerConfig } from './config.ts';
import { HttpError, toHttpError } from './errors.ts';
import { decodeFormBody } from './form.ts';
import { Hub } from './hub.ts';
import { authenticate, peekAuthenticated, type Presented } from './auth.ts';
import { openStore } from './store/index.ts';
import type { FeedStore } from './store/types.ts';
import { registerV1 } from './routes/v1.ts';
import { registerKeys } from './routes/keys.ts';
import { fastReads, routineReads, type FastDeps } from './routes/fast.ts';
import { LiveLane } from './routes/live.ts';
import { RoutineLane } from './routes/routine.ts';
import { registerEvents, type SseRegistry } from './routes/events.ts';
import { registerCryptolens, cryptolensError, isCryptolensPath } from './routes/cryptolens.ts';
import { registerLegacy } from './routes/legacy.ts';
import { registerReports } from './routes/reports.ts';
import { registerConsole } from './console/index.ts';
import { Publishers } from './publishers.ts';
import { RateLimiter } from './ratelimit.ts';
import { SelfHalt } from './halts.ts';

declare module 'fastify' {
  interface FastifyRequest {
    token: Presented;
  }
}

export interface Service {
  app: FastifyInstance;
  store: FeedStore;
  hub: Hub;
  config: ServerConfig;
  /** The lanes that serve connections on their raw sockets (what they hold now is observable in tests). */
  lanes: { live: LiveLane; routine: RoutineLane };
}

/** A connection that fails before its first byte is simply gone (node:http never knew it). */
/** How long a new connection may stay silent before it is closed (node:http's headersTimeout is 60 s). */
const SILENCE_MS = 60_000;
/** Idle keep-alive connections are closed after this (Fastify's default, above a load balancer's 60 s). */
const KEEP_ALIVE_MS = 72_000;

function dropSilent(this: Socket): void {
  this.destroy();
}

/** Normalizes Cryptolens paths: case-insensitive, doubled slashes and a trailing slash tolerated. */
function rewriteUrl(raw: string): string {
  // Fast path for every feed v1 request: a Cryptolens path starts with "//…" or "/a…"/"/A…".
  const c = raw.charCodeAt(1);
  if (c !== 47 && (c | 32) !== 97) return raw;
  if (!/^\/+api\//i.test(raw)) return raw;
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/').replace(/\/$/, '').toLowerCase();
  return path + (q < 0 ? '' : raw.slice(q));
}

export async function buildService(config: ServerConfig, given?: FeedStore): Promise<Service> {
  const store = given ?? (await openStore(config.db));
  // The routine reads are answered on node:http before Fastify sees them (routes/fast.ts); set below,
  // once the v1 routes exist.
  let fast: (req: IncomingMessage, res: ServerResponse) => boolean = () => false;
  // Live subscribers served on their raw sockets (routes/live.ts); set below with the routes.
  let live: LiveLane | null = null;
  // Keep-alive connections of routine reads served on their raw sockets (routes/routine.ts).
  let routine: RoutineLane | null = null;
  const silent = new Map<Socket, number>();
  function forgetSilent(this: Socket): void {
    silent.delete(this);
  }
  // A connection that has said nothing for 60 s (checked every 5 s) is closed.
  const silenceSweep = setInterval(() => {
    const old = Date.now() - SILENCE_MS;
    for (const [socket, since] of silent) if (since <= old) socket.destroy();
  }, 5000);
  silenceSweep.unref();
  // Set when shutdown begins (below).
  let closing = false;
  const app = Fastify({
    // Fastify's own server settings (keepAliveTimeout 72 s, no request timeout), with the fast lane first.
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        if (!fast(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      server.requestTimeout = 0;
      server.setTimeout(0);
      // A new connection's first packet is looked at before node:http gets it: a plain SSE request is
      // served on the raw socket; everything else is handed over untouched (the packet put back first).
      const httpConnection = server.listeners('connection')[0] as (socket: Socket) => void;
      server.removeAllListeners('connection');
      server.on('connection', (socket: Socket) => {
        if (!live || closing) return httpConnection.call(server, socket);
        // Until it speaks, a connection is ours: bound its silence as node:http's headersTimeout would
        // (one sweep for all, below: a per-socket timer would stay on the socket of every subscriber),
        // and close it at shutdown as node:http closes idle connections.
        silent.set(socket, Date.now());
        socket.on('error', dropSilent);
        socket.on('close', forgetSilent);
        socket.once('data', (chunk: Buffer) => {
          // Nothing of the sniffing stays on the socket (an idle subscriber keeps only what it needs).
          silent.delete(socket);
          // In the reverse order of adding (harmless; a heap snapshot showed no difference from the
          // other order).
          socket.removeListener('close', forgetSilent);
          socket.removeListener('error', dropSilent);
          // node:http takes the connection with `rest` as its first bytes. Paused first, so the bytes put
          // back are read before any that arrive later.
          const handOff = (rest: Buffer) => {
            socket.pause();
            if (rest.length > 0) socket.unshift(rest);
            httpConnection.call(server, socket);
            socket.resume();
          };
          // The live lane hands over before answering anything: the whole packet.
          if (!live?.take(socket, chunk, () => handOff(chunk)) && !routine?.take(socket, chunk, handOff)) handOff(chunk);
        });
      });
      return server;
    },
    logger: config.logger ? { level: 'info' } : false,
    bodyLimit: MAX_PUBLISH_BODY_BYTES,
    rewriteUrl: (req) => rewriteUrl(req.url ?? '/'),
    // Our own 503 during shutdown (below): Fastify's built-in one has neither our error shape nor Retry-After.
    return503OnClosing: false,
    trustProxy: false,
  });
  const hub = new Hub();
  const now = config.now ?? (() => Math.floor(Date.now() / 1000));
  const publishers = new Publishers(store, config.publisherKeys);
  const sse: SseRegistry = new Set();

  // Strict JSON: invalid UTF-8 is refused (not replaced with U+FFFD), so what is signed is what is stored.
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body as Buffer);
    } catch {
      done(new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8', ''), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HttpError(400, 'invalid_json', 'the body is not valid JSON', ''), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, decodeFormBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  // Set when shutdown begins. Requests still arriving on open keep-alive connections are refused with a
  // typed 503 and Retry-After, so clients and load balancers retry elsewhere; requests already in flight
  // (publishes included) run to the end. (`closing` is declared above, for the connection handler.)
  // Callback-style hooks: no promise per request on the routine check (a request without Authorization
  // needs no lookup at all).
  app.addHook('onRequest', (req, _reply, done) => {
    if (closing) {
      done(new HttpError(503, 'shutting_down', 'the service is shutting down; retry shortly', undefined, { 'Retry-After': '1', Connection: 'close' }));
      return;
    }
    req.token = undefined;
    const header = req.headers.authorization;
    if (header === undefined || isCryptolensPath(req.url)) {
      done();
      return;
    }
    // A token verified recently (and not changed since on any node) is known without I/O.
    const known = peekAuthenticated(store, header);
    if (known !== undefined) {
      req.token = known;
      done();
      return;
    }
    authenticate(store, header).then((t) => {
      req.token = t;
      done();
    }, done);
  });

  // Rate limits: per token (its id), else per IP; checked after authentication (and, for forms, after
  // the body named the token), before the handler. Unknown paths (404) are not counted, as before.
  const limiter = new RateLimiter(60_000);
  app.addHook('preHandler', (req, reply, done) => {
    if (req.is404) {
      done();
      return;
    }
    const publish = (req.routeOptions.config as { publish?: boolean } | undefined)?.publish === true;
    // Reads and publishes count on separate keys (docs/protocol.md: separate budgets): sharing one counter let
    // 60 reads of any kind, such as a console page refreshing, use up a publisher's changes for the minute.
    const who = req.token ? `t:${req.token.id}` : `ip:${req.ip}`;
    const v = limiter.hit(publish ? `p${who}` : who, publish ? config.publishRateLimit : config.readRateLimit);
    if (v.ok) {
      done();
      return;
    }
    done(new HttpError(429, 'rate_limited', `too many requests; retry after ${v.retryAfter} s`, undefined, { 'Retry-After': String(v.retryAfter) }));
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toHttpError(err);
    if (e.status >= 500) req.log.error({ err }, 'unexpected error');
    for (const [k, v] of Object.entries(e.headers)) void reply.header(k, v);
    if (e.status === 429 && !reply.hasHeader('Retry-After')) void reply.header('Retry-After', '60');
    if (isCryptolensPath(req.url)) return reply.code(e.status).send(cryptolensError(e));
    return reply.code(e.status).type('application/json; charset=utf-8').send(e.body());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new HttpError(404, 'not_found', `no such endpoint: ${req.method} ${req.url.split('?')[0]}`);
    if (isCryptolensPath(req.url)) return reply.code(404).send(cryptolensError(e));
    return reply.code(404).send(e.body());
  });

  const unsubscribe = store.subscribe((e) => hub.emit(e));
  const read = registerV1(app, { store, config, now, publishers });
  const lane = new LiveLane({
    store,
    hub,
    publicRead: config.publicRead,
    readRateLimit: config.readRateLimit,
    pageBytes: config.pageBytes,
    heartbeatMs: config.heartbeatMs,
    limiter,
    authenticate: (header) => peekAuthenticated(store, header) ?? authenticate(store, header).then((t) => t ?? null),
    closing: () => closing,
  });
  live = lane;
  sse.add(() => {
    lane.endAll();
    routine?.endAll();
    for (const s of silent.keys()) s.destroy();
  });
  app.addHook('onClose', async () => {
    clearInterval(silenceSweep);
    lane.close();
    routine?.close();
  });
  const reads: FastDeps = {
    store,
    publicRead: config.publicRead,
    readRateLimit: config.readRateLimit,
    limiter,
    read,
    peekToken: (header) => peekAuthenticated(store, header),
    verifyToken: (header) => authenticate(store, header),
    closing: () => closing,
  };
  fast = fastReads(reads);
  const routineLane = new RoutineLane({
    answer: routineReads(reads),
    cacheControl: read.cacheControl,
    keepAliveMs: KEEP_ALIVE_MS,
    closing: () => closing,
  });
  routine = routineLane;
  registerKeys(app, { store, config, now, publishers });
  registerEvents(app, { store, hub, config, registry: sse });
  registerCryptolens(app, { store, config, now });
  registerLegacy(app, { store, config });
  const selfHalt = new SelfHalt(store, now);
  registerReports(app, { store, config, now, selfHalt });
  registerConsole(app, { store, config, now, publishers });

  // Graceful shutdown: stop accepting, end SSE streams (clients reconnect elsewhere with Last-Event-ID),
  // let in-flight publishes finish, then close the database.
  let sweep: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    for (const end of sse) end();
    // Keep-alive connections that finish their last request after close began are not idle at that
    // moment; keep closing idle ones so a finished connection never holds the shutdown open.
    sweep = setInterval(() => app.server.closeIdleConnections(), 50);
  });
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    unsubscribe();
    await store.close();
  });
  return { app, store, hub, config, lanes: { live: lane, routine: routineLane } };
}

export interface StartOptions extends Partial<Omit<ServerConfig, 'db'>> {
  db: string;
}

/** Starts a service on a port (0 = any free one) and resolves once it listens. */
export async function startServer(opts: StartOptions): Promise<{ url: string; store: FeedStore; hub: Hub; app: FastifyInstance; lanes: Service['lanes']; close(): Promise<void> }> {
  const config: ServerConfig = { ...defaults, logger: false, ...opts };
  const svc = await buildService(config);
  await svc.app.listen({ host: config.host, port: config.port });
  const addr = svc.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, store: svc.store, hub: svc.hub, app: svc.app, lanes: svc.lanes, close: () => svc.app.close() };
}
