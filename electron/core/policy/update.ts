// The update policy as pure functions over what the store holds: which verified release (if any) to offer,
// and what to say when there is none. No I/O, no clock reads: the caller passes the check's start time.
import { OFFERED_FROM, type UpdateChannel } from '../../../shared/channels.ts';
import { createHash } from 'node:crypto';
import semverCompare from 'semver/functions/compare.js';
import semverPrerelease from 'semver/functions/prerelease.js';
import type { Asset, PackageKind, Target } from '../../../shared/protocol/schemas.ts';

export type { UpdateChannel };

/** A trusted (signature-verified) release record. Retracted and expired ones are passed too: they still count for rollback. */
export interface ReleaseInfo {
  id: string;
  channel: string;
  version: string;
  critical: boolean;
  expires: number | null;
  target: Target | null;
  assets: Asset[];
  retracted: boolean;
  /** The record's issue time (unix s): tells a republished version from the one that failed to start. */
  issued?: number;
  /** The source the record came from (holds are per source and channel). */
  sourceId?: string;
  /**
   * The publisher halted this release's rollout (the heads answer's `holds`, docs/protocol.md "Holds"): not
   * offered, downloaded or installed while held; it still counts for rollback like any stored record.
   */
  held?: boolean;
}

/** Held versions per source, then per channel, as the last heads 200 of each source said. */
export type Holds = ReadonlyMap<string, Readonly<Record<string, readonly string[]>>>;

/** Marks the releases a source's heads answer holds (same source, channel and version). */
export function withHolds(releases: readonly ReleaseInfo[], holds: Holds): ReleaseInfo[] {
  return releases.map((r) => {
    const held = r.sourceId !== undefined && (holds.get(r.sourceId)?.[r.channel]?.includes(r.version) ?? false);
    return held ? { ...r, held } : r;
  });
}

/** What an install is, for targeting: the same facts decide whether a release is offered and whether it sets the floor. */
export interface InstallFacts {
  platform: string;
  installedVersion: string;
  /** 0..99, stable per install (bucketOf). */
  installBucket: number;
  /** How this install was packaged (from the shell's install setup), to pick the right asset. */
  package?: PackageKind | null;
}

export interface PolicyInput extends InstallFacts {
  channel: UpdateChannel;
  releases: readonly ReleaseInfo[];
  skipped: readonly string[];
  /** Versions that failed to start here and were rolled back: never offered again, unless recalled and republished (isBad). */
  bad?: readonly { version: string; issued: number }[];
  /** Unix seconds; before this, a non-critical offer does not notify. */
  remindUntil: number | null;
  /** Unix seconds, fixed at the start of the check (expiry is judged against one instant). */
  now: number;
  lastSuccess: number | null;
  failingSince: number | null;
  /** Failing this long without a success means "can't confirm". Default 3 days. */
  staleAfterSec?: number;
}

export interface Offer {
  release: ReleaseInfo;
  asset: Asset;
  critical: boolean;
  /** False while "remind me later" holds (a critical offer always notifies). */
  notify: boolean;
}

export type UpdateStatus =
  | { state: 'not-checked' }
  | { state: 'up-to-date'; checkedAt: number }
  | { state: 'available'; offer: Offer }
  | { state: 'cant-confirm'; since: number; reason: 'expired' | 'unreachable' }
  /** Running a version newer than anything on the chosen channel (e.g. after experimental → stable). */
  | { state: 'ahead-of-channel'; message: string };

const cmp = (a: string, b: string) => semverCompare(a, b);

export function channelsFor(channel: UpdateChannel): string[] {
  return [...OFFERED_FROM[channel]];
}

/** A stable rollout bucket 0..99 from the per-install random id. */
export function bucketOf(installId: string): number {
  return createHash('sha256').update(`rollout:${installId}`).digest().readUInt32BE(0) % 100;
}

/**
 * The asset this install downloads: one for its platform, of its package kind when the install knows it (an
 * AppImage install never gets the .deb); an asset that names no kind fits any install of its platform.
 */
