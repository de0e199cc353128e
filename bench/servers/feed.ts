// The feed service under benchmark, in its own process: a temp SQLite database, public reads (unless
// BENCH_PUBLIC=0), no logger, rate limits high enough that no benchmark measures 429s. It seeds a news
// message and releases on `stable` (the newest two make a page of about 1 KB), then reports its URL, tokens and key over IPC.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, toBase64 } from '../../shared/protocol/signing.ts';
import { newsRecord, publish, releaseRecord } from '../lib/records.ts';
import { openFilesLimit, rssAfterGc, serveIpc } from '../lib/proc.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('SIGTERM', () => { cleanup(); process.exit(0); });
process.on('exit', cleanup);

const key = await generateSigningKey();
const server = await startServer({
  // BENCH_DB: a postgres:// URL shared by several nodes (the scale-out row); else a temp SQLite file.
  db: process.env.BENCH_DB ?? join(dir, 'feed.db'),
  host: '127.0.0.1',
  port: 0,
  publicRead: process.env.BENCH_PUBLIC !== '0',
  logger: false,
  readRateLimit: 10_000_000,
  publishRateLimit: 10_000_000,
  publisherKeys: [key.publicKey],
});
const now = Math.floor(Date.now() / 1000);
const publishToken = (await createToken(server.store, { name: 'bench-ci', scopes: ['publish'], channels: null, now })).token;
const readToken = (await createToken(server.store, { name: 'bench-app', scopes: ['read'], channels: null, now })).token;

async function must(p: Promise<{ status: number; body: string }>): Promise<number> {
  const r = await p;
  if (r.status !== 201) throw new Error(`seed publish failed: ${r.status} ${r.body}`);
  return (JSON.parse(r.body) as { seq: number }).seq;
}
const pageOf = async (after: number) => (await fetch(`${server.url}/v1/channels/stable/messages?after=${after}`, { headers: { authorization: `Bearer ${readToken}` } })).text();

// The changed check reads a page of the two newest releases (two signed releases are ~1.1 KB).
await must(publish(server.url, publishToken, newsRecord('Welcome to Tidings'), key));
await must(publish(server.url, publishToken, releaseRecord('1.0.0', 'First release.'), key));
const p1 = await must(publish(server.url, publishToken, releaseRecord('1.0.1', 'Bug fixes.'), key));
await must(publish(server.url, publishToken, releaseRecord('1.1.0', 'Bug fixes.'), key));
await must(publish(server.url, publishToken, releaseRecord('1.1.1', 'Bug fixes.'), key));
const page = await pageOf(p1);

// Times the hub's synchronous fan-out (every subscriber's write) without touching server/.
let lastFanoutMs = 0;
const emit = server.hub.emit.bind(server.hub);
server.hub.emit = (e) => {
  const t = performance.now();
  emit(e);
  lastFanoutMs = performance.now() - t;
};

serveIpc(async (msg) => {
  if (msg.cmd === 'rss') return { rss: await rssAfterGc(), subscribers: server.hub.subscribers };
  if (msg.cmd === 'fanout') return { ms: lastFanoutMs };
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
process.send?.({
  ready: true,
  url: server.url,
  publishToken,
  readToken,
  publicKey: key.publicKey,
  pkcs8: toBase64(key.pkcs8),
  pageAfter: p1,
  pageBytes: Buffer.byteLength(page),
  newsHead: (await server.store.channelHead('news')) ?? 0,
  openFiles: await openFilesLimit(),
});
