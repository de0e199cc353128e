// Halted rollouts (issue 15; docs/protocol.md "Holds" and "The self-halt rule"): the one rule for refusing an
// advance of a halted rollout (the v1 publish API and the console), the resume baseline, and the self-halt
// evaluated after each report about a release.
//
// The self-halt rule: for a (channel, version) that has a live copy and is not halted, with the channel's policy
// (DEFAULT_HALT_POLICY unless a publisher set one) and the counts since the last resume (all counts if it was
// never resumed): failed ≥ minReports and failed / tried ≥ failPercent / 100, where tried = failed starts +
// adoption reports with updated: true. Then the rollout halts by itself, with the reason in plain words.
import { DEFAULT_HALT_POLICY, type HaltPolicy } from '../shared/protocol/reports.ts';
import type { PublishRecord } from '../shared/protocol/schemas.ts';
import { HttpError } from './errors.ts';
import type { FeedStore, ReleaseHealth } from './store/types.ts';
import { channelView } from './console/overview.ts';

/** Who an automatic halt is by, in the halt row and the audit log. */
export const AUTOMATIC = 'automatic halt';

const percent = (x: number) => (Math.round(x * 10) / 10).toString();

/** The counts the rule looks at: since the last resume. */
export function sinceResume(h: ReleaseHealth): { failed: number; tried: number } {
  return { failed: h.failed - (h.halt?.baseFailed ?? 0), tried: h.failed + h.updated - (h.halt?.baseTried ?? 0) };
}

/** The reason a rollout halts by itself, or null while it should not. */
export function selfHaltReason(version: string, h: ReleaseHealth): string | null {
  if (h.live === 0 || h.halt?.halted) return null;
  const policy: HaltPolicy = h.policy ?? DEFAULT_HALT_POLICY;
  const { failed, tried } = sinceResume(h);
  // failed / tried ≥ failPercent / 100, without dividing.
  if (failed < policy.minReports || tried <= 0 || failed * 100 < policy.failPercent * tried) return null;
  const since = h.halt ? ' since it was resumed' : '';
  return `stopped by itself: ${failed} of ${tried} installs (${percent((failed * 100) / tried)} %) that tried ${version}${since} failed to start; the threshold is ${policy.failPercent} % with at least ${policy.minReports} reports`;
}

export class SelfHalt {
  private readonly store: FeedStore;
  private readonly now: () => number;
  /** Per release: an evaluation running, and whether reports came in meanwhile (then it runs once more). */
  private readonly running = new Map<string, { again: boolean }>();

  constructor(store: FeedStore, now: () => number) {
    this.store = store;
    this.now = now;
  }

  /**
   * Called after each report about (channel, version). At most one evaluation per release runs at a time (and
   * one more after it when reports arrived meanwhile), so a burst of reports costs a few indexed queries, not one
   * each. Never throws: a report was already counted, and the next one evaluates again.
   */
  check(channel: string, version: string): Promise<void> {
    const key = `${channel}\u0000${version}`;
    const busy = this.running.get(key);
    if (busy) {
      busy.again = true;
      return Promise.resolve();
    }
    const state = { again: false };
    this.running.set(key, state);
    const run = async (): Promise<void> => {
      try {
        do {
          state.again = false;
          await this.evaluate(channel, version);
        } while (state.again);
      } catch {
        // The database failed; the report is counted and the next report evaluates again.
      } finally {
        this.running.delete(key);
      }
    };
    return run();
  }

  /** Halts the rollout when the rule says so; true if this call halted it. */
  async evaluate(channel: string, version: string): Promise<boolean> {
    const h = await this.store.releaseHealth(channel, version);
    const reason = selfHaltReason(version, h);
    if (reason === null) return false;
    const at = this.now();
    const halted = await this.store.console.autoHalt({ channel, version, halted: true, reason, at, by: AUTOMATIC, automatic: true });
    if (halted) await this.store.console.addAudit({ at, who: AUTOMATIC, action: 'halt rollout', channel, detail: `${version}: ${reason}` });
    return halted;
  }
}

/** The baseline a resume sets: the counts at this moment. */
export async function resumeBaseline(store: FeedStore, channel: string, version: string): Promise<{ failed: number; tried: number }> {
  const h = await store.releaseHealth(channel, version);
  return { failed: h.failed, tried: h.failed + h.updated };
}

/**
 * The one rule for both the v1 publish API and the console: while a rollout is halted, a new copy of that
 * release with a higher rollout than its live copies (an advance) is a 409 `halted`. Anything else passes (a
 * retry of a stored copy, news, a retraction: a recall stays possible).
 */
export async function refuseHaltedAdvance(store: FeedStore, record: PublishRecord): Promise<void> {
  if (record.kind !== 'release' || !record.release) return;
  const version = record.release.version;
  const h = await store.releaseHealth(record.channel, version);
  if (!h.halt?.halted || h.live === 0) return;
  const halts = await store.console.halts();
  const view = await channelView(store, { name: record.channel, kind: 'update', head: 0 }, halts);
  const existing = view.releases.find((r) => r.version === version && !r.recalled);
  const rollout = record.target?.rollout ?? 100;
  if (!existing || rollout <= existing.rollout) return;
  const reason = existing.halt?.reason ?? 'halted';
  throw new HttpError(409, 'halted', `the rollout of ${version} is halted (${reason}); resume it before advancing`, 'target.rollout');
}
