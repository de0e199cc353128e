// electron-updater's generic-provider files (docs/legacy-feeds.md), built from signed release records. Pure.
//
// electron-updater asks for `<channel><suffix>.yml` under its base URL: the channel is `latest` unless the
// app sets another, and the suffix is "" on Windows, "-mac" on macOS and "-linux" plus "-<process.arch>"
// for a Linux arch other than x64 (its Provider.getChannelFilePrefix). stable maps to `latest` and
// experimental to `beta`, the prerelease channel electron-builder names for a `-beta` version.
import type { Asset } from '../../shared/protocol/schemas.ts';
import type { UpdateChannel } from '../../shared/channels.ts';
import { kindOf, newestFirst, sourcesOf, targets, urlNames, type Kind, type ReleaseRecord } from './releases.ts';
import { toYaml, type YamlMap } from './yaml.ts';

export const ELECTRON_CHANNEL_NAMES: Readonly<Record<UpdateChannel, string>> = { stable: 'latest', experimental: 'beta' };

export type ElectronTarget = { os: 'win' } | { os: 'mac' } | { os: 'linux'; arch: 'x64' | 'arm64' | 'ia32' | 'armv7l' };

export interface ElectronFile {
  name: string;
  channel: UpdateChannel;
  target: ElectronTarget;
}

/** Our platform arch → what electron-updater puts in the file name (Node's process.arch; armv7l is "arm"). */
const LINUX_SUFFIX = { x64: '', arm64: '-arm64', ia32: '-ia32', armv7l: '-arm' } as const;

function suffixOf(t: ElectronTarget): string {
  if (t.os === 'win') return '';
  if (t.os === 'mac') return '-mac';
  return `-linux${LINUX_SUFFIX[t.arch]}`;
}

const TARGETS: ElectronTarget[] = [
  { os: 'win' }, { os: 'mac' },
  ...(Object.keys(LINUX_SUFFIX) as (keyof typeof LINUX_SUFFIX)[]).map((arch): ElectronTarget => ({ os: 'linux', arch })),
];

/** Every file the service serves, for every channel and target. */
export const ELECTRON_FILES: readonly ElectronFile[] = (Object.keys(ELECTRON_CHANNEL_NAMES) as UpdateChannel[]).flatMap((channel) =>
  TARGETS.map((target) => ({ name: `${ELECTRON_CHANNEL_NAMES[channel]}${suffixOf(target)}.yml`, channel, target })));

export function electronFile(name: string): ElectronFile | undefined {
  return ELECTRON_FILES.find((f) => f.name === name);
}

interface Picked {
  asset: Asset & { sha512: string };
  kind: Kind;
}

const withSha512 = (a: Asset): a is Asset & { sha512: string } => typeof a.sha512 === 'string';

/**
 * The assets of one record that this file can list, in the order electron-updater wants (the first is also
 * the legacy top-level `path`). Its updaters pick a file by extension, and among several by whether the
 * URL names the machine's arch (Windows, Linux) or "arm64" (macOS), so an asset whose URL would make an
 * updater pick the wrong arch is left out.
 */
function pick(record: ReleaseRecord, t: ElectronTarget): Picked[] {
  const usable = record.release.assets
    .filter((a) => targets(record, a.platform) && withSha512(a))
    .map((a) => ({ asset: a as Asset & { sha512: string }, kind: kindOf(a) }))
    .filter((p): p is Picked => p.kind !== null);
  if (t.os === 'linux') {
    const order: Kind[] = ['appimage', 'deb', 'rpm'];
    return usable.filter((p) => p.asset.platform === `linux-${t.arch}` && order.includes(p.kind)).sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  }
  if (t.os === 'win') {
    const exes = usable.filter((p) => p.kind === 'nsis' && p.asset.platform.startsWith('win32-'));
    // x64 first: an updater whose arch no URL names takes the first file.
    const x64 = exes.filter((p) => p.asset.platform === 'win32-x64');
    const others = exes.filter((p) => p.asset.platform !== 'win32-x64' && urlNames(p.asset, p.asset.platform.slice('win32-'.length)));
    return [...x64, ...others];
  }
  const mac = usable.filter((p) => p.asset.platform.startsWith('darwin-') && (p.kind === 'zip' || p.kind === 'dmg'))
    // An x64 Mac drops every file whose URL says arm64; an arm64 Mac prefers them when there are any.
    .filter((p) => (p.asset.platform === 'darwin-arm64') === urlNames(p.asset, 'arm64'));
  if (!mac.some((p) => p.kind === 'zip')) return []; // MacUpdater installs from the zip only
  const rank = (p: Picked) => (p.kind === 'zip' ? 0 : 2) + (p.asset.platform === 'darwin-arm64' ? 1 : 0);
  return mac.sort((a, b) => rank(a) - rank(b));
}

/** Why a record cannot be described in electron-updater's format at all (beyond its assets). */
function inexpressible(record: ReleaseRecord): boolean {
  // electron-updater has no installed-version range: offering it would reach installs the publisher excluded.
  return record.target?.minVersion !== undefined || record.target?.maxVersion !== undefined;
}

function wanted(t: ElectronTarget): string {
  if (t.os === 'win') return 'a win32 .exe (nsis) asset';
  if (t.os === 'mac') return 'a darwin .zip asset';
  return `a linux-${t.arch} .AppImage, .deb or .rpm asset`;
}

export type Built = { ok: true; text: string; version: string } | { ok: false; message: string };

/**
 * The file: the newest release of the channel's sources that it can fully describe. Records it cannot
 * (no fitting asset with a sha512, or an installed-version range) are skipped, never written half-filled.
 */
export function electronUpdateInfo(records: readonly ReleaseRecord[], file: ElectronFile): Built {
  for (const record of newestFirst(records)) {
    if (inexpressible(record)) continue;
    const files = pick(record, file.target);
    const first = files[0];
    if (!first) continue;
    const map: YamlMap = {
      version: record.release.version,
      files: files.map((p) => ({ url: p.asset.url, sha512: p.asset.sha512, size: p.asset.size })),
      // Read by electron-updater versions from before `files`.
      path: first.asset.url,
      sha512: first.asset.sha512,
      releaseDate: new Date(record.created * 1000).toISOString(),
      releaseName: record.title,
      releaseNotes: record.body === '' ? undefined : record.body,
      stagingPercentage: record.target?.rollout,
    };
    return { ok: true, text: toYaml(map), version: record.release.version };
  }
  return {
    ok: false,
    message: `no release on ${sourcesOf(file.channel).join(' or ')} can be described in ${file.name}: it needs ${wanted(file.target)} with a sha512 and no minimum or maximum installed version`,
  };
}
