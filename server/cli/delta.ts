// `tidings publish release --patch-from [platform@]version=old-file … [--chunk-map]` (docs/delta.md): for each
// local asset, a zstd patch from each old file the publisher points at, and a chunk map, written next to the
// asset (<asset>.from-<version>.patch, <asset>.chunks) and named in the signed record with their sha256 and
// size. Their URLs are the asset's URL with the same suffix: upload them beside the asset.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import semverValid from 'semver/functions/valid.js';
import type { Asset } from '../../shared/protocol/schemas.ts';
import { MAX_PATCHES } from '../../shared/protocol/limits.ts';
import { makePatch, PatchError } from '../../shared/node/patch.ts';
import { writeChunkMap } from '../../shared/node/chunks.ts';
import { CliError, UsageError } from './errors.ts';
import type { Out } from './output.ts';

export interface PatchFrom {
  /** null: the only asset. */
  platform: string | null;
  version: string;
  file: string;
}

/** `linux-x64@2.0.3=./old.AppImage`, or `2.0.3=./old.AppImage` when the release has one asset. */
export function parsePatchFrom(specs: string[], newVersion: string, platforms: string[]): PatchFrom[] {
  const out = specs.map((spec) => {
    const m = /^(?:([a-z0-9]+-[a-z0-9]+)@)?([^=@]+)=(.+)$/.exec(spec);
    if (!m) throw new UsageError(`--patch-from must be [platform@]version=old file, e.g. linux-x64@2.0.3=./Tidings-2.0.3.AppImage (got "${spec}")`, 'patch-from');
    const [, platform, version, file] = m as unknown as [string, string | undefined, string, string];
    if (semverValid(version) !== version) throw new UsageError(`--patch-from ${spec}: "${version}" is not a semantic version such as 2.0.3`, 'patch-from');
    if (version === newVersion) throw new UsageError(`--patch-from ${spec}: a patch must come from an earlier version than ${newVersion}`, 'patch-from');
    if (platform === undefined && platforms.length !== 1) throw new UsageError(`--patch-from ${spec}: say which asset, e.g. ${platforms[0] ?? 'linux-x64'}@${version}=${file}`, 'patch-from');
    if (platform !== undefined && !platforms.includes(platform)) throw new UsageError(`--patch-from ${spec}: no --asset for ${platform}`, 'patch-from');
    return { platform: platform ?? null, version, file };
  });
  for (const p of platforms) {
    const mine = out.filter((f) => (f.platform ?? platforms[0]) === p);
    if (mine.length > MAX_PATCHES) throw new UsageError(`at most ${MAX_PATCHES} --patch-from per asset (${p} has ${mine.length})`, 'patch-from');
    const twice = mine.find((f, i) => mine.findIndex((g) => g.version === f.version) !== i);
    if (twice) throw new UsageError(`--patch-from ${p}@${twice.version} is given twice`, 'patch-from');
  }
  // Checked before anything is hashed, signed or sent, so a typo fails fast with one line.
  for (const f of out) {
    if (!statSync(f.file, { throwIfNoEntry: false })?.isFile()) throw new CliError(`--patch-from ${f.version}: cannot read the old file ${f.file}`, 'patch-from');
  }
  return out;
}

/** The asset URL with a suffix on its path (a query string, if any, stays after it). */
function besideUrl(url: string, suffix: string): string {
  const u = new URL(url);
  u.pathname += suffix;
  return u.toString();
}

/** Writes the patches and chunk map of one local asset; returns the asset with them in it. */
export async function addDelta(asset: Asset, localFile: string, patches: PatchFrom[], chunkMap: boolean, out: Out): Promise<Asset> {
  const result: Asset = { ...asset };
  if (patches.length > 0) {
    result.patches = [];
    for (const p of patches) {
      const suffix = `.from-${p.version}.patch`;
      const started = Date.now();
      out.note(`making the patch from ${p.version} (${basename(p.file)}) to ${basename(localFile)}…`);
      let made;
      try {
        made = await makePatch(p.file, localFile, localFile + suffix);
      } catch (err) {
        if (err instanceof PatchError) throw new CliError(`--patch-from ${p.version}: ${err.message}`, 'patch-from');
        throw err;
      }
      out.note(`  ${basename(localFile + suffix)}: ${made.size} bytes (${(made.size / Math.max(1, asset.size) * 100).toFixed(3)} % of the asset) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      result.patches.push({ from: p.version, url: besideUrl(asset.url, suffix), ...made });
    }
  }
  if (chunkMap || patches.length > 0) {
    const written = await writeChunkMap(localFile, `${localFile}.chunks`);
    result.chunks = { url: besideUrl(asset.url, '.chunks'), sha256: written.sha256, size: written.size };
  }
  return result;
}

/** Lines telling the publisher which files to upload where. */
export function uploadLines(asset: Asset, localFile: string): string[] {
  return [
    ...(asset.patches ?? []).map((p) => `  upload ${localFile}.from-${p.from}.patch (${p.size} bytes) to ${p.url}`),
    ...(asset.chunks ? [`  upload ${localFile}.chunks (${asset.chunks.size} bytes) to ${asset.chunks.url}`] : []),
  ];
}
