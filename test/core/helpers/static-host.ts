// A tiny static host for exported feeds: files from a folder with strong ETags and 304s, the cache headers
// docs/operations.md recommends, and a configurable content type (static hosts label .json differently).
// It also serves a MiniFeed as a static export (exported again before every index.json request), so the
// feed v1 scenarios run unchanged against both the live API and a static export of the same records.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { TestContext } from 'node:test';
import { exportFeed } from '../../../server/export.ts';
import type { FeedStore, PageResult } from '../../../server/store/types.ts';
import { startFaultServer, type FaultServer, type Handler } from './fault-server.ts';
import type { MiniFeed } from './mini-feed.ts';
import { tempDir } from './tmp.ts';

export function serveDir(dir: string, opts: { contentType?: string } = {}): Handler {
  const root = resolve(dir);
  return (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(join(root, path));
    if (!file.startsWith(root + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not found</h1>');
      return;
    }
    const body = readFileSync(file);
    const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;
    const cache = path.includes('/pages/') ? 'public, max-age=31536000, immutable' : 'public, max-age=60';
    const headers = { etag, 'cache-control': cache };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': opts.contentType ?? 'application/json', 'content-length': body.length });
    res.end(body);
  };
}

/** The parts of a FeedStore the exporter reads, over a MiniFeed's records. */
function miniFeedStore(feed: MiniFeed): FeedStore {
  const page = async (channel: string, after: number, limit: number): Promise<PageResult> => {
    const all = feed.records.filter((r) => r.channel === channel && (r.seq as number) > after).sort((a, b) => (a.seq as number) - (b.seq as number));
    const rows = all.slice(0, limit);
    const head = feed.heads()[channel] ?? 0;
    const next = rows.length === limit ? (rows.at(-1)!.seq as number) : Math.max(after, head);
    return { channel, items: rows.map((r) => ({ seq: r.seq as number, json: JSON.stringify(r) })), next, head, more: next < head };
  };
  const channels = async () => Object.entries(feed.heads()).map(([name, head]) => ({ name, kind: 'news' as const, title: name, head }));
  return { get epoch() { return feed.epoch; }, page, channels } as unknown as FeedStore;
}

export type FeedMode = 'live' | 'static';
export const MODES: FeedMode[] = ['live', 'static'];

export interface ServedFeed {
  srv: FaultServer;
  /** The source URL: the base URL (live) or …/v1/index.json (static). */
  url: string;
  /** The default handler, for tests that intercept some requests. */
  handle: Handler;
  /** Path prefix of the page requests for a channel. */
  pages(channel: string): string;
}

export async function serveMiniFeed(t: TestContext, feed: MiniFeed, mode: FeedMode): Promise<ServedFeed> {
  if (mode === 'live') {
    const handle: Handler = (q, r) => void feed.handle(q, r);
    const srv = await startFaultServer(t, handle);
    return { srv, url: srv.url, handle, pages: (c) => `/v1/channels/${c}/messages` };
  }
  const dir = tempDir(t, 'tidings-static-');
  const files = serveDir(dir);
  const handle: Handler = async (q, r) => {
    if (q.url === '/v1/index.json') await exportFeed(miniFeedStore(feed), dir, { now: Math.floor(Date.now() / 1000) });
    await files(q, r, '');
  };
  const srv = await startFaultServer(t, handle);
  return { srv, url: `${srv.url}/v1/index.json`, handle, pages: (c) => `/v1/pages/${c}/` };
}
