// When to check a source: one timer per due check (never a polling loop), under an injectable clock and RNG.
// Hourly ±10 % by default, Cache-Control max-age as a floor, Retry-After honoured (clamped to 24 h),
// full-jitter exponential backoff on failure (reset on success), a long interval after 401/403, a
// rate-limited "check now", and a random 0–60 s delay after wake or network return with no double fire.
import type { Clock } from './types.ts';
import type { CheckOutcome } from './sources/common.ts';

export interface SchedulerOptions {
  clock: Clock;
  /** Uniform in [0, 1). */
  random: () => number;
  run: () => Promise<CheckOutcome>;
  /** Background interval; null means manual checks only. Default one hour. */
  intervalMs?: number | null;
  jitter?: number;
  /** First check after start: uniform in [min, max]. */
  firstDelayMs?: [number, number];
  backoffBaseMs?: number;
  backoffCapMs?: number;
  authRetryMs?: number;
  wakeMaxDelayMs?: number;
  manualMinGapMs?: number;
  onChange?: (state: SchedulerState) => void;
}

export interface SchedulerState {
  running: boolean;
  nextAt: number | null;
  failures: number;
  /** The server asked us not to come back before this time (Retry-After). */
  notBefore: number | null;
  lastOutcome: CheckOutcome | null;
}

export type CheckNowResult = { accepted: true } | { accepted: false; reason: 'running' | 'rate-limited' | 'server-asked-to-wait'; retryAt: number | null };

export const HOUR = 3_600_000;
export const MAX_RETRY_AFTER_MS = 24 * HOUR;
/** An urgent live event (recall, halt) checks no sooner than this after the last check, whatever the max-age. */
export const URGENT_FLOOR_MS = 5_000;
/** …spread over this much, so a fleet told at once does not check at once. */
export const URGENT_SPREAD_MS = 2_000;

/** Success: interval ± jitter, never below the server's max-age. */
export function successDelay(intervalMs: number, jitter: number, rand: number, maxAgeSec: number | null): number {
  const d = intervalMs * (1 + (rand * 2 - 1) * jitter);
  return Math.max(d, (maxAgeSec ?? 0) * 1000);
}

/** Full jitter (AWS): uniform in [0, min(cap, base·2^n)] for the n-th consecutive failure. */
export function failureDelay(n: number, baseMs: number, capMs: number, rand: number): number {
  return rand * Math.min(capMs, baseMs * 2 ** Math.min(n, 30));
}

export class CheckScheduler {
  private readonly o: Required<Omit<SchedulerOptions, 'onChange' | 'intervalMs'>> & Pick<SchedulerOptions, 'onChange'>;
  private intervalMs: number | null;
  private timer: unknown = null;
  private started = false;
  private lastStart: number | null = null;
  private lastManual: number | null = null;
  private current: Promise<void> | null = null;
  /** The one extra check queued while a check runs (see runNow). */
  private followUp: Promise<boolean> | null = null;
  private stopped = false;
  /** A live event came while a check ran (see nudge). */
  private nudged = false;
  /** …and it was urgent (see nudgeAt). */
  private nudgedUrgent = false;
  readonly state: SchedulerState = { running: false, nextAt: null, failures: 0, notBefore: null, lastOutcome: null };

  constructor(opts: SchedulerOptions) {
    this.o = {
      jitter: 0.1, firstDelayMs: [1_000, 10_000], backoffBaseMs: 30_000, backoffCapMs: HOUR, authRetryMs: 6 * HOUR,
      wakeMaxDelayMs: 60_000, manualMinGapMs: 10_000, ...opts,
    };
    this.intervalMs = opts.intervalMs === undefined ? HOUR : opts.intervalMs;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const [min, max] = this.o.firstDelayMs;
    this.scheduleAt(this.o.clock.now() + min + this.o.random() * (max - min));
  }

  stop(): void {
    this.started = false;
    this.stopped = true;
    this.clear();
    this.changed();
  }

  setInterval(ms: number | null): void {
    this.intervalMs = ms;
    if (!this.started || this.state.running) return;
    if (ms === null) this.clear();
    else this.scheduleAt(Math.max(this.state.notBefore ?? 0, this.o.clock.now() + successDelay(ms, this.o.jitter, this.o.random(), null)));
    this.changed();
  }

  /** A user-initiated check: refused while one runs, inside a Retry-After window, or too soon after the last. */
  checkNow(): CheckNowResult {
    const now = this.o.clock.now();
    if (this.state.running) return { accepted: false, reason: 'running', retryAt: null };
    if (this.state.notBefore !== null && now < this.state.notBefore) return { accepted: false, reason: 'server-asked-to-wait', retryAt: this.state.notBefore };
    if (this.lastManual !== null && now - this.lastManual < this.o.manualMinGapMs) {
      return { accepted: false, reason: 'rate-limited', retryAt: this.lastManual + this.o.manualMinGapMs };
    }
    this.lastManual = now;
    void this.fire();
    return { accepted: true };
  }

  /**
   * Runs a check now unless the server asked us to wait; resolves when it finished. When one is already running
   * it may have started before what the caller knows of (a live event, a publish), so one more check runs after
   * it — one for all callers meanwhile. For live events, shells and tests; not rate-limited like checkNow.
   */
  async runNow(): Promise<boolean> {
    if (this.current) {
      this.followUp ??= this.current.then(() => {
        this.followUp = null;
        return this.stopped ? false : this.runNow();
      });
      return this.followUp;
    }
    if (this.state.notBefore !== null && this.o.clock.now() < this.state.notBefore) return false;
    await this.fire();
    return true;
  }

