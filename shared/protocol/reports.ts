// The failed-start report (issue 13, docs/protocol.md "Failed-start reports"): what a companion may send when
// an update failed to start and the user allows diagnostics. Shared by the server (strict check) and the core
// (what it sends), so both agree that nothing else is in it: no install id, no user, no time finer than a day.
import { z } from 'zod';
import { channelName, platform, semverString } from './schemas.ts';

export const FAILED_START_REASONS = ['exited', 'crashed', 'timeout'] as const;
export type FailedStartReason = (typeof FAILED_START_REASONS)[number];

export const failedStartReport = z.strictObject({
  version: semverString.refine((v) => v.length <= 64, 'must be at most 64 characters'),
  platform,
  channel: channelName,
  /** The install's rollout bucket (0–99), as the policy computes it: says how far a staged rollout had reached. */
  bucket: z.int().min(0).max(99),
  reason: z.enum(FAILED_START_REASONS),
});
export type FailedStartReport = z.infer<typeof failedStartReport>;

/** Counts under this are withheld from the console: a handful of reports could point at particular people. */
export const REPORT_MIN_COUNT = 5;

/** One aggregated row as the console reads it; `day` is a UTC date (YYYY-MM-DD), the finest time kept. */
export interface FailedStartCount {
  channel: string;
  version: string;
  platform: string;
  reason: FailedStartReason;
  day: string;
  count: number;
  /** The highest rollout bucket among these reports. */
  maxBucket: number;
}

/**
 * The adoption report (issue 15, docs/protocol.md "Adoption reports"): which version an install runs. Sent out of
 * band (never on the routine check), at most once per UTC day per version, and once right after a freshly
 * installed version passed its health check (`updated: true`: this install tried the update and it started).
 * The server keeps only counts per (channel, version, platform, day); failed starts plus `updated` reports are
 * the installs that tried a release, the base of the self-halting rollout.
 */
export const adoptionReport = z.strictObject({
  version: semverString.refine((v) => v.length <= 64, 'must be at most 64 characters'),
  platform,
  channel: channelName,
  bucket: z.int().min(0).max(99),
  updated: z.boolean(),
});
export type AdoptionReport = z.infer<typeof adoptionReport>;

/** When a rollout halts by itself (per channel, set by the publisher in the console). */
export interface HaltPolicy {
  /** Failed starts as a percentage of the installs that tried the release (failed + updated reports), 0.1–100. */
  failPercent: number;
  /** And at least this many failed-start reports, 1–100000. */
  minReports: number;
}
export const DEFAULT_HALT_POLICY: HaltPolicy = { failPercent: 2, minReports: 20 };
