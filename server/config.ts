// Service configuration from flags and environment (flags win). Parsed once at start; bad values stop
// the service with one clear line instead of a half-working server.
import { parseArgs } from 'node:util';
import { PAGE_BUDGET_BYTES } from '../shared/protocol/limits.ts';

export interface ServerConfig {
  db: string;
  host: string;
  port: number;
  /** Read endpoints need no token. */
  publicRead: boolean;
  /** Publisher public keys (base64 raw Ed25519) trusted in addition to those stored in the database. */
  publisherKeys: string[];
  /** Accept http:// asset URLs on loopback hosts (development and tests). */
  allowLoopbackHttp: boolean;
  /** Cache-Control max-age for GETs, seconds: the client's minimum poll interval. */
  maxAge: number;
  /** SSE heartbeat interval, ms. */
  heartbeatMs: number;
  /** Requests per minute per token, and per IP for anonymous requests. */
  readRateLimit: number;
  /** Publishes per minute per token. */
  publishRateLimit: number;
  /** Byte budget of one page of messages (UTF-8), under the companion's cap on a whole answer. */
  pageBytes: number;
  logger: boolean;
  /** Injected clock (unix seconds), for tests. */
  now?: () => number;
  /** The publisher console (docs/console.md): where its built bundle is (default out/console), whether its
   * cookie is always Secure (behind a TLS proxy; it is anyway on https requests), sign-ins per minute per IP. */
  console?: { dir?: string; secureCookie?: boolean; signInsPerMinute?: number };
}

export const defaults: Omit<ServerConfig, 'db'> = {
  host: '127.0.0.1',
  port: 8787,
  publicRead: false,
  publisherKeys: [],
  allowLoopbackHttp: false,
  maxAge: 60,
  heartbeatMs: 20_000,
  readRateLimit: 600,
  publishRateLimit: 60,
  pageBytes: PAGE_BUDGET_BYTES,
  logger: true,
};

export class ConfigError extends Error {}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const truthy = (v: string | undefined) => v === '1' || v === 'true' || v === 'yes';

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        public: { type: 'boolean' },
        key: { type: 'string', multiple: true },
        'allow-insecure-loopback': { type: 'boolean' },
        'max-age': { type: 'string' },
        'rate-limit': { type: 'string' },
        'publish-rate-limit': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new ConfigError('help');
  const keys = [...(v.key ?? []), ...(env.TIDINGS_PUBLISHER_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean)];
  return {
    ...defaults,
    db: v.db ?? env.TIDINGS_DB ?? './tidings-feed.db',
    host: v.host ?? env.TIDINGS_HOST ?? defaults.host,
    port: int('--port', v.port ?? env.PORT ?? env.TIDINGS_PORT, defaults.port, 0, 65535),
    publicRead: v.public ?? truthy(env.TIDINGS_PUBLIC),
    publisherKeys: keys,
    allowLoopbackHttp: v['allow-insecure-loopback'] ?? truthy(env.TIDINGS_ALLOW_INSECURE_LOOPBACK),
    maxAge: int('--max-age', v['max-age'] ?? env.TIDINGS_MAX_AGE, defaults.maxAge, 0, 86_400),
    readRateLimit: int('--rate-limit', v['rate-limit'] ?? env.TIDINGS_RATE_LIMIT, defaults.readRateLimit, 1, 10_000_000),
    publishRateLimit: int('--publish-rate-limit', v['publish-rate-limit'] ?? env.TIDINGS_PUBLISH_RATE_LIMIT, defaults.publishRateLimit, 1, 10_000_000),
    logger: !(v.quiet ?? false),
  };
}

export const usage = `Usage: npm run server -- [options]

  --db <file | postgres://…>   where the feed lives (env TIDINGS_DB):
                                 a SQLite file for one node (default ./tidings-feed.db), or
                                 postgres://user:password@host:5432/dbname (also postgresql://) for
                                 several nodes sharing one PostgreSQL database; the first node to start
                                 creates the schema. See docs/operations.md.
  --host <addr>                address to listen on (default 127.0.0.1; env TIDINGS_HOST)
  --port <n>                   port (default 8787; env PORT)
  --public                     readers need no token (env TIDINGS_PUBLIC=1)
  --key <base64>               trust a publisher public key (repeatable; env TIDINGS_PUBLISHER_KEYS=a,b)
  --allow-insecure-loopback    accept http:// asset URLs on localhost (development only)
  --max-age <s>                Cache-Control max-age of feed reads (default 60)
  --rate-limit <n>             requests per minute per token or IP (default 600)
  --publish-rate-limit <n>     publishes per minute per token (default 60)
  --quiet                      no request log
`;
