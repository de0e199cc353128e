// Builders for IncomingMessage values, so store tests read as scenarios.
import type { IncomingMessage } from '../../../electron/core/types.ts';

export function newsMsg(seq: number, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    id: `n-${seq}`, seq, channel: 'news', kind: 'news', trusted: true, created: 1_700_000_000 + seq, expires: null,
    version: null, critical: false, retracts: null, title: `News ${seq}`, link: null, record: { seq }, ...extra,
  };
}

export function releaseMsg(seq: number, version: string, extra: Partial<IncomingMessage> = {}): IncomingMessage {
  const assets = [{ platform: 'linux-x64', url: `https://dl.example.com/T-${version}.AppImage`, sha256: 'ab'.repeat(32), size: 10 }];
  return {
    id: `r-${version}-${seq}`, seq, channel: 'stable', kind: 'release', trusted: true, created: 1_700_000_000 + seq, expires: null,
    version, critical: false, retracts: null, title: `Tidings ${version}`, link: null,
    record: { seq, release: { version, assets } }, ...extra,
  };
}

export function retraction(seq: number, target: string, channel = 'news'): IncomingMessage {
  return {
    id: `x-${seq}`, seq, channel, kind: 'retraction', trusted: false, created: 1_700_000_000 + seq, expires: null,
    version: null, critical: false, retracts: target, title: '', link: null, record: { seq, retracts: target },
  };
}
