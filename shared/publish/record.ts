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
