// The releases a legacy file is built from (docs/legacy-feeds.md): the live release records of the feed
// channels a legacy channel draws from, newest version first, one per version. Pure.
import semverRcompare from 'semver/functions/rcompare.js';
import semverValid from 'semver/functions/valid.js';
import { OFFERED_FROM, type UpdateChannel } from '../../shared/channels.ts';
import type { Asset, StoredMessage } from '../../shared/protocol/schemas.ts';

export type ReleaseRecord = StoredMessage & { release: NonNullable<StoredMessage['release']> };

/** The feed channels whose releases a legacy file for `channel` describes: the same the companion offers. */
export function sourcesOf(channel: UpdateChannel): readonly string[] {
  return OFFERED_FROM[channel];
}

/** Parses stored message JSON texts, keeping releases only (news and retraction records are skipped). */
export function releasesFrom(jsonTexts: Iterable<string>): ReleaseRecord[] {
  const out: ReleaseRecord[] = [];
  for (const text of jsonTexts) {
    const m = JSON.parse(text) as StoredMessage;
    if (m.kind === 'release' && m.release && semverValid(m.release.version) === m.release.version) out.push(m as ReleaseRecord);
  }
  return out;
}

/**
 * Highest version first ("latest" is the highest semver, never the newest seq). A version published more
 * than once (renewals carry the same assets) counts once: its newest copy.
 */
export function newestFirst(records: readonly ReleaseRecord[]): ReleaseRecord[] {
  const byVersion = new Map<string, ReleaseRecord>();
  for (const r of records) {
    const seen = byVersion.get(r.release.version);
    if (!seen || r.seq > seen.seq) byVersion.set(r.release.version, r);
  }
  return [...byVersion.values()].sort((a, b) => semverRcompare(a.release.version, b.release.version) || b.seq - a.seq);
}

/** Whether the record's on-device targeting lets `platform` see it at all. */
export function targets(record: ReleaseRecord, platform: string): boolean {
  const platforms = record.target?.platforms;
  return !platforms || platforms.includes(platform);
}

/** The extension a package kind's file ends with, as legacy updaters match files (case-insensitively). */
const EXTENSIONS = { appimage: '.appimage', deb: '.deb', rpm: '.rpm', nsis: '.exe', zip: '.zip', dmg: '.dmg' } as const;
export type Kind = keyof typeof EXTENSIONS;

function urlPath(url: string): string {
  try {
    return new URL(url).pathname.toLowerCase();
  } catch {
    return '';
  }
}

/**
 * The asset's package kind when its URL ends the way legacy updaters expect for that kind (they pick files
 * by extension); null otherwise, or when a named `package` and the URL disagree.
 */
export function kindOf(asset: Asset): Kind | null {
  const path = urlPath(asset.url);
  const byExt = (Object.keys(EXTENSIONS) as Kind[]).find((k) => path.endsWith(EXTENSIONS[k])) ?? null;
  if (asset.package !== undefined && asset.package !== byExt) return null;
  return byExt;
}

/** Whether the asset's URL names this architecture (legacy updaters tell arm64 files apart by name). */
export function urlNames(asset: Asset, arch: string): boolean {
  return urlPath(asset.url).includes(arch);
}
