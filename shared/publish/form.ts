// The publisher page's form (shared/ipc/contract.ts `publishInput`) as a feed record, and every refusal —
// the schema's, the feed's, a failed download's — as a field error next to the form field it is about, in
// plain words. Drafting itself is shared/publish/record.ts, the same as the CLI's. Pure.
import type { PublishInput } from '../ipc/contract.ts';
import type { FieldError } from '../ipc/types.ts';
import type { Asset, UnsignedRecord } from '../protocol/schemas.ts';
import { isAllowedUrl } from '../protocol/limits.ts';
import { assetUrlUnder, draftNews, draftRelease, newMessageId, unhashed } from './record.ts';
import type { FeedError } from './feed.ts';
import { publishWords as w } from './words.ts';

export type ReleaseInput = Extract<PublishInput, { kind: 'release' }>;

export const refuse = (field: string, message: string) => ({ ok: false as const, error: { field, message } });

/** "must be a semantic version such as 2.1.0" → "Must be a semantic version such as 2.1.0." */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!?…]$/.test(t) ? '' : '.'}`;
}

/**
 * A record path (as the schema and the feed name fields: `release.assets[0].url`, `target.rollout`, `body`)
 * → the form field it belongs to (`assets.0.url`, `rollout`, `notes`). Unknown paths land on the form.
 */
export function formField(recordField: string, kind: 'news' | 'release'): string {
  const f = recordField.replace(/\[(\d+)\]/g, '.$1');
  if (f === 'body') return kind === 'release' ? 'notes' : 'body';
  if (f === 'title' || f === 'channel') return f;
  if (f === 'expires') return 'expiresDays';
  if (f.startsWith('sig')) return 'key';
  let m = /^release\.assets(?:\.(\d+)(?:\.(url|platform))?)?/.exec(f);
  if (m) return m[2] ? `assets.${m[1]}.${m[2]}` : m[1] !== undefined ? `assets.${m[1]}` : 'assets';
  m = /^release\.(version|critical)$/.exec(f);
  if (m) return m[1]!;
  m = /^target\.(rollout|minVersion|maxVersion|platforms)/.exec(f);
  if (m) return m[1]!;
  return 'form';
}

/** Where a form asset's bytes come from: a file chosen through hashFile (by handle), or its download URL. */
export type PlannedAsset =
  | { index: number; platform: string; url: string; from: 'url' }
  | { index: number; platform: string; url: string; from: 'file'; handle: string };

/**
 * Where clients download each asset, as the CLI decides it: a URL alone is downloaded and hashed; a chosen
 * file with a URL (`platform=./file@https://…`) is hashed here and published under that URL; a chosen file
 * alone goes under `baseUrl` (`--url <base>`), and without one the form has to say where it will be.
 */
export function planAssets(input: ReleaseInput, o: { fileName(handle: string): string | null; baseUrl?: string | undefined; allowLoopbackHttp: boolean }): PlannedAsset[] | FieldError {
  const planned: PlannedAsset[] = [];
  for (const [index, a] of input.assets.entries()) {
    const url = a.url?.trim() ?? '';
    if (url && !isAllowedUrl(url, o.allowLoopbackHttp)) return { field: `assets.${index}.url`, message: w.assetNotHttps };
    if (a.handle === undefined) {
      if (!url) return { field: `assets.${index}`, message: w.assetMissing };
      planned.push({ index, platform: a.platform, url, from: 'url' });
      continue;
    }
    const name = o.fileName(a.handle);
    if (name === null) return { field: `assets.${index}`, message: w.fileForgotten };
    const at = url || (o.baseUrl ? assetUrlUnder(o.baseUrl, name) : '');
    if (!at) return { field: `assets.${index}.url`, message: w.fileNeedsUrl(name) };
    planned.push({ index, platform: a.platform, url: at, from: 'file', handle: a.handle });
  }
  return planned;
}

/** The record the form describes; `assets` are the hashed ones (or stand-ins for the shape check). */
export function draftFromForm(input: PublishInput, o: { id: string; issued: number }, assets: Asset[] = []): UnsignedRecord {
  const expires = (days: number | undefined) => (days ? { expires: o.issued + days * 86_400 } : {});
  if (input.kind === 'news') return draftNews({ id: o.id, channel: input.channel, issued: o.issued, title: input.title, body: input.body });
  return draftRelease({
    id: o.id, channel: input.channel, issued: o.issued, version: input.version, title: input.title, notes: input.notes, critical: input.critical,
    // The form always has a rollout; 100 % is the same as none, and leaves the record smaller.
    ...(input.rollout < 100 ? { rollout: input.rollout } : {}),
    ...(input.platforms.length ? { platforms: input.platforms } : {}),
    ...(input.minVersion ? { minVersion: input.minVersion } : {}),
    ...(input.maxVersion ? { maxVersion: input.maxVersion } : {}),
    ...expires(input.expiresDays),
  }, assets);
}

/** A readable id for what the form publishes: `news-…`, `rel-2.1.0-…`. */
export function formMessageId(input: PublishInput): string {
  return newMessageId(input.kind === 'news' ? 'news' : `rel-${input.version}`);
}

/** The draft's shape with stand-in hashes, to check before anything is hashed, downloaded or sent. */
export function shapeOf(input: ReleaseInput, planned: PlannedAsset[], o: { id: string; issued: number }): UnsignedRecord {
  return draftFromForm(input, o, unhashed(planned));
}

/** What the feed's refusal means for the person at the form, next to the field it is about. */
export function feedRefusal(err: FeedError, o: { kind: 'news' | 'release'; channel: string; version?: string; key?: { keyId: string; publicKey: string }; host: string }): FieldError {
  if (err.status === undefined) return { field: 'form', message: w.feedUnreachable(o.host, err.detail) };
  if (err.status === 401) return { field: 'form', message: w.tokenRefused };
  if (err.status === 403) return { field: 'channel', message: w.channelRefused(o.channel, sentence(err.detail)) };
  if (err.code === 'unknown_key') return { field: 'key', message: w.untrustedKey(o.key) };
  if (err.code === 'bad_signature') return { field: 'key', message: w.badSignature };
  if (err.code === 'version_conflict') return { field: 'version', message: w.versionConflict(o.version ?? 'This version', o.channel) };
  if (err.code === 'id_conflict') return { field: 'form', message: w.idConflict };
  if (err.status === 429 || err.status === 503) return { field: 'form', message: w.feedWait(err.retryAfter) };
  if (err.status >= 500) return { field: 'form', message: w.feedProblem(err.status) };
  const field = formField(err.field ?? '', o.kind);
  // The feed says "release.version a pre-release …": the field is shown by placement, not in the words.
  const text = err.field && err.detail.startsWith(`${err.field} `) ? err.detail.slice(err.field.length + 1) : err.detail;
  return { field, message: sentence(text) };
}
