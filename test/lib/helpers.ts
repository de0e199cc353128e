// A real feed service on loopback (test/server/helpers.ts) plus a loopback download host, with a helper that
// publishes a signed release whose linux-x64 asset really downloads: what the library tests update from.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, release, type Feed } from '../server/helpers.ts';

export interface UpdateWorld {
  feed: Feed;
  /** Base URL of the download host. */
  host: string;
  /** Files the host serves, by path; replace one to serve other bytes than were signed. */
  files: Map<string, Buffer>;
  /** Publishes `version` on `channel` with a downloadable linux-x64 asset of `size` random bytes; returns the bytes. */
  publish(version: string, opts?: { channel?: string; size?: number; body?: string; critical?: boolean }): Promise<Buffer>;
  /** Publishes a persistent news post (or a live-only one with persistent: false) with a code and data. */
  post(fields: { channel?: string; title: string; code?: number; data?: Record<string, unknown>; persistent?: boolean }): Promise<void>;
}

export async function startUpdateWorld(t: TestContext): Promise<UpdateWorld> {
  // Each pushed event may start a check at once (reliability.md case 55: otherwise paced by the feed's max-age).
  const feed = await startFeed({ allowLoopbackHttp: true, maxAge: 0 });
  t.after(() => feed.close());
  const files = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const body = files.get(req.url ?? '');
    if (!body) return void res.writeHead(404).end();
    // Sent in pieces, so a download reports progress more than once.
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    let at = 0;
    const next = () => {
      if (at >= body.length) return void res.end();
      const piece = body.subarray(at, at + 64 * 1024);
      at += piece.length;
      if (res.write(piece)) setImmediate(next);
      else res.once('drain', next);
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    feed, host, files,
    async publish(version, o = {}) {
      const bytes = randomBytes(o.size ?? 512 * 1024);
      const path = `/dl/App-${version}.AppImage`;
      files.set(path, bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const sha512 = createHash('sha512').update(bytes).digest('base64');
      const channel = o.channel ?? 'stable';
      const res = await feed.publish(release(channel, version, {
        ...(o.body !== undefined ? { body: o.body } : {}), ...(o.critical ? { critical: true } : {}),
        release: { version, assets: [{ platform: 'linux-x64', url: `${host}${path}`, sha256, sha512, size: bytes.length }] },
      } as never));
      assert.equal(res.status, 201, await res.text());
      return bytes;
    },
    async post(f) {
      const res = await feed.publish({
        channel: f.channel ?? 'news', kind: 'news', title: f.title, body: `About ${f.title}`,
        ...(f.code !== undefined ? { code: f.code } : {}), ...(f.data !== undefined ? { data: f.data } : {}),
        ...(f.persistent !== undefined ? { persistent: f.persistent } : {}),
      } as never);
      assert.ok(res.status === 201 || res.status === 202, `${res.status} ${await res.text()}`);
    },
  };
}

/** A stand-in for Electron's `app` (quit + before-quit) that records quits, as test/main/fake-electron.ts does. */
export function fakeApp() {
  const listeners: ((e: { preventDefault(): void }) => void)[] = [];
  const calls = { quit: 0, exited: false };
  return {
    calls,
    on(_event: 'before-quit', l: (e: { preventDefault(): void }) => void) { listeners.push(l); return this; },
    quit() {
      calls.quit++;
      let prevented = false;
      for (const l of listeners) l({ preventDefault: () => { prevented = true; } });
      if (!prevented) calls.exited = true;
    },
  };
}

export async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
