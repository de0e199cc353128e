// Zod schemas for every feed v1 wire shape. Shared by the server (publish checks) and the companion
// (response checks), so both sides agree on what a valid record is.
import { z } from 'zod';
import semverValid from 'semver/functions/valid.js';
import semverPrerelease from 'semver/functions/prerelease.js';
import {
  CHANNEL_PATTERN, ID_PATTERN, KEY_ID_PATTERN, SIGNATURE_B64_PATTERN, PLATFORM_PATTERN, SHA256_HEX_PATTERN, SHA512_B64_PATTERN,
  MAX_TITLE_CODE_POINTS, MAX_BODY_BYTES, MAX_DATA_BYTES, MAX_ASSETS, MAX_PATCHES,
  utf8Length, codePointLength, isAllowedUrl,
} from './limits.ts';

const noNul = (s: string) => !s.includes('\u0000');

export const channelName = z.string().regex(CHANNEL_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
export const messageId = z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9._-]{1,64}$');
export const unixSeconds = z.int().min(0).max(2 ** 40);
export const semverString = z.string().max(256).refine((v) => semverValid(v) === v, 'must be a semantic version such as 2.1.0');
export const platform = z.string().regex(PLATFORM_PATTERN, 'must be a platform such as linux-x64, win32-x64 or darwin-arm64');
export const kind = z.enum(['release', 'news', 'retraction']);
export type Kind = z.infer<typeof kind>;

export const signature = z.strictObject({
  key: z.string().regex(KEY_ID_PATTERN, 'must be a 16-hex-digit key id'),
  ed25519: z.string().regex(SIGNATURE_B64_PATTERN, 'must be standard base64 of a 64-byte Ed25519 signature'),
});
export type Signature = z.infer<typeof signature>;

export const target = z.strictObject({
  platforms: z.array(platform).min(1).max(16).optional(),
  minVersion: semverString.optional(),
  maxVersion: semverString.optional(),
  rollout: z.int().min(0).max(100).optional(),
});
export type Target = z.infer<typeof target>;

export interface SchemaOptions {
  /** Allow http:// asset URLs on loopback hosts (development and tests only). */
  allowLoopbackHttp: boolean;
}

/** How an asset is installed (docs/updates.md): decides which applier the companion uses. */
export const packageKind = z.enum(['appimage', 'deb', 'rpm', 'nsis', 'zip', 'dmg']);
export type PackageKind = z.infer<typeof packageKind>;

function fileRefSchema(opts: SchemaOptions) {
  return {
    url: z.string().max(2048).refine((u) => isAllowedUrl(u, opts.allowLoopbackHttp), 'must be an https URL'),
    sha256: z.string().regex(SHA256_HEX_PATTERN, 'must be 64 lowercase hex digits'),
    size: z.int().min(0).max(2 ** 45),
  };
}

function assetSchema(opts: SchemaOptions) {
  return z.strictObject({
    platform,
    ...fileRefSchema(opts),
    /** Absent: inferred from the URL's file extension (docs/updates.md). */
    package: packageKind.optional(),
    /** Binary patches from earlier versions' same asset to this one (zstd patch-from; docs/updates.md). */
    patches: z.array(z.strictObject({ from: semverString, ...fileRefSchema(opts) })).max(MAX_PATCHES).optional(),
    /** The content-defined chunk map of this asset, so a client can reuse the chunks it already has. */
    chunks: z.strictObject(fileRefSchema(opts)).optional(),
    /** SHA-512 of the file, standard base64: what electron-updater checks (docs/protocol.md, Assets). */
    sha512: z.string().regex(SHA512_B64_PATTERN, 'must be standard base64 of a 64-byte SHA-512 digest').optional(),
    /** Ed25519 signature over the file's bytes with the publisher key: Sparkle's sparkle:edSignature (docs/protocol.md, Assets). */
    edSignature: z.string().regex(SIGNATURE_B64_PATTERN, 'must be standard base64 of a 64-byte Ed25519 signature').optional(),
  });
}

function releaseSchema(opts: SchemaOptions) {
  return z.strictObject({
    version: semverString,
    critical: z.boolean().optional(),
    assets: z.array(assetSchema(opts)).max(MAX_ASSETS),
  });
}

/** Fields covered by the signature: everything but seq, created and sig. */
function signedShape(opts: SchemaOptions) {
  return {
    id: messageId,
    channel: channelName,
    kind,
    issued: unixSeconds,
    title: z.string()
      .refine((t) => codePointLength(t) <= MAX_TITLE_CODE_POINTS, `must be at most ${MAX_TITLE_CODE_POINTS} characters`)
      .refine(noNul, 'must not contain NUL characters'),
    body: z.string()
      .refine((b) => utf8Length(b) <= MAX_BODY_BYTES, `must be at most ${MAX_BODY_BYTES} bytes of UTF-8`)
      .refine(noNul, 'must not contain NUL characters'),
    code: z.int().min(0).max(2 ** 31).optional(),
    data: z.record(z.string(), z.json()).refine((d) => utf8Length(JSON.stringify(d)) <= MAX_DATA_BYTES, `must be at most ${MAX_DATA_BYTES} bytes as JSON`).optional(),
    persistent: z.boolean().optional(),
    expires: unixSeconds.optional(),
    target: target.optional(),
    release: releaseSchema(opts).optional(),
    retracts: messageId.optional(),
  };
}

