// `tidings publish release|news`, `tidings retract` and `tidings list`: build the record, check it with the
// same schema the service uses, sign it with the publisher's key, and send it.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import semverValid from 'semver/functions/valid.js';
import { schemas, firstIssue, type UnsignedRecord, type Asset } from '../../shared/protocol/schemas.ts';
import { signRecord } from '../../shared/protocol/signing.ts';
import { CHANNEL_PATTERN, PLATFORM_PATTERN, isAllowedUrl } from '../../shared/protocol/limits.ts';
import { CliError, UsageError } from './errors.ts';
import { hashFile, hashUrl } from './hash.ts';
import { loadSigningKey } from './keys.ts';
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
  after?: string;
  limit?: string;
}

const now = () => Math.floor(Date.now() / 1000);

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

function channelFlag(v: PublishFlags): string {
  const c = need(v.channel, '--channel');
  if (!CHANNEL_PATTERN.test(c)) throw new UsageError(`invalid channel name "${c}": letters, digits, . _ - (up to 64), starting with a letter or digit`);
  return c;
}

function serverFlag(v: PublishFlags): string {
  const s = need(v.server, '--server <url> (or TIDINGS_SERVER)');
  if (!isAllowedUrl(s, true)) throw new UsageError(`--server must be an https URL (or http on localhost): ${s}`);
  return s.replace(/\/+$/, '');
}

/** `30d`, `12h`, `90m` from now, or an ISO date. */
export function parseExpires(raw: string, from: number): number {
  const m = /^(\d+)([dhm])$/.exec(raw);
  if (m) return from + Number(m[1]) * { d: 86_400, h: 3_600, m: 60 }[m[2] as 'd' | 'h' | 'm'];
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new UsageError(`--expires must be a duration like 30d / 12h or a date like 2027-01-31, got "${raw}"`);
  const s = Math.floor(t / 1000);
  if (s <= from) throw new UsageError(`--expires ${raw} is in the past`);
  return s;
}

function readText(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`cannot read ${flag} file: ${file}`, flag.replace(/^--/, ''));
  }
}

/**
 * `platform=https://…/file` downloads and hashes the URL; `platform=./file@https://…/file` hashes the
 * local file and publishes the URL; `platform=./file` with `--url <base>` publishes <base>/<file name>.
 */
async function assetSpecs(specs: string[], baseUrl: string | undefined, allowLoopbackHttp: boolean): Promise<Asset[]> {
  const out: Asset[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`--asset must be platform=file or platform=url, e.g. linux-x64=./Tidings.AppImage (got "${spec}")`);
    const platform = spec.slice(0, eq);
    const rest = spec.slice(eq + 1);
    if (!PLATFORM_PATTERN.test(platform)) throw new UsageError(`unknown platform "${platform}": use e.g. linux-x64, win32-x64, darwin-arm64`);
    const checkUrl = (url: string) => {
      if (!isAllowedUrl(url, allowLoopbackHttp)) throw new UsageError(`asset URL must be https: ${url}`);
      return url;
    };
    if (/^[a-z][a-z0-9+.-]*:/i.test(rest) && !/^[a-z]:[\\/]/i.test(rest)) {
      out.push({ platform, url: checkUrl(rest), ...(await hashUrl(rest, allowLoopbackHttp)) });
      continue;
    }
    const at = rest.lastIndexOf('@');
    let file = rest;
    let url: string;
    if (at > 0 && /^[a-z][a-z0-9+.-]*:/i.test(rest.slice(at + 1))) {
      file = rest.slice(0, at);
      url = checkUrl(rest.slice(at + 1));
    } else if (baseUrl) {
      url = checkUrl(`${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(basename(file))}`);
    } else {
      throw new UsageError(`--asset ${spec}: say where clients download it: ${platform}=${file}@https://…, or --url <base URL>`);
    }
    out.push({ platform, url, ...(await hashFile(file)) });
  }
  return out;
}

