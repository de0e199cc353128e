// Drafting, checking and signing a feed record: the one implementation every publisher shares (the CLI in
// server/cli, and the companion's publisher page through electron/core/publisher.ts, in Electron and in the
// preview). Checked with the very schema the feed service applies, so nothing is sent that it would refuse
// for its shape. Pure: no node:* imports (hashing files lives in shared/node/).
import { schemas, firstIssue, type Asset, type PublishRecord, type UnsignedRecord } from '../protocol/schemas.ts';
import { signRecord, type SigningKey } from '../protocol/signing.ts';

/** A draft the schema refuses. `field` is the record's path as the feed names it (`release.assets[0].url`). */
export class DraftError extends Error {
  readonly field: string;
  /** The schema's words for the field, without the field name (`must be a semantic version such as 2.1.0`). */
  readonly detail: string;
  constructor(field: string, detail: string) {
    super(`${field || 'record'} ${detail}`);
    this.field = field;
    this.detail = detail;
  }
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A message id: `prefix-` and 10 random hex digits (ids are 1–64 of [A-Za-z0-9._-]), or a UUID without a prefix. */
export function newMessageId(prefix?: string): string {
  if (!prefix) return crypto.randomUUID();
  const random = Array.from(crypto.getRandomValues(new Uint8Array(5)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${prefix.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 52)}-${random}`;
}

export interface ReleaseDraft {
  id: string;
  channel: string;
  issued: number;
  version: string;
  /** Empty or absent: "Version {version}". */
  title?: string;
  notes: string;
  critical?: boolean;
  /** Absent: everyone. */
  rollout?: number;
  platforms?: string[];
  minVersion?: string;
  maxVersion?: string;
  expires?: number;
}

export function draftRelease(d: ReleaseDraft, assets: Asset[]): UnsignedRecord {
  const target = {
    ...(d.platforms?.length ? { platforms: [...new Set(d.platforms)] } : {}),
    ...(d.minVersion ? { minVersion: d.minVersion } : {}),
    ...(d.maxVersion ? { maxVersion: d.maxVersion } : {}),
    ...(d.rollout !== undefined ? { rollout: d.rollout } : {}),
  };
  return {
    id: d.id,
    channel: d.channel,
    kind: 'release',
    issued: d.issued,
    title: d.title || `Version ${d.version}`,
    body: d.notes,
    ...(d.expires !== undefined ? { expires: d.expires } : {}),
    ...(Object.keys(target).length ? { target } : {}),
    release: { version: d.version, ...(d.critical ? { critical: true } : {}), assets },
  };
}

export interface NewsDraft {
  id: string;
  channel: string;
  issued: number;
  title: string;
  body: string;
  expires?: number;
}

export function draftNews(d: NewsDraft): UnsignedRecord {
  return { id: d.id, channel: d.channel, kind: 'news', issued: d.issued, title: d.title, body: d.body, ...(d.expires !== undefined ? { expires: d.expires } : {}) };
}

export function draftRetraction(d: { id: string; channel: string; issued: number; retracts: string }): UnsignedRecord {
  return { id: d.id, channel: d.channel, kind: 'retraction', issued: d.issued, title: '', body: '', retracts: d.retracts };
}

/** Stand-in hashes, so a draft's shape can be checked before anything is hashed or downloaded. */
export function unhashed(assets: { platform: string; url: string }[]): Asset[] {
  return assets.map((a) => ({ platform: a.platform, url: a.url, sha256: '0'.repeat(64), size: 0 }));
}

/** The schema check on a draft, before slow work (hashing, downloads) and before anything is sent. */
export function checkDraft(record: UnsignedRecord, allowLoopbackHttp: boolean): void {
  const checked = schemas({ allowLoopbackHttp }).unsigned.safeParse(record);
  if (!checked.success) {
    const { field, message } = firstIssue(checked.error);
    throw new DraftError(field, message);
  }
}

/** Signs the record and checks the result with the schema the feed's publish endpoint uses. */
export async function signForFeed(record: UnsignedRecord, key: SigningKey, allowLoopbackHttp: boolean): Promise<PublishRecord> {
  const body = await signRecord(record, key);
  const checked = schemas({ allowLoopbackHttp }).publish.safeParse(body);
  if (!checked.success) {
    const { field, message } = firstIssue(checked.error);
    throw new DraftError(field, message);
  }
  return checked.data;
}

/** Where clients download a local file published under a base URL (`--url <base>`, or a publisher's asset base). */
export function assetUrlUnder(baseUrl: string, fileName: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(fileName)}`;
}

/** A rollout percentage as a person types it: a whole number from 0 to 100, else null (the CLI's --rollout, the console's fields). */
export function parseRollout(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n <= 100 ? n : null;
}

/** A release copy as published (the signature, seq and created may be on it: they are dropped). */
export type PublishedCopy = UnsignedRecord & { sig?: unknown; seq?: unknown; created?: unknown };

export interface RenewalChanges {
  id: string;
  /** Now; raised to one second after the copy's own `issued` so the feed takes it as a renewal. */
  issued: number;
  /** A new rollout (100 or more: everyone, so the field is left out); absent: the copy's own. */
  rollout?: number;
  /**
   * When the renewal expires. Absent: a copy with an expiry keeps its lifetime (expires − issued) counted from
   * the new `issued`, so renewing pushes the expiry out by the time that passed; null: no expiry.
   */
  expires?: number | null;
}

/**
 * The same release again, issued later: what the feed accepts as a *renewal* (docs/protocol.md: same version
 * and assets, issued after every live copy). Advancing a rollout and renewing an expiring record are both
 * this; only the rollout or the expiry differ. The assets, notes, title and targets are the copy's own.
 */
export function draftRenewal(copy: PublishedCopy, c: RenewalChanges): UnsignedRecord {
  const { sig: _sig, seq: _seq, created: _created, id: _id, issued: oldIssued, expires: oldExpires, target, ...rest } = copy;
  const issued = Math.max(c.issued, oldIssued + 1);
  const nextTarget: NonNullable<UnsignedRecord['target']> = { ...(target ?? {}) };
  if (c.rollout !== undefined) {
    if (c.rollout >= 100) delete nextTarget.rollout;
    else nextTarget.rollout = c.rollout;
  }
  const expires = c.expires !== undefined ? c.expires : oldExpires !== undefined ? issued + (oldExpires - oldIssued) : null;
  return {
    ...rest,
    id: c.id,
    issued,
    ...(expires !== null ? { expires } : {}),
    ...(Object.keys(nextTarget).length ? { target: nextTarget } : {}),
  } as UnsignedRecord;
}
