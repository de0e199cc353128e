// Row 3b: bytes on the wire for one unchanged check over TLS, handshake included, at the cadence of a routine
// check. Ours: the companion's real check (FeedV1Source through runCheck, its HTTP client, one
// `Connection: close` request) resuming the session of its previous check (electron/core/net/tls-sessions.ts).
// Anchor: the real electron-updater checking the same feed service's latest-linux.yml through the same TLS
// front, with a fresh handshake each time. Both counted at a TCP proxy in front of the TLS front, both
// directions, from the first ClientHello to the last close_notify.
import { join } from 'node:path';
import { KeyRing } from '../../shared/protocol/signing.ts';
import { Store } from '../../electron/core/store/store.ts';
import { FeedV1Source } from '../../electron/core/sources/feed-v1.ts';
import { runCheck } from '../../electron/core/sync.ts';
import { forgetSessions } from '../../electron/core/net/tls-sessions.ts';
import type { BenchConfig } from '../lib/config.ts';
import { electronUpdater } from '../lib/electron-updater.ts';
import { makeLine, type Figure, type Line } from '../lib/report.ts';
import { median, sleep } from '../lib/stats.ts';
import { NEWEST, startTlsFeed } from '../lib/tls-feed.ts';
import { countingProxy } from '../lib/wire.ts';
import { tempDir } from './core-fixtures.ts';

/** TLS records as `type:bytes` (hs/t1 = ClientHello, hs/t2 = ServerHello), for the notes. */
export function tlsRecords(b: Buffer): string {
  const names: Record<number, string> = { 20: 'ccs', 21: 'alert', 22: 'hs', 23: 'data' };
  const out: string[] = [];
  for (let i = 0; i + 5 <= b.length; i += 5 + b.readUInt16BE(i + 3)) {
    const type = b[i] as number;
    out.push(`${names[type] ?? type}${type === 22 ? `/t${b[i + 5]}` : ''} ${b.readUInt16BE(i + 3) + 5}`);
  }
  return out.join(', ');
}

export async function row3Tls(cfg: BenchConfig): Promise<{ lines: Line[]; facts: Record<string, unknown>; notes: string[] }> {
  const feed = await startTlsFeed();
  const tmp = tempDir();
  const store = new Store({ file: join(tmp.dir, 'core.db') });
  const proxy = await countingProxy(Number(new URL(feed.url).port));
  const eu = electronUpdater(`https://127.0.0.1:${proxy.port}`, NEWEST, feed.readToken);
  try {
    const url = `https://127.0.0.1:${proxy.port}`;
    const keys = await KeyRing.from([feed.publicKey]);
    const source = new FeedV1Source({ id: 's', url, token: feed.readToken, allowLoopbackHttp: false });
    store.ensureSource('s', source.kind, url);
    const check = async (want: number) => {
      const o = await runCheck(store, 's', Date.now(), () => source.check(store, ['stable', 'news'], keys, Date.now()));
      if (!o.ok || o.status !== want) throw new Error(`the companion's check over TLS answered ${o.status}: ${o.detail}`);
    };
    /** Bytes of one exchange, after the last close_notify has passed the proxy. */
    const counted = async (fn: () => Promise<unknown>) => {
      proxy.reset();
      await fn();
      await sleep(30);
      const { up, down } = proxy.seen();
      return { bytes: up.length + down.length, up, down };
    };
    forgetSessions();
    await check(200);
    // The first unchanged check of a fresh process: no ticket yet, a full handshake.
    forgetSessions();
    const fresh = await counted(() => check(304));
    const ours: number[] = [];
    const anchor: number[] = [];
    const copy: number[] = [];
    let last = fresh;
    let lastEu = fresh;
    for (let r = 0; r < Math.max(cfg.runs, 3); r++) {
      last = await counted(() => check(304));
      ours.push(last.bytes);
      lastEu = await counted(async () => { if (await eu.check()) throw new Error('electron-updater saw an update on an unchanged feed'); });
      anchor.push(lastEu.bytes);
      copy.push((await counted(() => eu.check())).bytes);
    }
    const handshakes = await feed.handshakes();
    const fig = (label: string, xs: number[]): Figure => ({ label, value: median(xs), unit: 'B', runs: xs });
    const oursFig = fig('resumed check', ours);
    return {
      lines: [
        makeLine('tls-check-bytes-vs-electron-updater', oursFig, fig('electron-updater (full handshake)', anchor), { op: '≤', ratio: 0.3 }),
        makeLine('tls-check-bytes-aa-electron-updater', fig('electron-updater (copy)', copy), fig('electron-updater (full handshake)', anchor), { op: '≤', ratio: 1 }, 'aa'),
      ],
      facts: { resumedBytes: last.bytes, freshBytes: fresh.bytes, electronUpdaterBytes: lastEu.bytes, handshakes, resumedRecords: { up: tlsRecords(last.up), down: tlsRecords(last.down) } },
      notes: [
        `over TLS: ours resumed ${last.up.length} B up + ${last.down.length} B down; ours with a full handshake (first check of a process, or a ticket the server refused) ${fresh.bytes} B = ${(fresh.bytes / median(anchor)).toFixed(2)}x; electron-updater ${lastEu.up.length} B up + ${lastEu.down.length} B down`,
        `over TLS, ours resumed: up ${tlsRecords(last.up)}; down ${tlsRecords(last.down)}`,
        `over TLS, electron-updater: up ${tlsRecords(lastEu.up)}; down ${tlsRecords(lastEu.down)}`,
        `TLS front: ${handshakes.full} full handshakes, ${handshakes.resumed} resumed (tickets good for 2 h, as a server must allow for hourly checks to resume)`,
      ],
    };
  } finally {
    eu.done();
    await proxy.close();
    store.close();
    tmp.done();
    await feed.stop();
  }
}
