// `tidings publish release|news`, `tidings retract` and `tidings list`: the flags become a draft (drafting,
// checking and signing are shared/publish/record.ts, hashing shared/node/hash.ts: the same code the
// companion's publisher page runs), checked with the schema the service uses, signed with the publisher's
// key, and sent.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import semverValid from 'semver/functions/valid.js';
import type { UnsignedRecord, Asset } from '../../shared/protocol/schemas.ts';
import type { SigningKey } from '../../shared/protocol/signing.ts';
import { CHANNEL_PATTERN, ID_PATTERN, PLATFORM_PATTERN, MAX_PAGE_LIMIT, isAllowedUrl } from '../../shared/protocol/limits.ts';
import { DraftError, assetUrlUnder, checkDraft, draftNews, draftRelease, draftRetraction, newMessageId, nowSeconds, signForFeed, unhashed } from '../../shared/publish/record.ts';
import { postRecord } from '../../shared/publish/feed.ts';
import { call, cliError, retryNote, serverUrl } from './http.ts';
import { CliError, UsageError } from './errors.ts';
import { hashFile, hashUrl, signArchive } from './hash.ts';
import { loadSigningKey } from './keys.ts';
import { addDelta, parsePatchFrom, uploadLines } from './delta.ts';
import type { Out } from './output.ts';

export interface PublishFlags {
  server?: string;
  token?: string;
  key?: string;
  channel?: string;
  version?: string;
  title?: string;
  notes?: string;
  body?: string;
  'body-file'?: string;
  asset?: string[];
  url?: string;
  critical?: boolean;
  rollout?: string;
  platform?: string[];
  'min-version'?: string;
  'max-version'?: string;
  expires?: string;
  id?: string;
  'allow-insecure-loopback'?: boolean;
  'patch-from'?: string[];
  'chunk-map'?: boolean;
  after?: string;
  limit?: string;
}

const now = nowSeconds;

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`, /^--([a-z-]+)/.exec(what)?.[1]);
  return value;
}

function channelFlag(v: PublishFlags): string {
  const c = need(v.channel, '--channel');
  if (!CHANNEL_PATTERN.test(c)) throw new UsageError(`invalid channel name "${c}": letters, digits, . _ - (up to 64), starting with a letter or digit`, 'channel');
  return c;
}

/** `30d`, `12h`, `90m` from now, or an ISO 8601 date (`2027-01-31`, UTC) or date-time. */
export function parseExpires(raw: string, from: number): number {
  const m = /^(\d{1,6})([dhm])$/.exec(raw);
  const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(raw);
  const s = m ? from + Number(m[1]) * { d: 86_400, h: 3_600, m: 60 }[m[2] as 'd' | 'h' | 'm'] : iso ? Math.floor(Date.parse(raw) / 1000) : NaN;
  if (Number.isNaN(s)) throw new UsageError(`--expires must be a duration like 30d / 12h or a date like 2027-01-31, got "${raw}"`, 'expires');
  if (s <= from) throw new UsageError(`--expires ${raw} is in the past`, 'expires');
  return s;
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`cannot read ${flag} file: ${file}`, flag.replace(/^--/, ''));
  }
}

interface PlannedAsset {
  platform: string;
  /** Where clients download it (published in the record). */
  url: string;
  /** What is hashed: a local file, or the URL itself. */
  file: string | null;
}

/**
 * `platform=https://…/file` downloads and hashes the URL; `platform=./file@https://…/file` hashes the
 * local file and publishes the URL; `platform=./file` with `--url <base>` publishes <base>/<file name>.
 * Pure: every --asset is checked before anything is hashed or downloaded.
 */
function planAssets(specs: string[], baseUrl: string | undefined, allowLoopbackHttp: boolean): PlannedAsset[] {
  const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);
  const checkUrl = (url: string) => {
    if (!isAllowedUrl(url, allowLoopbackHttp)) throw new UsageError(`asset URL must be https: ${url}`, 'asset');
    return url;
  };
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`--asset must be platform=file or platform=url, e.g. linux-x64=./Tidings.AppImage (got "${spec}")`, 'asset');
    const platform = spec.slice(0, eq);
    const rest = spec.slice(eq + 1);
    if (!PLATFORM_PATTERN.test(platform)) throw new UsageError(`unknown platform "${platform}": use e.g. linux-x64, win32-x64, darwin-arm64`, 'asset');
    if (isUrl(rest)) return { platform, url: checkUrl(rest), file: null };
    const at = rest.lastIndexOf('@');
    if (at > 0 && isUrl(rest.slice(at + 1))) return { platform, url: checkUrl(rest.slice(at + 1)), file: rest.slice(0, at) };
    if (!rest) throw new UsageError(`--asset ${spec}: give a file or an https URL after =`, 'asset');
    if (baseUrl) return { platform, url: checkUrl(assetUrlUnder(baseUrl, basename(rest))), file: rest };
    throw new UsageError(`--asset ${spec}: say where clients download it: ${platform}=${rest}@https://…, or --url <base URL>`, 'asset');
  });
}

