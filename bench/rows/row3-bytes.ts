// Row 3: bytes on the wire (request + response, at the socket) for one unchanged update+news check.
// Ours: the companion's own HTTP client (electron/core/net/http.ts, node:http) sending what its feed v1
// source sends — a conditional GET /v1/heads with a bearer token — through a counting proxy to the feed
// service (a private feed, as a token implies). Anchors: electron-updater's generic provider
// (GET latest-linux.yml with its cache-busting query and headers, full body every time) and Sparkle
// (GET a 3-item appcast), both from a static server on this machine.
import { randomUUID } from 'node:crypto';
import { request } from '../../electron/core/net/http.ts';
import type { BenchConfig } from '../lib/config.ts';
import { startNode, type NodeChild } from '../lib/proc.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { median } from '../lib/stats.ts';
import { countingProxy, exchange, headerCosts, rawRequest, type Exchange } from '../lib/wire.ts';
import { row3Tls } from './row3b-tls.ts';

/** What electron-updater's GenericProvider sends through Electron's net module (Chromium). */
function electronUpdaterRequest(host: string): string {
  const noCache = Date.now().toString(32); // newUrlFromBase(..., addRandomQueryToAvoidCaching = true)
  return rawRequest('GET', `/latest-linux.yml?noCache=${noCache}`, [
    ['Host', host],
    ['Connection', 'keep-alive'],
    ['x-user-staging-id', randomUUID()], // AppUpdater: setRequestHeaders({ "x-user-staging-id": ... })
    ['User-Agent', 'electron-builder'], // builder-util-runtime configureRequestOptions
    ['Cache-Control', 'no-cache'], // idem, on every GET
    ['Accept-Encoding', 'gzip, deflate, br, zstd'], // added by Chromium's network stack
    ['Accept-Language', 'en-US'],
  ]);
}

/** What Sparkle 2 sends through NSURLSession for the appcast. */
function sparkleRequest(host: string): string {
  return rawRequest('GET', '/appcast.xml', [
    ['Host', host],
    ['Accept', 'application/rss+xml,*/*;q=0.1'],
    ['User-Agent', 'Tidings/2.0.3 Sparkle/2.6.4'],
    ['Accept-Language', 'en-US,en;q=0.9'],
    ['Accept-Encoding', 'gzip, deflate, br'],
    ['Connection', 'keep-alive'],
  ]);
}

interface OursCheck { request: string; response: string; status: number; bodyBytes: number }

/** One conditional check by the companion's HTTP client, counted at the proxy's sockets. */
async function oursCheck(url: string, token: string): Promise<OursCheck> {
  const proxy = await countingProxy(Number(new URL(url).port));
  try {
    const base = `http://127.0.0.1:${proxy.port}/v1/heads`;
    // The headers FeedV1Source adds (electron/core/sources/feed-v1.ts); the client adds user-agent.
    const auth: Record<string, string> = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const first = await request({ url: base, headers: auth, allowLoopbackHttp: true });
    const etag = typeof first.headers.etag === 'string' ? first.headers.etag : '';
    proxy.reset();
    const res = await request({ url: base, headers: { ...auth, 'if-none-match': etag }, allowLoopbackHttp: true });
    const seen = proxy.seen();
    return { request: seen.up.toString('latin1'), response: seen.down.toString('latin1'), status: res.status, bodyBytes: res.body.length };
  } finally {
    await proxy.close();
  }
}

