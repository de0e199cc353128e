// The adoption report (issue 15; docs/protocol.md "Adoption reports", docs/companion-core.md "Adoption"): with
// the user's diagnostics setting on (off by default, the failed-start report's gate), each feed-v1 source that
// offers updates is told which version this install runs: version, platform, channel, rollout bucket and whether
// this start is the first after an update that passed its health check. Nothing else.
//   - Out of band: never on the routine check. After a successful check a send is scheduled on the companion's
//     clock, 30 s – 5 min later (spreads a fleet that checked together, and lands after the health deadline, so
//     a fresh update's `updated: true` report is the day's report rather than a second one).
//   - At most once per UTC day per version per feed: the last day+version sent to each feed is kept in the store
//     (`meta` `adoption:<source>`), so a restart the same day sends nothing.
//   - `updated: true` once right after a freshly installed version passed its health check (`healthy()`), to each
//     feed that offered updates then; kept pending (`meta` `adoption_updated`) until that feed accepted it.
//   - Failures are one line in the check log and are tried again the next day or the next start, not at the next
//     check (a feed without the endpoint must not get a POST every hour). Never more than one report in flight.
import { adoptionReport, type AdoptionReport } from '../../shared/protocol/reports.ts';
import { postReport, type ReportTarget } from './failed-start-report.ts';
import type { Clock } from './types.ts';

export interface AdoptionTarget extends ReportTarget {
  /** The channel this install takes its version from on that feed. */
  channel: string;
}

export interface AdoptionDeps {
  diagnostics: () => boolean;
  /** The feed-v1 sources (not static exports) that offer updates to this install. */
  targets: () => AdoptionTarget[];
  version: string;
  platform: string;
  bucket: () => number;
  clock: Clock;
  random: () => number;
  allowLoopbackHttp: boolean;
  getMeta: (key: string) => string | null;
  setMeta: (key: string, value: string | null) => void;
  log: (ok: boolean, line: string) => void;
}

/** The UTC day (YYYY-MM-DD) of a time in ms: the finest time the server keeps, and our "once a day". */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** After a check: 30 s – 5 min. After the health report: 1 – 10 s ("right after"). */
export const AFTER_CHECK_MS: [number, number] = [30_000, 300_000];
export const AFTER_HEALTHY_MS: [number, number] = [1_000, 10_000];

interface Sent {
  day: string;
  version: string;
  updated: boolean;
}

interface PendingUpdated {
  version: string;
  /** Source ids still to be told. */
  targets: string[];
}

function readJson<T>(text: string | null): T | null {
  try {
    return text === null ? null : JSON.parse(text) as T;
  } catch {
    return null;
  }
}

export function createAdoptionReporter(d: AdoptionDeps) {
  let timer: unknown = null;
  let timerAt = Infinity;
  let inflight: Promise<void> | null = null;
  let closed = false;
  const abort = new AbortController();
  /** source|day|version|updated tried by this process: a failure waits for the next day or the next start. */
  const tried = new Set<string>();

  const sentTo = (id: string) => readJson<Sent>(d.getMeta(`adoption:${id}`));
  function pending(): PendingUpdated | null {
    const p = readJson<PendingUpdated>(d.getMeta('adoption_updated'));
    return p && p.version === d.version && Array.isArray(p.targets) ? p : null;
  }

  /** The reports due now: one per feed, with `updated` when the fresh update's report is still owed to it. */
  function due(now: number): { target: AdoptionTarget; report: AdoptionReport }[] {
    const day = utcDay(now);
    const owed = pending()?.targets ?? [];
    const out: { target: AdoptionTarget; report: AdoptionReport }[] = [];
    for (const target of d.targets()) {
      const updated = owed.includes(target.id);
      if (tried.has(`${target.id}|${day}|${d.version}|${updated}`)) continue;
      const last = sentTo(target.id);
      if (!updated && last?.day === day && last.version === d.version) continue;
      out.push({ target, report: { version: d.version, platform: d.platform, channel: target.channel, bucket: d.bucket(), updated } });
    }
    return out;
  }

  function schedule(range: [number, number]): void {
    if (closed || inflight) return;
    const at = d.clock.now() + range[0] + d.random() * (range[1] - range[0]);
    if (timer !== null && timerAt <= at) return;
    if (timer !== null) d.clock.clearTimeout(timer);
    timerAt = at;
    timer = d.clock.setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      inflight = send().finally(() => {
        inflight = null;
        // Something became due while this one was in flight (the health report came): its own turn now.
        try {
          if (!closed && d.diagnostics() && due(d.clock.now()).length > 0) schedule(pending() ? AFTER_HEALTHY_MS : AFTER_CHECK_MS);
        } catch {
          // Optional.
        }
      });
    }, at - d.clock.now());
  }

  /** Sends what is due, one report at a time. Never rejects. */
  async function send(): Promise<void> {
    try {
      if (closed || !d.diagnostics()) return;
      for (const { target, report } of due(d.clock.now())) {
        if (closed) return;
        const day = utcDay(d.clock.now());
        tried.add(`${target.id}|${day}|${d.version}|${report.updated}`);
        let failure: string | null;
        try {
          // Only the five fields leave the machine.
          failure = await postReport(target, 'reports/adoption', adoptionReport.parse(report), d.allowLoopbackHttp, { signal: abort.signal, clock: d.clock });
        } catch (err) {
          failure = (err as Error).message;
        }
        if (closed) return;
        if (failure !== null) {
          d.log(false, `adoption report for ${d.version} not sent: ${failure}`);
          continue;
        }
        const last = sentTo(target.id);
        const updated = report.updated || (last?.version === d.version && last.updated);
        d.setMeta(`adoption:${target.id}`, JSON.stringify({ day, version: d.version, updated } satisfies Sent));
        const p = pending();
        if (p) {
          const rest = p.targets.filter((id) => id !== target.id);
          d.setMeta('adoption_updated', rest.length > 0 ? JSON.stringify({ ...p, targets: rest }) : null);
        }
        d.log(true, `adoption report for ${d.version}${report.updated ? ' (updated)' : ''} sent to ${target.id}`);
      }
    } catch {
      // A closed store or a bad preference: the report is optional, the app is not.
    }
  }

  return {
    /** A check of some source succeeded: schedule the day's report if one is due (never sent on the check). */
    afterCheck(): void {
      try {
        if (!closed && d.diagnostics() && due(d.clock.now()).length > 0) schedule(AFTER_CHECK_MS);
      } catch {
        // As above: optional.
      }
    },
    /** This start is a freshly installed version that passed its health check: report `updated: true` soon. */
    healthy(): void {
      try {
        if (closed || !d.diagnostics()) return;
        const targets = d.targets().map((t) => t.id);
        if (targets.length === 0) return;
        d.setMeta('adoption_updated', JSON.stringify({ version: d.version, targets } satisfies PendingUpdated));
        schedule(AFTER_HEALTHY_MS);
      } catch {
        // Optional.
      }
    },
    /** Resolves when no report is in flight. */
    async idle(): Promise<void> {
      while (inflight) await inflight;
    },
    close(): void {
      closed = true;
      if (timer !== null) d.clock.clearTimeout(timer);
      timer = null;
      abort.abort();
    },
  };
}

export type AdoptionReporter = ReturnType<typeof createAdoptionReporter>;