/**
 * Size, SHA-256 and SHA-512 of every asset, and for macOS assets the Ed25519 signature over the file's bytes
 * with the publisher key: what electron-updater's files and the Sparkle appcast need (docs/legacy-feeds.md).
 * Sparkle is macOS-only and signing holds the whole file in memory, so only darwin-* assets are signed.
 */
async function hashAssets(planned: PlannedAsset[], allowLoopbackHttp: boolean, key: SigningKey): Promise<Asset[]> {
  const out: Asset[] = [];
  for (const a of planned) {
    const extra = { sha512: true, keepBytes: a.platform.startsWith('darwin-') };
    const { bytes, ...h } = a.file === null ? await hashUrl(a.url, allowLoopbackHttp, extra) : await hashFile(a.file, extra);
    const edSignature = bytes ? await signArchive(bytes, key) : undefined;
    out.push({ platform: a.platform, url: a.url, ...h, ...(edSignature ? { edSignature } : {}) });
  }
  return out;
}

/** The schema check on a draft, before slow work (hashing, downloads) and before anything is sent. */
function precheck(record: UnsignedRecord, allowLoopbackHttp: boolean): void {
  try {
    checkDraft(record, allowLoopbackHttp);
  } catch (err) {
    if (err instanceof DraftError) throw new UsageError(`not sent: ${err.message}`, err.field);
    throw err;
  }
}

interface Sender {
  server: string;
  token: string;
  key: SigningKey;
  allowLoopbackHttp: boolean;
}

/** Server, token and key are checked before any asset is hashed or downloaded, so a typo fails fast. */
async function sender(v: PublishFlags): Promise<Sender> {
  const server = serverUrl(v.server);
  const token = need(v.token, '--token (or TIDINGS_TOKEN)');
  const key = await loadSigningKey(v.key);
  return { server, token, key, allowLoopbackHttp: v['allow-insecure-loopback'] ?? false };
}

/** Signs the record, checks it with the schema the feed uses (nothing is sent if it fails), and posts it. */
async function send(s: Sender, record: UnsignedRecord, out: Out): Promise<Record<string, unknown>> {
  let body;
  try {
    body = await signForFeed(record, s.key, s.allowLoopbackHttp);
  } catch (err) {
    if (err instanceof DraftError) throw new UsageError(`not sent: ${err.message}`, err.field);
    throw err;
  }
  const posted = await postRecord(s.server, s.token, body, { retries: 2, onRetry: retryNote(out) }).catch(cliError);
  if (posted.already) out.note('Already published (same id and content): nothing changed.');
  return posted.stored;
}

function versionFlag(raw: string | undefined, flag: string): string | undefined {
  if (raw !== undefined && semverValid(raw) !== raw) throw new UsageError(`${flag} must be a semantic version such as 2.1.0 (got "${raw}")`, flag.slice(2));
  return raw;
}

export async function publishRelease(v: PublishFlags, out: Out): Promise<void> {
  const channel = channelFlag(v);
  const version = versionFlag(need(v.version, '--version'), '--version') as string;
  if (!v.asset || v.asset.length === 0) throw new UsageError('a release needs at least one --asset (platform=./file with --url <base>, platform=./file@https://…, or platform=https://…)', 'asset');
  const platforms = v.asset.map((a) => a.slice(0, Math.max(0, a.indexOf('='))));
  const twice = platforms.find((p, i) => p && platforms.indexOf(p) !== i);
  if (twice) throw new UsageError(`--asset ${twice} is given twice: one asset per platform`, 'asset');
  if (v.url !== undefined && !isAllowedUrl(v.url, v['allow-insecure-loopback'] ?? false)) throw new UsageError(`--url must be an https URL: ${v.url}`, 'url');
  let rollout: number | undefined;
  if (v.rollout !== undefined) {
    if (!/^\d{1,3}$/.test(v.rollout) || Number(v.rollout) > 100) throw new UsageError(`--rollout must be a whole percentage 0–100 (got "${v.rollout}")`, 'rollout');
    rollout = Number(v.rollout);
  }
  for (const p of v.platform ?? []) if (!PLATFORM_PATTERN.test(p)) throw new UsageError(`unknown platform "${p}": use e.g. linux-x64, win32-x64, darwin-arm64`, 'platform');
  const minVersion = versionFlag(v['min-version'], '--min-version');
  const maxVersion = versionFlag(v['max-version'], '--max-version');
  const allow = v['allow-insecure-loopback'] ?? false;
  const planned = planAssets(v.asset, v.url, allow);
  const patchFrom = parsePatchFrom(v['patch-from'] ?? [], version, planned.map((a) => a.platform));
  const delta = patchFrom.length > 0 || (v['chunk-map'] ?? false);
  const remote = planned.find((a) => a.file === null);
  if (delta && remote) throw new UsageError(`--patch-from and --chunk-map need local asset files: ${remote.platform} is a URL`, v['chunk-map'] ? 'chunk-map' : 'patch-from');
  const issued = now();
  const expires = v.expires !== undefined ? parseExpires(v.expires, issued) : undefined;
  const id = idFlag(v);
  const notes = v.notes !== undefined ? readText(v.notes, '--notes') : '';
  const draft = (assets: Asset[]): UnsignedRecord => draftRelease({
    id, channel, issued, version, notes, ...(v.title !== undefined ? { title: v.title } : {}), ...(v.critical ? { critical: true } : {}),
    ...(rollout !== undefined ? { rollout } : {}), ...(v.platform?.length ? { platforms: v.platform } : {}),
    ...(minVersion ? { minVersion } : {}), ...(maxVersion ? { maxVersion } : {}), ...(expires !== undefined ? { expires } : {}),
  }, assets);
  precheck(draft(unhashed(planned)), allow);
  const s = await sender(v);
  let assets = await hashAssets(planned, allow, s.key);
  if (delta) {
    assets = await Promise.all(assets.map((a, i) => addDelta(a, planned[i]?.file as string, patchFrom.filter((p) => (p.platform ?? a.platform) === a.platform), true, out)));
  }
  const record = draft(assets);
  const stored = await send(s, record, out);
  out.result(stored, [
    `Published ${version} on ${channel} (id ${id}, seq ${String(stored.seq)}).`,
    ...assets.flatMap((a, i) => [`  ${a.platform.padEnd(14)} ${a.size} bytes  sha256 ${a.sha256}  ${a.url}`, ...uploadLines(a, planned[i]?.file ?? '')]),
  ]);
}