export function assetFor(r: Pick<ReleaseInfo, 'assets'>, platform: string, pkg?: PackageKind | null): Asset | undefined {
  const mine = r.assets.filter((a) => a.platform === platform);
  if (pkg) return mine.find((a) => a.package === pkg) ?? mine.find((a) => a.package === undefined);
  return mine.find((a) => a.package === undefined) ?? mine[0];
}

/**
 * Whether a release is meant for this install by the install's own properties: an asset for its platform, the
 * target's platform list, the installed version within the target range, and its rollout bucket below the
 * release's rollout percentage. Retraction, expiry and the subscribed channels are not part of it.
 */
export function appliesToInstall(r: Pick<ReleaseInfo, 'target' | 'assets'>, install: InstallFacts): boolean {
  if (!assetFor(r, install.platform, install.package)) return false;
  const t = r.target;
  if (t?.platforms && !t.platforms.includes(install.platform)) return false;
  if (t?.minVersion && cmp(install.installedVersion, t.minVersion) < 0) return false;
  if (t?.maxVersion && cmp(install.installedVersion, t.maxVersion) > 0) return false;
  if (install.installBucket >= (t?.rollout ?? 100)) return false;
  return true;
}

/**
 * Rollback floor per channel: the highest trusted version there that applies to this install (appliesToInstall),
 * retracted or expired records included, so a retraction or an expiry never brings a lower version back. A release
 * this install can never take (outside its rollout bucket, or targeted at other versions or platforms) does not
 * count: a 2.2.0 rolled out to 10 % must not hide 2.1.0 from the other 90 %. Every stored copy counts on its own,
 * so a republished record with a higher rollout raises the floor of the newly included buckets, and a later copy
 * with a lower rollout cannot lower it. Without an install (tools and tests of the store) every release counts.
 */
export function rollbackFloors(releases: readonly Pick<ReleaseInfo, 'channel' | 'version' | 'target' | 'assets'>[], install: InstallFacts | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of releases) {
    if (install && !appliesToInstall(r, install)) continue;
    const f = out.get(r.channel);
    if (!f || cmp(r.version, f) > 0) out.set(r.channel, r.version);
  }
  return out;
}

export function applicable(r: ReleaseInfo, input: PolicyInput, subscribed: readonly string[]): boolean {
  if (r.retracted || r.held || !subscribed.includes(r.channel)) return false;
  if (r.expires !== null && r.expires <= input.now) return false;
  return appliesToInstall(r, input);
}

/**
 * A version that failed to start here stays refused for every copy of it: an advance of its rollout or a renewal
 * is a newer copy of the same bytes (the feed accepts another copy of a version only with the same assets), and
 * offering it at each advance made the same install fail again and again (docs/simulation.md). It is a republish,
 * offered again, only when every copy known up to the failure was retracted (a recall: only then may the version
 * come back with other bytes) and the copy is newer. With no earlier copy known (the store was reset), a newer copy
 * counts as a republish.
 */
function isBad(r: ReleaseInfo, input: PolicyInput): boolean {
  const b = input.bad?.find((x) => x.version === r.version);
  if (!b) return false;
  if ((r.issued ?? 0) <= b.issued) return true;
  return input.releases.some((x) => x.version === b.version && (x.issued ?? 0) <= b.issued && !x.retracted);
}

/** The highest applicable release above the installed version that passes rollback protection. */
export function bestRelease(input: PolicyInput): ReleaseInfo | null {
  const subscribed = channelsFor(input.channel);
  const floors = rollbackFloors(input.releases, input);
  let best: ReleaseInfo | null = null;
  for (const r of input.releases) {
    if (!applicable(r, input, subscribed)) continue;
    if (cmp(r.version, input.installedVersion) <= 0) continue;
    if (isBad(r, input)) continue;
    // Rollback protection: never offer below the highest version already trusted on that channel for this install.
    if (cmp(r.version, floors.get(r.channel) ?? r.version) < 0) continue;
    if (!best || cmp(r.version, best.version) > 0 || (cmp(r.version, best.version) === 0 && (r.expires ?? Infinity) > (best.expires ?? Infinity))) best = r;
  }
  return best;
}