export async function row3(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const notes: string[] = [];
  const children: NodeChild<{ url: string }>[] = [];
  try {
    const priv = await startNode<{ url: string; readToken: string }>('servers/feed.ts', { core: 0, env: { BENCH_PUBLIC: '0' } });
    children.push(priv);
    const pub = await startNode<{ url: string }>('servers/feed.ts', { core: 0 });
    children.push(pub);
    const stat = await startNode<{ url: string }>('servers/node-http.ts', { core: 0, env: { BENCH_MODE: 'static' } });
    children.push(stat);
    const host = new URL(stat.info.url).host;
    const port = Number(new URL(stat.info.url).port);

    const ours: number[] = [];
    const eu: number[] = [];
    const euCopy: number[] = [];
    const sp: number[] = [];
    let last: OursCheck | undefined;
    let lastEu: Exchange | undefined;
    let lastSp: Exchange | undefined;
    for (let run = 0; run < Math.max(cfg.runs, 1); run++) {
      last = await oursCheck(priv.info.url, priv.info.readToken);
      if (last.status !== 304 || last.bodyBytes !== 0) throw new Error(`the conditional check answered ${last.status} with ${last.bodyBytes} body bytes`);
      ours.push(Buffer.byteLength(last.request, 'latin1') + Buffer.byteLength(last.response, 'latin1'));
      lastEu = await exchange(port, electronUpdaterRequest(host));
      eu.push(lastEu.requestBytes + lastEu.responseBytes);
      const again = await exchange(port, electronUpdaterRequest(host));
      euCopy.push(again.requestBytes + again.responseBytes);
      lastSp = await exchange(port, sparkleRequest(host));
      sp.push(lastSp.requestBytes + lastSp.responseBytes);
      if (lastEu.status !== 200 || lastSp.status !== 200) throw new Error('an anchor document was not served');
    }
    const publicCheck = await oursCheck(pub.info.url, '');
    const oursLast = last as OursCheck;
    const responseHead = oursLast.response.slice(0, oursLast.response.indexOf('\r\n\r\n') + 4);
    const facts = {
      ours: {
        status: oursLast.status,
        bodyBytes: oursLast.bodyBytes,
        responseBodyBytesOnWire: Buffer.byteLength(oursLast.response, 'latin1') - Buffer.byteLength(responseHead, 'latin1'),
        requestBytes: Buffer.byteLength(oursLast.request, 'latin1'),
        responseBytes: Buffer.byteLength(oursLast.response, 'latin1'),
        request: oursLast.request,
        response: oursLast.response,
        requestHeaderCosts: headerCosts(oursLast.request),
        responseHeaderCosts: headerCosts(responseHead),
      },
      oursPublicNoToken: {
        status: publicCheck.status,
        bytes: Buffer.byteLength(publicCheck.request, 'latin1') + Buffer.byteLength(publicCheck.response, 'latin1'),
        requestBytes: Buffer.byteLength(publicCheck.request, 'latin1'),
        responseBytes: Buffer.byteLength(publicCheck.response, 'latin1'),
      },
      electronUpdater: { status: lastEu?.status, requestBytes: lastEu?.requestBytes, responseBytes: lastEu?.responseBytes, bodyBytes: lastEu?.bodyBytes, request: lastEu?.request },
      sparkle: { status: lastSp?.status, requestBytes: lastSp?.requestBytes, responseBytes: lastSp?.responseBytes, bodyBytes: lastSp?.bodyBytes, request: lastSp?.request },
    };
    const f = facts.ours;
    notes.push(`ours: request ${f.requestBytes} B + response ${f.responseBytes} B (304, ${f.responseBodyBytesOnWire} body bytes); public feed without a token: ${facts.oursPublicNoToken.bytes} B`);
    notes.push(`ours request headers by cost: ${f.requestHeaderCosts.map((h) => `${h.line.split(':')[0]} ${h.bytes}`).join(', ')}`);
    notes.push(`ours response headers by cost: ${f.responseHeaderCosts.map((h) => `${h.line.split(':')[0]} ${h.bytes}`).join(', ')}`);
    notes.push(`electron-updater: request ${lastEu?.requestBytes} B + response ${lastEu?.responseBytes} B (body ${lastEu?.bodyBytes} B); Sparkle: request ${lastSp?.requestBytes} B + response ${lastSp?.responseBytes} B (body ${lastSp?.bodyBytes} B)`);

    const fig = (label: string, runs: number[]): Figure => ({ label, value: median(runs), unit: 'B', runs });
    const oursFig = fig('feed service', ours);
    // Row 3b: the same check over TLS, handshake included.
    const tls = await row3Tls(cfg);
    return {
      row: 3,
      title: 'bytes on the wire for one unchanged update+news check (request + response); 3b: over TLS',
      lines: [
        makeLine('check-bytes-vs-electron-updater', oursFig, fig('electron-updater', eu), { op: '≤', ratio: 0.5, absolute: 444 }),
        makeLine('check-bytes-vs-sparkle', oursFig, fig('Sparkle', sp), { op: '≤', ratio: 0.15 }),
        makeLine('check-bytes-aa-electron-updater', fig('electron-updater (copy)', euCopy), fig('electron-updater', eu), { op: '≤', ratio: 1 }, 'aa'),
        ...tls.lines,
      ],
      facts: { ...facts, tls: tls.facts },
      notes: [...notes, ...tls.notes],
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
