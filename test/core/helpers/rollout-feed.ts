// A feed v1 on loopback for issue 15's companion side, as the wire contract (shared/protocol) describes it:
// heads with `holds` while a rollout is halted (the ETag gains `-h<generation>` once anything was ever held, so
// the routine 304 stays byte-identical otherwise), SSE streams per channel the test writes `event: holds` to,
// `POST /v1/reports/adoption` checked against the shared schema (202), and release files it serves, optionally
// held back mid-file so a recall can arrive during a download. Messages are the in-memory mini feed's.
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { adoptionReport, type AdoptionReport } from '../../../shared/protocol/reports.ts';
import { startFaultServer, sendJson, type FaultServer } from './fault-server.ts';
import { miniFeed, type MiniFeed } from './mini-feed.ts';

export interface RolloutFeed {
  srv: FaultServer;
  feed: MiniFeed;
  /** Reports the feed accepted, in order. */
  adoption: AdoptionReport[];
  /** Answer reports with this status instead of 202 (null: accept). */
  refuseReports: number | null;
  /** Sets the channel's held versions (as a publisher's halt or resume would) and bumps the generation. */
  hold(channel: string, versions: string[]): void;
  /** Writes `event: holds` to the channel's open streams. */
  holdsEvent(channel: string): void;
  streams: Map<string, ServerResponse>;
  /** Publishes a release of `version` on `channel` with a linux-x64 file of `size` bytes served here. */
  release(channel: string, version: string, size?: number): Promise<Record<string, unknown>>;
  /** Publishes a signed retraction of a record. */
  retract(channel: string, id: string): Promise<void>;
  /** Holds the next file download after `bytes` bytes until `release()` is called. */
  stallFiles(bytes: number): { release(): void; reached: Promise<void> };
  fileRequests(): number;
  heads(): number;
}

export async function rolloutFeed(t: TestContext, opts: { maxAge?: number } = {}): Promise<RolloutFeed> {
  const feed = await miniFeed(undefined, { maxAge: opts.maxAge ?? 0 });
  const cacheControl = `max-age=${opts.maxAge ?? 0}`;
  const holds: Record<string, string[]> = {};
  let generation = 0;
  const files = new Map<string, Buffer>();
  let stall: { bytes: number; gate: Promise<void>; reached: () => void } | null = null;
  const streams = new Map<string, ServerResponse>();
  const x: RolloutFeed = {
    srv: null as unknown as FaultServer, feed, adoption: [], refuseReports: null, streams,
    hold(channel, versions) {
      if (versions.length > 0) holds[channel] = versions;
      else delete holds[channel];
      generation++;
    },
    holdsEvent(channel) {
      streams.get(channel)?.write(`event: holds\ndata: ${JSON.stringify({ holds: holds[channel] ?? [] })}\n\n`);
    },
    async release(channel, version, size = 64 * 1024) {
      const body = Buffer.alloc(size, version);
      files.set(`/dl/app-${version}`, body);
      return feed.add({
        channel, kind: 'release', title: `App ${version}`, body: `What's new in ${version}`,
        release: { version, assets: [{ platform: 'linux-x64', url: `${x.srv.url}/dl/app-${version}`, sha256: createHash('sha256').update(body).digest('hex'), size }] },
      } as never);
    },
    async retract(channel, id) {
      await feed.add({ channel, kind: 'retraction', title: '', body: '', retracts: id } as never);
    },
    stallFiles(bytes) {
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const reachedP = new Promise<void>((r) => (reached = r));
      stall = { bytes, gate, reached };
      return { release, reached: reachedP };
    },
    fileRequests: () => x.srv.requests.filter((r) => r.url.startsWith('/dl/')).length,
    heads: () => x.srv.requests.filter((r) => r.url === '/v1/heads').length,
  };
  x.srv = await startFaultServer(t, async (req, res, body) => {
    const url = req.url ?? '/';
    if (url === '/v1/heads') {
      const heads = feed.heads();
      const etag = `"${feed.epoch}-${Object.values(heads).reduce((a, b) => Math.max(a, b), 0)}${generation > 0 ? `-h${generation}` : ''}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag, 'cache-control': cacheControl }).end();
      return sendJson(res, 200, { heads, ...(Object.keys(holds).length > 0 ? { holds } : {}) }, { etag, 'cache-control': cacheControl });
    }
    if (url === '/v1/reports/adoption' && req.method === 'POST') {
      if (x.refuseReports !== null) return void res.writeHead(x.refuseReports, { 'content-length': 0 }).end();
      let parsed;
      try {
        parsed = adoptionReport.safeParse(JSON.parse(body));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) return sendJson(res, 400, { error: 'bad report' });
      x.adoption.push(parsed.data);
      return sendJson(res, 202, { accepted: true });
    }
    const ev = /^\/v1\/channels\/([^/?]+)\/events/.exec(url);
    if (ev) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('retry: 60000\n\n');
      streams.set(decodeURIComponent(ev[1]!), res);
      return;
    }
    const file = files.get(url);
    if (file) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length });
      const s = stall;
      if (s) {
        stall = null;
        res.write(file.subarray(0, s.bytes));
        s.reached();
        await s.gate;
        if (res.destroyed) return;
        res.end(file.subarray(s.bytes));
      } else res.end(file);
      return;
    }
    if (!feed.handle(req, res)) res.writeHead(404).end();
  });
  return x;
}
