// The embedded demo feed: the real feed service (server/app.ts) on a loopback port with a temporary
// SQLite file, seeded through its own publish API with releases and news signed by a key generated for
// this run, plus a loopback file server for the demo installers (so download + verify works for real).
import { createCipheriv, createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startServer } from '../server/app.ts';
import { createToken } from '../server/tokens.ts';
import { generateSigningKey, importSigningKey, signRecord, type SigningKey } from '../shared/protocol/signing.ts';

export interface DemoFeed {
  url: string;
  /** The demo publisher's key: trust it in the companion (base64 raw Ed25519) and its id. */
  publicKey: string;
  keyId: string;
  /** PKCS#8 DER of the demo key, for the Publish page in the preview. */
  pkcs8: Uint8Array;
  readToken: string;
  publishToken: string;
  /** Publishes one more signed record (tests and the demo use it). */
  publish(record: DemoRecord): Promise<void>;
  /** A demo installer for `version`, served on loopback; `tampered` serves other bytes than the hash says. */
  asset(version: string, tampered?: boolean): { platform: string; url: string; sha256: string; size: number };
  close(): Promise<void>;
}

export interface DemoRecord {
  id: string;
  channel: string;
  kind: 'release' | 'news' | 'retraction';
  title: string;
  body: string;
  release?: { version: string; critical?: boolean; assets: { platform: string; url: string; sha256: string; size: number }[] };
  retracts?: string;
}

/** Deterministic demo installer bytes (1 MiB per version): an AES-CTR keystream keyed by the version. */
function demoInstaller(version: string): Buffer {
  const seed = createHash('sha256').update(`tidings-demo-${version}`).digest();
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(1024 * 1024)), cipher.final()]);
}

/**
 * `key`: sign with this publisher key instead of a new one (a second feed of the same publisher); `now`: the
 * feed's clock (unix seconds) for `issued` and the `created` the service stamps (tests of old posts).
 */
export async function startDemoFeed(opts: { dir: string; platform: string; now?: () => number; key?: { pkcs8: Uint8Array; publicKey: string } }): Promise<DemoFeed> {
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const key = opts.key ? { ...(await importSigningKey(opts.key.pkcs8, opts.key.publicKey)), pkcs8: opts.key.pkcs8 } : await generateSigningKey();
  const files = new Map<string, Buffer>();
  const assets = createServer((req, res) => {
    const body = files.get((req.url ?? '').split('?')[0] ?? '');
    if (!body || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => assets.listen(0, '127.0.0.1', resolve));
  const assetBase = `http://127.0.0.1:${(assets.address() as AddressInfo).port}`;

  const feed = await startServer({
    db: join(opts.dir, 'demo-feed.db'), host: '127.0.0.1', port: 0, publisherKeys: [key.publicKey],
    allowLoopbackHttp: true, logger: false, maxAge: 5, publicRead: true, ...(opts.now ? { now: opts.now } : {}),
  });
  const publishToken = (await createToken(feed.store, { name: 'demo publisher', scopes: ['read', 'publish'], channels: null, now: now() })).token;
  const readToken = (await createToken(feed.store, { name: 'demo reader', scopes: ['read'], channels: null, now: now() })).token;

  const publish = async (record: DemoRecord) => {
    const signed = await signRecord({ ...record, issued: now() }, key as SigningKey);
    const res = await fetch(`${feed.url}/v1/channels/${encodeURIComponent(record.channel)}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${publishToken}` },
      body: JSON.stringify(signed),
    });
    if (!res.ok) throw new Error(`demo feed refused ${record.id}: ${res.status} ${await res.text()}`);
  };
  const release = (version: string, tampered = false) => {
    const body = demoInstaller(version);
    const path = `/Tidings-${version}-${opts.platform}.bin`;
    const served = Buffer.from(body);
    if (tampered) served.writeUInt8(served.readUInt8(served.length >> 1) ^ 0xff, served.length >> 1);
    files.set(path, served);
    return { platform: opts.platform, url: assetBase + path, sha256: createHash('sha256').update(body).digest('hex'), size: body.length };
  };

  await publish({ id: 'welcome', channel: 'news', kind: 'news', title: 'Welcome to Tidings', body: 'News from the publisher appears here, and new versions under **Updates**.\n\nThis is the demo feed that `npm run preview` starts on this computer.' });
  await publish({ id: 'rel-2.1.0', channel: 'stable', kind: 'release', title: 'Tidings 2.1.0', body: '## What’s new\n\n- Quiet hours follow your time zone.\n- A faster inbox.\n- Fixed a crash on empty feed pages.', release: { version: '2.1.0', assets: [release('2.1.0')] } });
  await publish({ id: 'maintenance', channel: 'news', kind: 'news', title: 'Planned maintenance on Saturday', body: 'The update server is **read-only** from 02:00 to 03:00 UTC on Saturday. Nothing to do on your side.' });
  await publish({ id: 'rel-2.2.0-beta.1', channel: 'experimental', kind: 'release', title: 'Tidings 2.2.0 beta 1', body: 'Try the new *compact inbox*. Feedback welcome.', release: { version: '2.2.0-beta.1', assets: [release('2.2.0-beta.1')] } });

  return {
    url: feed.url, publicKey: key.publicKey, keyId: key.keyId, pkcs8: key.pkcs8, readToken, publishToken, publish, asset: release,
    close: async () => {
      await feed.close();
      assets.closeAllConnections();
      await new Promise<void>((resolve) => assets.close(() => resolve()));
    },
  };
}