  /**
   * A live event asks for a check: run one, but never sooner than the feed's max-age after the last one started
   * (a cache would answer the same heads anyway) nor inside a Retry-After window; events meanwhile share that
   * one check. One arriving while a check runs gets a check after it, on the same terms (reliability.md case 55).
   */
  nudge(urgent = false): void {
    if (this.stopped) return;
    if (this.state.running) {
      this.nudged = true;
      this.nudgedUrgent ||= urgent;
      return;
    }
    const at = this.nudgeAt(urgent);
    if (at <= this.o.clock.now()) void this.fire();
    else if (this.state.nextAt === null || this.state.nextAt > at) this.scheduleAt(at);
  }

  /**
   * Urgent (a recall or a halted rollout on the live stream, issue 15): the publisher needs it to reach clients
   * within seconds, so the max-age floor shrinks to URGENT_FLOOR_MS, and a random 0–URGENT_SPREAD_MS spreads the
   * fleet's checks so that 10,000 clients do not arrive in the same millisecond. Retry-After still holds.
   */
  private nudgeAt(urgent = false): number {
    const maxAgeMs = (this.state.lastOutcome?.maxAgeSec ?? 0) * 1000;
    const floorMs = urgent ? Math.min(maxAgeMs, URGENT_FLOOR_MS) : maxAgeMs;
    const at = this.lastStart === null ? 0 : this.lastStart + floorMs;
    // Spread only what max-age would have held back: a feed with max-age 0 asked for no pacing at all.
    const spread = urgent ? this.o.clock.now() + this.o.random() * Math.min(URGENT_SPREAD_MS, maxAgeMs) : 0;
    return Math.max(this.state.notBefore ?? 0, at, spread);
  }

  /** Resolves when no check is running. */
  async idle(): Promise<void> {
    while (this.current || this.followUp) await (this.followUp ?? this.current);
  }

  /** Wake from sleep or network back: re-check after a random 0–60 s, unless a check just ran or one is due sooner. */
  wake(): void {
    if (!this.started || this.state.running) return;
    const now = this.o.clock.now();
    if (this.lastStart !== null && now - this.lastStart < this.o.wakeMaxDelayMs) return;
    const at = Math.max(now + this.o.random() * this.o.wakeMaxDelayMs, this.state.notBefore ?? 0);
    if (this.state.nextAt !== null && this.state.nextAt <= at) return;
    this.scheduleAt(at);
  }

  private clear(): void {
    if (this.timer !== null) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    this.state.nextAt = null;
  }

  private scheduleAt(at: number): void {
    this.clear();
    this.state.nextAt = at;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = null;
      void this.fire();
    }, Math.max(0, at - this.o.clock.now()));
    this.changed();
  }

  private fire(): Promise<void> {
    if (this.current) return this.current;
    // A throwing onChange listener must not become an unhandled rejection or stop the schedule.
    this.current = this.fireOnce().catch(() => undefined).finally(() => (this.current = null));
    return this.current;
  }

  private async fireOnce(): Promise<void> {
    this.clear();
    this.state.running = true;
    this.lastStart = this.o.clock.now();
    this.changed();
    let outcome: CheckOutcome;
    try {
      outcome = await this.o.run();
    } catch (err) {
      // run() is not supposed to throw; if it does, treat it as a failed check rather than stopping.
      outcome = { ok: false, changed: false, detail: String(err), status: null, retryAfterSec: null, maxAgeSec: null, authFailed: false, result: null };
    }
    this.state.running = false;
    this.state.lastOutcome = outcome;
    this.afterCheck(outcome);
  }

  private afterCheck(outcome: CheckOutcome): void {
    const now = this.o.clock.now();
    let delay: number | null;
    if (outcome.ok) {
      this.state.failures = 0;
      delay = this.intervalMs === null ? null : successDelay(this.intervalMs, this.o.jitter, this.o.random(), outcome.maxAgeSec);
    } else {
      this.state.failures++;
      delay = outcome.authFailed
        ? successDelay(this.o.authRetryMs, this.o.jitter, this.o.random(), null)
        : failureDelay(this.state.failures, this.o.backoffBaseMs, this.o.backoffCapMs, this.o.random());
      if (this.intervalMs === null) delay = null;
    }
    if (outcome.retryAfterSec !== null && outcome.retryAfterSec > 0) {
      const wait = Math.min(outcome.retryAfterSec * 1000, MAX_RETRY_AFTER_MS);
      this.state.notBefore = now + wait;
      // The server is overloaded (429/503): come back after its wait plus a random share of one normal interval,
      // so clients that were turned away together return at the steady rate, not as a herd (cases 6, 7).
      if (delay !== null) delay = wait + this.o.random() * (this.intervalMs ?? this.o.backoffCapMs);
    } else if (this.state.notBefore !== null && now >= this.state.notBefore) {
      this.state.notBefore = null;
    }
    let at = this.started && delay !== null ? now + delay : null;
    if (this.nudged && !this.stopped) {
      const next = this.nudgeAt(this.nudgedUrgent);
      this.nudged = false;
      this.nudgedUrgent = false;
      at = at === null ? next : Math.min(at, next);
    }
    if (at !== null) this.scheduleAt(at);
    else this.changed();
  }

  private changed(): void {
    try {
      this.o.onChange?.({ ...this.state });
    } catch {
      // A listener's failure must not leave a check marked running or the next one unscheduled.
    }
  }
}