function freeze(input: PolicyInput): UpdateStatus | null {
  const subscribed = channelsFor(input.channel);
  // The newest record (highest version, any renewal) that applies to this install (appliesToInstall, the rollback
  // floor's test): if all its copies expired, we are frozen. A release this install can never take (outside its
  // rollout bucket, targeted at other versions or platforms) neither freezes it when it expires nor, while fresh,
  // hides that the newest release for this install has expired. A copy that does not apply is no renewal for it.
  let newest: string | null = null;
  let expiresMax = -Infinity;
  for (const r of input.releases) {
    if (r.retracted || !subscribed.includes(r.channel) || !appliesToInstall(r, input)) continue;
    const c = newest === null ? 1 : cmp(r.version, newest);
    if (c > 0) {
      newest = r.version;
      expiresMax = r.expires ?? Infinity;
    } else if (c === 0) expiresMax = Math.max(expiresMax, r.expires ?? Infinity);
  }
  if (newest !== null && expiresMax <= input.now) return { state: 'cant-confirm', since: expiresMax, reason: 'expired' };
  const stale = input.staleAfterSec ?? 3 * 86400;
  if (input.failingSince !== null && input.now - input.failingSince >= stale) {
    return { state: 'cant-confirm', since: input.lastSuccess ?? input.failingSince, reason: 'unreachable' };
  }
  return null;
}

export function updateStatus(input: PolicyInput): UpdateStatus {
  const best = bestRelease(input);
  if (best) {
    const applicableAbove = input.releases.filter((r) => applicable(r, input, channelsFor(input.channel)) && cmp(r.version, input.installedVersion) > 0);
    const critical = applicableAbove.some((r) => r.critical);
    if (!input.skipped.includes(best.version) || critical) {
      const remind = input.remindUntil !== null && input.now < input.remindUntil;
      return { state: 'available', offer: { release: best, asset: assetFor(best, input.platform, input.package)!, critical, notify: critical || !remind } };
    }
  }
  const frozen = freeze(input);
  if (frozen) return frozen;
  if (input.lastSuccess === null) return { state: 'not-checked' };
  // "The latest stable release" is the highest one this install could take (appliesToInstall, as for the floor,
  // the freeze and the downgrade target): a 3.1.0 rolled out to 10 % or built for other platforms does not make
  // the other installs on 3.0.0-beta.2 "up to date". Retracted ones don't count; an expired newest one has
  // already said "can't confirm" above.
  const subscribed = channelsFor(input.channel);
  const highestOnChannel = input.releases
    .filter((r) => !r.retracted && subscribed.includes(r.channel) && appliesToInstall(r, input))
    .reduce<string | null>((m, r) => (m === null || cmp(r.version, m) > 0 ? r.version : m), null);
  const ahead = highestOnChannel === null ? semverPrerelease(input.installedVersion) !== null : cmp(input.installedVersion, highestOnChannel) > 0;
  if (input.channel === 'stable' && ahead) {
    return { state: 'ahead-of-channel', message: `You're running ${input.installedVersion}, newer than the latest stable release. You'll move to stable with the next stable release above your version.` };
  }
  return { state: 'up-to-date', checkedAt: input.lastSuccess };
}

/**
 * Whether this install would take `version` now: it is the offer (eligible by platform, target, rollout bucket,
 * channel, expiry and rollback floor; not retracted, not held, not failed here, not skipped). The one decision
 * the download, the install (now or at quit) and a simulated fleet all ask.
 */
export function wouldTake(input: PolicyInput, version: string): boolean {
  const s = updateStatus(input);
  return s.state === 'available' && s.offer.release.version === version;
}

/**
 * An explicit downgrade (a separate, confirmed command): the highest applicable release of the channel below
 * the installed version: not retracted, not expired, and one this install could take (appliesToInstall, so a
 * 2.2.0 rolled out to 10 % is never the target for the other 90 %, nor a release built for other platforms).
 * Never offered automatically, and not subject to the rollback floor (downgrading is what the user asked for).
 */
export function downgradeTarget(input: PolicyInput): ReleaseInfo | null {
  const subscribed = channelsFor(input.channel);
  let best: ReleaseInfo | null = null;
  for (const r of input.releases) {
    if (!applicable(r, input, subscribed) || cmp(r.version, input.installedVersion) >= 0) continue;
    if (!best || cmp(r.version, best.version) > 0) best = r;
  }
  return best;
}
