// The failed-start report (issue 13; docs/rollback.md, docs/protocol.md "Failed-start reports"): when an update
// failed to start and was rolled back, and only if the user allows diagnostics (off by default), the core tells
// the feed-v1 source(s) that offered that version: version, platform, channel, rollout bucket and why it failed.
// Nothing else (no install id, no user, no time). Sent once, in the background: it never delays the start and
// never throws; a failure is one line in the check log.
import { FAILED_START_REASONS, failedStartReport, type FailedStartReport, type FailedStartReason } from '../../shared/protocol/reports.ts';
import { request } from './net/http.ts';
import { feedV1Url } from './sources/feed-url.ts';
import { isStaticFeedUrl } from './sources/static-feed.ts';
import type { Clock } from './types.ts';

export interface ReportTarget {
  id: string;
  url: string;
  token?: string;
}

/** The watchdog's reason as the protocol names it (anything unknown is an exit). */
export const reportReason = (reason: string): FailedStartReason =>
  (FAILED_START_REASONS as readonly string[]).includes(reason) ? reason as FailedStartReason : 'exited';

/**
 * POSTs one report (`path` below /v1/, e.g. 'reports/failed-start') to one feed with the token reads use;
 * resolves to null when accepted (202), else one line saying why not. Never rejects.
 */
export async function postReport(target: ReportTarget, path: string, body: unknown, allowLoopbackHttp: boolean, opts: { signal?: AbortSignal; clock?: Clock } = {}): Promise<string | null> {
  if (isStaticFeedUrl(target.url)) return `${target.id} is a static feed and takes no reports`;
  try {
    const res = await request({
      url: feedV1Url(target.url, path), method: 'POST', body: JSON.stringify(body), allowLoopbackHttp, ...opts,
      headers: { 'content-type': 'application/json', ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
      limits: { connectMs: 10_000, idleMs: 10_000, totalMs: 20_000, maxBytes: 16 * 1024 },
    });
    return res.status === 202 ? null : `${target.id} answered ${res.status}`;
  } catch (err) {
    return `${target.id}: ${(err as Error).message}`;
  }
}

/** Sends one report to one feed; resolves to null when accepted, else one line saying why not. */
export function sendFailedStartReport(target: ReportTarget, report: FailedStartReport, allowLoopbackHttp: boolean): Promise<string | null> {
  // Only the five fields leave the machine, whatever the caller passed.
  return postReport(target, 'reports/failed-start', failedStartReport.parse(report), allowLoopbackHttp);
}

export interface FailedStartDeps {
  /** The user's "share diagnostics" preference, read when the outcome is taken. */
  diagnostics: () => boolean;
  /** The feed-v1 sources that offered `version`, with the channel each offered it on. */
  offeredBy: (version: string) => { channel: string; target: ReportTarget }[];
  platform: string;
  bucket: () => number;
  allowLoopbackHttp: boolean;
  log: (ok: boolean, line: string) => void;
}

/** Reports a version that failed to start to every feed that offered it, if the user allows it. Never rejects. */
export async function reportFailedStart(d: FailedStartDeps, bad: string, reason: string): Promise<void> {
  try {
    if (!d.diagnostics()) return;
    const offers = d.offeredBy(bad);
    if (offers.length === 0) {
      d.log(false, `failed-start report for ${bad} not sent: no Tidings feed offered it`);
      return;
    }
    const bucket = d.bucket();
    const results = await Promise.all(offers.map(({ channel, target }) => sendFailedStartReport(target, { version: bad, platform: d.platform, channel, bucket, reason: reportReason(reason) }, d.allowLoopbackHttp)));
    const failed = results.filter((r) => r !== null);
    if (failed.length > 0) d.log(false, `failed-start report for ${bad} not sent: ${failed.join('; ')}`);
    else d.log(true, `failed-start report for ${bad} sent to ${offers.map((o) => o.target.id).join(', ')}`);
  } catch {
    // A closed store or a bad preference file: the report is optional, the start is not.
  }
}