async function send(v: PublishFlags, record: UnsignedRecord, out: Out): Promise<Record<string, unknown>> {
  const server = serverFlag(v);
  const token = need(v.token, '--token (or TIDINGS_TOKEN)');
  const allow = v['allow-insecure-loopback'] ?? false;
  const checked = schemas({ allowLoopbackHttp: allow }).unsigned.safeParse(record);
  if (!checked.success) {
    const { field, message } = firstIssue(checked.error);
    throw new CliError(`${field || 'record'} ${message}`, field);
  }
  const key = await loadSigningKey(v.key);
  const body = await signRecord(record, key);
  let res: Response;
  try {
    res = await fetch(`${server}/v1/channels/${encodeURIComponent(record.channel)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new CliError(`could not reach ${server}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { /* not JSON */ }
  if (!res.ok) {
    const e = (parsed.error ?? {}) as { message?: string; field?: string };
    throw new CliError(`the feed refused it (HTTP ${res.status}): ${e.message ?? text.slice(0, 200)}${e.field ? ` [field: ${e.field}]` : ''}`, e.field);
  }
  if (res.status === 200) out.note('Already published (same id and content): nothing changed.');
  return parsed;
}

export async function publishRelease(v: PublishFlags, out: Out): Promise<void> {
  const channel = channelFlag(v);
  const version = need(v.version, '--version');
  if (semverValid(version) !== version) throw new UsageError(`--version must be a semantic version such as 2.1.0 (got "${version}")`);
  const notes = v.notes ? readText(v.notes, '--notes') : '';
  if (!v.asset || v.asset.length === 0) throw new UsageError('a release needs at least one --asset (platform=./file with --url <base>, platform=./file@https://…, or platform=https://…)');
  let rollout: number | undefined;
  if (v.rollout !== undefined) {
    if (!/^\d{1,3}$/.test(v.rollout) || Number(v.rollout) > 100) throw new UsageError(`--rollout must be a whole percentage 0–100 (got "${v.rollout}")`);
    rollout = Number(v.rollout);
  }
  for (const p of v.platform ?? []) if (!PLATFORM_PATTERN.test(p)) throw new UsageError(`unknown platform "${p}"`);
  for (const f of ['min-version', 'max-version'] as const) {
    const s = v[f];
    if (s !== undefined && semverValid(s) !== s) throw new UsageError(`--${f} must be a semantic version (got "${s}")`);
  }
  const issued = now();
  const target = {
    ...(v.platform?.length ? { platforms: v.platform } : {}),
    ...(v['min-version'] ? { minVersion: v['min-version'] } : {}),
    ...(v['max-version'] ? { maxVersion: v['max-version'] } : {}),
    ...(rollout !== undefined ? { rollout } : {}),
  };
  const record: UnsignedRecord = {
    id: v.id ?? randomUUID(),
    channel,
    kind: 'release',
    issued,
    title: v.title ?? `Version ${version}`,
    body: notes,
    ...(v.expires ? { expires: parseExpires(v.expires, issued) } : {}),
    ...(Object.keys(target).length ? { target } : {}),
    release: { version, ...(v.critical ? { critical: true } : {}), assets: await assetSpecs(v.asset, v.url, v['allow-insecure-loopback'] ?? false) },
  };
  const stored = await send(v, record, out);
  out.result(stored, [`Published ${version} on ${channel} (id ${record.id}, seq ${String(stored.seq)}).`]);
}

export async function publishNews(v: PublishFlags, out: Out): Promise<void> {
  const channel = channelFlag(v);
  const title = need(v.title, '--title');
  if (v.body !== undefined && v['body-file'] !== undefined) throw new UsageError('give either --body or --body-file, not both');
  const body = v['body-file'] ? readText(v['body-file'], '--body-file') : (v.body ?? '');
  const issued = now();
  const record: UnsignedRecord = { id: v.id ?? randomUUID(), channel, kind: 'news', issued, title, body, ...(v.expires ? { expires: parseExpires(v.expires, issued) } : {}) };
  const stored = await send(v, record, out);
  out.result(stored, [`Posted "${title}" on ${channel} (id ${record.id}, seq ${String(stored.seq)}).`]);
}

export async function retract(v: PublishFlags, positional: string[], out: Out): Promise<void> {
  const channel = channelFlag(v);
  const target = need(positional[0], 'the id of the message to retract');
  const record: UnsignedRecord = { id: randomUUID(), channel, kind: 'retraction', issued: now(), title: '', body: '', retracts: target };
  const stored = await send(v, record, out);
  out.result(stored, [`Retracted ${target} on ${channel}. Clients hide it (and withdraw an offer built on it) at their next check.`]);
}

export async function list(v: PublishFlags, out: Out): Promise<void> {
  const server = serverFlag(v);
  const channel = channelFlag(v);
  const after = v.after ?? '0';
  const limit = v.limit ?? '50';
  const headers: Record<string, string> = v.token ? { authorization: `Bearer ${v.token}` } : {};
  let res: Response;
  try {
    res = await fetch(`${server}/v1/channels/${encodeURIComponent(channel)}/messages?after=${encodeURIComponent(after)}&limit=${encodeURIComponent(limit)}`, { headers });
  } catch (err) {
    throw new CliError(`could not reach ${server}: ${(err as Error).message}`);
  }
  const page = (await res.json().catch(() => ({}))) as { messages?: Record<string, unknown>[]; error?: { message: string; field?: string }; next?: number; more?: boolean };
  if (!res.ok) throw new CliError(`the feed refused it (HTTP ${res.status}): ${page.error?.message ?? ''}${page.error?.field ? ` [field: ${page.error.field}]` : ''}`);
  const rows = (page.messages ?? []).map((m) => {
    const rel = m.release as { version?: string } | undefined;
    return `${String(m.seq).padStart(6)}  ${String(m.kind).padEnd(10)}  ${String(m.id).padEnd(36)}  ${rel?.version ? `${rel.version}  ` : ''}${m.kind === 'retraction' ? `retracts ${String(m.retracts)}` : String(m.title)}`;
  });
  out.result(page, rows.length ? [...rows, ...(page.more ? [`… more after ${page.next} (use --after ${page.next})`] : [])] : [`Nothing on ${channel} after ${after}.`]);
}
