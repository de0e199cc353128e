// The feed service behind a TLS front, each in its own process on the server core, for rows 3b and 8: a
// private feed (a read token, the documented default) reached at https://127.0.0.1:<front>/. This process
// trusts the run's root certificate, so the companion's client and fetch() check the chain as they would a
// public one (no verification is turned off anywhere).
import { createHash } from 'node:crypto';
import { fromBase64, importSigningKey } from '../../shared/protocol/signing.ts';
import { startNode, type NodeChild } from './proc.ts';
import { publish, releaseRecord } from './records.ts';
import { makeChain, trustRoot } from './tls.ts';

/** The newest release on `stable`, with the sha512 electron-updater's latest-linux.yml needs. */
export const NEWEST = '1.2.0';

export interface TlsFeed {
  url: string;
  readToken: string;
  publicKey: string;
  handshakes(): Promise<{ full: number; resumed: number }>;
  stop(): Promise<void>;
}

export async function startTlsFeed(): Promise<TlsFeed> {
  const chain = makeChain();
  trustRoot(chain.ca);
  const children: NodeChild<unknown>[] = [];
  try {
    const feed = await startNode<{ url: string; readToken: string; publishToken: string; publicKey: string; pkcs8: string }>('servers/feed.ts', { core: 0, env: { BENCH_PUBLIC: '0' } });
    children.push(feed);
    const record = releaseRecord(NEWEST, 'Faster checks over TLS.');
    for (const a of record.release?.assets ?? []) Object.assign(a, { sha512: createHash('sha512').update(a.url).digest('base64') });
    const key = await importSigningKey(fromBase64(feed.info.pkcs8), feed.info.publicKey);
    const published = await publish(feed.info.url, feed.info.publishToken, record, key);
    if (published.status !== 201) throw new Error(`publishing ${NEWEST} failed: ${published.status} ${published.body}`);
    const front = await startNode<{ port: number }>('servers/tls-front.ts', { core: 0, env: { BENCH_TLS_TARGET: new URL(feed.info.url).port, BENCH_TLS_CHAIN: JSON.stringify(chain) } });
    children.push(front);
    return {
      url: `https://127.0.0.1:${front.info.port}`,
      readToken: feed.info.readToken,
      publicKey: feed.info.publicKey,
      handshakes: async () => { const h = await front.ask<{ full: number; resumed: number }>({ cmd: 'handshakes' }); return { full: h.full, resumed: h.resumed }; },
      stop: async () => { await Promise.all(children.map((c) => c.stop())); },
    };
  } catch (err) {
    await Promise.all(children.map((c) => c.stop()));
    throw err;
  }
}
