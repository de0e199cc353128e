// The feed service of the rollout simulation (docs/simulation.md), in its own process: the real service on a
// temp SQLite database, public reads (the simulated companions carry no token), rate limits high enough that
// 10,000 companions behind one loopback address are not turned away, no logger. It creates a publisher key
// (trusted by the service) and a publish token and reports them over IPC with its URL; `rss` answers its RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, toBase64 } from '../../shared/protocol/signing.ts';
import { openFilesLimit, serveIpc } from '../lib/proc.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidings-sim-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('SIGTERM', () => { cleanup(); process.exit(0); });
process.on('exit', cleanup);

const key = await generateSigningKey();
const server = await startServer({
  db: join(dir, 'feed.db'),
  host: '127.0.0.1',
  port: 0,
  publicRead: true,
  logger: false,
  allowLoopbackHttp: true,
  // SIM_MAX_AGE: the service's Cache-Control max-age (its default 60 s unless the run says otherwise); a companion
  // paces the checks live events start by it (electron/core/scheduler.ts nudge).
  maxAge: Number(process.env.SIM_MAX_AGE ?? 60),
  readRateLimit: 10_000_000,
  publishRateLimit: 10_000_000,
  publisherKeys: [key.publicKey],
  console: { signInsPerMinute: 1000 },
});
const now = Math.floor(Date.now() / 1000);
const publishToken = (await createToken(server.store, { name: 'sim-publisher', scopes: ['publish'], channels: null, now })).token;

serveIpc(async (msg) => {
  if (msg.cmd === 'rss') return { rss: process.memoryUsage().rss, subscribers: server.hub.subscribers };
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
process.send?.({ ready: true, url: server.url, publishToken, publicKey: key.publicKey, pkcs8: toBase64(key.pkcs8), openFiles: await openFilesLimit() });
