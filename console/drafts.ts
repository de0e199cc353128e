// Drafting and signing in the browser with the one shared implementation (shared/publish/record.ts, as the
// CLI and the companion's publisher page use), and the CLI command that does the same for those who keep
// their key off this machine.
import { draftNews, draftRelease, draftRetraction, newMessageId, nowSeconds, signForFeed } from '../shared/publish/record.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import type { Asset, PublishRecord, UnsignedRecord } from '../shared/protocol/schemas.ts';
import type { Release } from './api.ts';

// The service checks asset URLs with its own setting; here only the shape is checked.
const sign = (r: UnsignedRecord, key: SigningKey): Promise<PublishRecord> => signForFeed(r, key, true);

export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function newsRecord(channel: string, title: string, body: string, key: SigningKey) {
  return sign(draftNews({ id: newMessageId('news'), channel, issued: nowSeconds(), title, body }), key);
}
export const newsCommand = (channel: string, title: string) =>
  `tidings publish news --server <feed URL> --token <publish token> --key publisher.key --channel ${q(channel)} --title ${q(title || '…')} --body-file post.md`;

export interface LinkInput { channel: string; version: string; title: string; notes: string; platform: string; url: string; sha256: string; size: number; rollout: number }
export function releaseRecord(i: LinkInput, key: SigningKey) {
  const asset: Asset = { platform: i.platform, url: i.url, sha256: i.sha256, size: i.size };
  return sign(draftRelease({ id: newMessageId(`rel-${i.version}`), channel: i.channel, issued: nowSeconds(), version: i.version, title: i.title, notes: i.notes, ...(i.rollout < 100 ? { rollout: i.rollout } : {}) }, [asset]), key);
}
export const releaseCommand = (i: LinkInput) =>
  `tidings publish release --server <feed URL> --token <publish token> --key publisher.key --channel ${q(i.channel)} --version ${q(i.version || '…')} --asset ${q(`${i.platform}=${i.url || '…'}`)} --rollout ${i.rollout}`;

/** The release's newest copy again, later and with a higher rollout: a renewal the feed accepts as an advance. */
export function advanceRecord(r: Release, rollout: number, key: SigningKey) {
  const { sig: _s, id: _i, issued, target, ...rest } = r.latest as UnsignedRecord & { sig?: unknown };
  const nextTarget = { ...(target ?? {}), rollout };
  if (rollout >= 100) delete (nextTarget as { rollout?: number }).rollout;
  const record = { ...rest, id: newMessageId(`rel-${r.version}`), issued: Math.max(nowSeconds(), issued + 1), ...(Object.keys(nextTarget).length ? { target: nextTarget } : {}) } as UnsignedRecord;
  return sign(record, key);
}
export const advanceCommand = (channel: string, r: Release, rollout: number) =>
  `tidings publish release --server <feed URL> --token <publish token> --key publisher.key --channel ${q(channel)} --version ${q(r.version)} --asset <the same assets> --rollout ${rollout}`;

/** One signed retraction per live copy: a recall withdraws every copy. */
export function recallRecords(channel: string, r: Release, key: SigningKey) {
  return Promise.all(r.copies.filter((c) => !c.retracted).map((c) => sign(draftRetraction({ id: newMessageId('retract'), channel, issued: nowSeconds(), retracts: c.id }), key)));
}
export const recallCommand = (channel: string, r: Release) =>
  r.copies.filter((c) => !c.retracted).map((c) => `tidings retract ${q(c.id)} --server <feed URL> --token <publish token> --key publisher.key --channel ${q(channel)}`).join('\n');
