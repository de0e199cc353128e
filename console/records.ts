// Drafting and signing in the browser with the one shared implementation (shared/publish/record.ts, as the
// CLI and the companion's publisher page use), and the CLI command that does the same for those who keep
// their key off this machine. Nothing here talks to the service.
import { draftRenewal, draftRetraction, newMessageId, nowSeconds, signForFeed, type PublishedCopy } from '../shared/publish/record.ts';
import { draftFromForm, formMessageId } from '../shared/publish/form.ts';
import type { PublishInput } from '../shared/ipc/contract.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import type { Asset, PublishRecord, UnsignedRecord } from '../shared/protocol/schemas.ts';
import type { Release } from './api.ts';

// The service checks asset URLs with its own setting; here only the shape is checked.
const sign = (r: UnsignedRecord, key: SigningKey): Promise<PublishRecord> => signForFeed(r, key, true);

export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const cli = (what: string) => `tidings ${what} --server <feed URL> --token <publish token> --key publisher.key`;

/** The publisher page's form → record (shared/publish/form.ts), so both forms make the very same records. */
const fromForm = (input: PublishInput, key: SigningKey, assets: Asset[] = []) =>
  sign(draftFromForm(input, { id: formMessageId(input), issued: nowSeconds() }, assets), key);

export function newsRecord(channel: string, title: string, body: string, key: SigningKey) {
  return fromForm({ kind: 'news', channel, title, body }, key);
}
export const newsCommand = (channel: string, title: string) =>
  `${cli('publish news')} --channel ${q(channel)} --title ${q(title || '…')} --body-file post.md`;

export interface LinkInput { channel: string; version: string; title: string; notes: string; platform: string; url: string; sha256: string; size: number; rollout: number }
export function releaseRecord(i: LinkInput, key: SigningKey) {
  const asset: Asset = { platform: i.platform, url: i.url, sha256: i.sha256, size: i.size };
  const input: PublishInput = { kind: 'release', channel: i.channel, version: i.version, title: i.title, notes: i.notes, assets: [{ platform: i.platform, url: i.url }], critical: false, rollout: i.rollout, platforms: [] };
  return fromForm(input, key, [asset]);
}
export const releaseCommand = (i: LinkInput) =>
  `${cli('publish release')} --channel ${q(i.channel)} --version ${q(i.version || '…')} --asset ${q(`${i.platform}=${i.url || '…'}`)} --rollout ${i.rollout}`;

const latestOf = (r: Release) => r.latest as PublishedCopy;

/** The release's newest copy again, later and with a higher rollout: a renewal the feed takes as an advance. */
export function advanceRecord(r: Release, rollout: number, key: SigningKey) {
  return sign(draftRenewal(latestOf(r), { id: newMessageId(`rel-${r.version}`), issued: nowSeconds(), rollout }), key);
}
export const advanceCommand = (channel: string, r: Release, rollout: number) =>
  `${cli('publish release')} --channel ${q(channel)} --version ${q(r.version)} --asset <the same assets> --rollout ${rollout}`;

/** The release's newest copy again with a new issued and expiry (its lifetime counted from now). */
export function renewRecord(r: Release, key: SigningKey) {
  return sign(draftRenewal(latestOf(r), { id: newMessageId(`rel-${r.version}`), issued: nowSeconds() }), key);
}
export function renewCommand(channel: string, r: Release) {
  const copy = latestOf(r);
  const days = copy.expires !== undefined ? Math.max(1, Math.round((copy.expires - copy.issued) / 86_400)) : 30;
  return `${cli('publish release')} --channel ${q(channel)} --version ${q(r.version)} --asset <the same assets> --rollout ${r.rollout} --expires ${days}d`;
}

/** When the newest live copy of a release expires (null: never); a renewal is offered within a week of it. */
export function expiryOf(r: Release): number | null {
  const live = r.copies.filter((c) => !c.retracted);
  if (live.length === 0 || live.some((c) => c.expires === null)) return null;
  return Math.max(...live.map((c) => c.expires as number));
}
export const RENEW_WITHIN_SECONDS = 7 * 86_400;

/** One signed retraction per live copy: a recall withdraws every copy. */
export function recallRecords(channel: string, r: Release, key: SigningKey) {
  return Promise.all(r.copies.filter((c) => !c.retracted).map((c) => sign(draftRetraction({ id: newMessageId('retract'), channel, issued: nowSeconds(), retracts: c.id }), key)));
}
export const recallCommand = (channel: string, r: Release) =>
  r.copies.filter((c) => !c.retracted).map((c) => `tidings retract ${q(c.id)} --server <feed URL> --token <publish token> --key publisher.key --channel ${q(channel)}`).join('\n');
