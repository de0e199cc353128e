// What publishers see of adoption (docs/protocol.md "Adoption reports"; the console's channel view): per
// release, from the aggregated rows only. A count of 1–4 is withheld (null, with `withheld: true`), never shown
// as 0: a handful of reports could point at particular people. A count derived from a withheld one (tried =
// failed + updated, and the failure rate) is withheld with it, so it cannot be worked back.
import { REPORT_MIN_COUNT, type FailedStartCount } from '../shared/protocol/reports.ts';
import type { AdoptionCount } from './store/types.ts';

export interface AdoptionSummary {
  /** The newest UTC day (YYYY-MM-DD) with adoption reports for this version, or null. */
  day: string | null;
  /** Installs that reported running this version on that day. */
  reporting: number | null;
  /** Installs that reported a fresh update to it that started (updated: true), all days. */
  updated: number | null;
  /** Failed starts, every reason and day. */
  failed: number | null;
  /** failed + updated: the installs that tried it. */
  tried: number | null;
  /** failed / tried (0–1); null when withheld or nothing tried it. */
  failRate: number | null;
  /** Some count above is withheld (1–4 reports). */
  withheld: boolean;
}

/** A count as publishers may see it: 0, or at least REPORT_MIN_COUNT; null (withheld) in between. */
export const shown = (n: number): number | null => (n === 0 || n >= REPORT_MIN_COUNT ? n : null);

const key = (channel: string, version: string) => `${channel}\u0000${version}`;

/** Per `channel\0version`: the summary of every release that has reports. */
export function summarize(adoption: readonly AdoptionCount[], failedStarts: readonly FailedStartCount[]): Map<string, AdoptionSummary> {
  const raw = new Map<string, { day: string | null; reporting: number; updated: number; failed: number }>();
  const entry = (channel: string, version: string) => {
    const k = key(channel, version);
    let e = raw.get(k);
    if (!e) raw.set(k, (e = { day: null, reporting: 0, updated: 0, failed: 0 }));
    return e;
  };
  for (const r of adoption) {
    const e = entry(r.channel, r.version);
    if (e.day === null || r.day > e.day) {
      e.day = r.day;
      e.reporting = 0;
    }
    if (r.day === e.day) e.reporting += r.count;
    e.updated += r.updated;
  }
  for (const r of failedStarts) entry(r.channel, r.version).failed += r.count;
  const out = new Map<string, AdoptionSummary>();
  for (const [k, e] of raw) {
    const reporting = shown(e.reporting);
    const updated = shown(e.updated);
    const failed = shown(e.failed);
    const both = updated !== null && failed !== null;
    const tried = both ? e.failed + e.updated : null;
    out.set(k, {
      day: e.day,
      reporting,
      updated,
      failed,
      tried,
      failRate: both && tried !== null && tried > 0 ? e.failed / tried : null,
      withheld: reporting === null || !both,
    });
  }
  return out;
}

export const EMPTY_ADOPTION: AdoptionSummary = { day: null, reporting: 0, updated: 0, failed: 0, tried: 0, failRate: null, withheld: false };

export function adoptionOf(summaries: Map<string, AdoptionSummary>, channel: string, version: string): AdoptionSummary {
  return summaries.get(key(channel, version)) ?? EMPTY_ADOPTION;
}