interface KindFields {
  kind: Kind;
  title: string;
  channel: string;
  persistent?: boolean | undefined;
  release?: { version: string; assets: { platform: string }[] } | undefined;
  retracts?: string | undefined;
}

/** Rules that tie fields together (protocol.md "Precise rules"). */
function checkKindRules(m: KindFields, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (m.kind === 'release') {
    if (!m.release) issue(['release'], 'is required when kind is "release"');
    if (m.retracts !== undefined) issue(['retracts'], 'is only allowed when kind is "retraction"');
    if (m.persistent === false) issue(['persistent'], 'a release cannot be live-only');
    if (m.release && m.channel === 'stable' && semverPrerelease(m.release.version)) {
      issue(['release', 'version'], 'a pre-release version cannot be published on the stable channel');
    }
    if (m.release) {
      const seen = new Set<string>();
      m.release.assets.forEach((a, i) => {
        // One asset per platform and package kind: linux-x64 may carry an AppImage and a deb.
        const key = `${a.platform}/${(a as { package?: string }).package ?? ''}`;
        if (seen.has(key)) issue(['release', 'assets', i, 'platform'], 'each platform may appear only once per package kind');
        seen.add(key);
      });
    }
  } else if (m.kind === 'retraction') {
    if (!m.retracts) issue(['retracts'], 'is required when kind is "retraction"');
    if (m.release) issue(['release'], 'is only allowed when kind is "release"');
  } else {
    if (m.release) issue(['release'], 'is only allowed when kind is "release"');
    if (m.retracts !== undefined) issue(['retracts'], 'is only allowed when kind is "retraction"');
  }
  if (m.kind !== 'retraction' && m.title.length === 0) issue(['title'], 'must not be empty');
}

function build(opts: SchemaOptions) {
  const shape = signedShape(opts);
  const unsigned = z.strictObject(shape).superRefine(checkKindRules);
  const publish = z.strictObject({ ...shape, sig: signature }).superRefine(checkKindRules);
  const stored = z.strictObject({ ...shape, seq: z.int().min(1), created: unixSeconds, sig: signature.nullable() }).superRefine(checkKindRules);
  const page = z.strictObject({
    channel: channelName,
    messages: z.array(stored),
    next: z.int().min(0),
    head: z.int().min(0),
    more: z.boolean(),
  });
  return { unsigned, publish, stored, page };
}

const strictSchemas = build({ allowLoopbackHttp: false });
const devSchemas = build({ allowLoopbackHttp: true });

/** Schemas for a configuration; dev schemas accept loopback http asset URLs. */
export function schemas(opts: SchemaOptions) {
  return opts.allowLoopbackHttp ? devSchemas : strictSchemas;
}

export type UnsignedRecord = z.infer<typeof strictSchemas.unsigned>;
export type PublishRecord = z.infer<typeof strictSchemas.publish>;
export type StoredMessage = z.infer<typeof strictSchemas.stored>;
export type MessagePage = z.infer<typeof strictSchemas.page>;
export type Asset = NonNullable<UnsignedRecord['release']>['assets'][number];

export const channelInfo = z.strictObject({
  name: channelName,
  kind: z.enum(['update', 'news']),
  title: z.string().max(200),
  head: z.int().min(0),
});
export type ChannelInfo = z.infer<typeof channelInfo>;
export const channelList = z.strictObject({ channels: z.array(channelInfo) });
/**
 * The routine check's answer. `holds` (issue 15, docs/protocol.md "Holds"): per channel, the versions whose rollout
 * the feed service has halted (by a publisher or by itself); present only while some rollout is halted. A hold is
 * not signed because it can only withhold: a client does not start downloading or installing a held version.
 */
export const heads = z.strictObject({
  heads: z.record(channelName, z.int().min(0)),
  holds: z.record(channelName, z.array(semverString).max(100)).optional(),
});
export type Heads = z.infer<typeof heads>;
export const health = z.object({ ok: z.literal(true), head: z.int().min(0) });

export const errorBody = z.strictObject({
  error: z.strictObject({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type ErrorBody = z.infer<typeof errorBody>;

// Cryptolens-compatible shapes (field names byte for byte as the Cryptolens Web API sends them).
export const cryptolensMessage = z.object({
  id: z.int(),
  content: z.string(),
  created: z.int(),
  channel: z.string(),
});
export type CryptolensMessage = z.infer<typeof cryptolensMessage>;
export const cryptolensGetMessages = z.object({
  messages: z.array(cryptolensMessage).nullable().optional(),
  result: z.int(),
  message: z.string().nullable().optional(),
});

/** Turn a zod issue path into the JSON path our error bodies name: `release.assets[0].url`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** The first issue of a failed parse, as a field and a plain-words message. */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '', message: 'is invalid' };
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const base = fieldPath(issue.path);
    return { field: base ? `${base}.${key}` : key, message: `unknown field "${key}"` };
  }
  const field = fieldPath(issue.path);
  return { field, message: issue.message };
}