function idFlag(v: PublishFlags): string {
  if (v.id !== undefined && !ID_PATTERN.test(v.id)) throw new UsageError(`--id must be 1–64 letters, digits, . _ - (got "${v.id}")`, 'id');
  return v.id ?? newMessageId();
}

export async function publishNews(v: PublishFlags, out: Out): Promise<void> {
  const channel = channelFlag(v);
  const title = need(v.title, '--title');
  if (v.body !== undefined && v['body-file'] !== undefined) throw new UsageError('give either --body or --body-file, not both');
  const issued = now();
  const expires = v.expires !== undefined ? parseExpires(v.expires, issued) : undefined;
  const id = idFlag(v);
  const body = v['body-file'] !== undefined ? readText(v['body-file'], '--body-file') : (v.body ?? '');
  const record = draftNews({ id, channel, issued, title, body, ...(expires !== undefined ? { expires } : {}) });
  precheck(record, false);
  const s = await sender(v);
  const stored = await send(s, record, out);
  out.result(stored, [`Posted "${title}" on ${channel} (id ${id}, seq ${String(stored.seq)}).`]);
}

export async function retract(v: PublishFlags, positional: string[], out: Out): Promise<void> {
  const channel = channelFlag(v);
  const target = need(positional[0], 'the id of the message to retract (tidings retract <id> --channel c)');
  if (!ID_PATTERN.test(target)) throw new UsageError(`"${target}" is not a message id (see tidings list --channel ${channel})`);
  const id = idFlag(v);
  const s = await sender(v);
  const record = draftRetraction({ id, channel, issued: now(), retracts: target });
  const stored = await send(s, record, out);
  out.result(stored, [`Retracted ${target} on ${channel}. Clients hide it (and withdraw an offer built on it) at their next check.`]);
}

export async function list(v: PublishFlags, out: Out): Promise<void> {
  const channel = channelFlag(v);
  const after = v.after ?? '0';
  if (!/^\d{1,15}$/.test(after)) throw new UsageError(`--after must be a seq number (0 or more), got "${after}"`, 'after');
  const limit = v.limit ?? '50';
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE_LIMIT) throw new UsageError(`--limit must be 1–${MAX_PAGE_LIMIT}, got "${limit}"`, 'limit');
  const server = serverUrl(v.server);
  const { body } = await call(server, `/v1/channels/${encodeURIComponent(channel)}/messages?after=${after}&limit=${limit}`, { token: v.token });
  const page = body as { messages?: Record<string, unknown>[]; next?: number; more?: boolean; head?: number };
  const rows = (page.messages ?? []).map((m) => {
    const rel = m.release as { version?: string } | undefined;
    const what = m.kind === 'retraction' ? `retracts ${String(m.retracts)}` : `${rel?.version ? `${rel.version}  ` : ''}${String(m.title)}`;
    return `${String(m.seq).padStart(6)}  ${String(m.kind).padEnd(10)}  ${String(m.id).padEnd(36)}  ${what}${m.sig === null ? '  (unsigned)' : ''}`;
  });
  out.result(page, rows.length
    ? [...rows, ...(page.more ? [`… more after ${String(page.next)} (use --after ${String(page.next)})`] : [])]
    : [`Nothing on ${channel} after ${after}.`]);
}
