// Scheduler timing under a fake clock and seeded RNG: first delay, jittered interval, max-age floor, full-jitter
// backoff, Retry-After, auth interval, check-now limits, wake without double fire (cases 2, 6, 7, 8), and
// fast-check properties of the timing bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CheckScheduler, failureDelay, HOUR, type SchedulerOptions } from '../../electron/core/scheduler.ts';
import type { CheckOutcome } from '../../electron/core/sources/common.ts';
import { FakeClock, seeded } from './helpers/fake-clock.ts';

const ok = (extra: Partial<CheckOutcome> = {}): CheckOutcome => ({ ok: true, changed: false, detail: 'ok', status: 200, retryAfterSec: null, maxAgeSec: null, authFailed: false, result: null, ...extra });
const fail = (extra: Partial<CheckOutcome> = {}): CheckOutcome => ok({ ok: false, detail: 'down', status: null, ...extra });

function rig(outcomes: (n: number) => CheckOutcome, opts: Partial<SchedulerOptions> = {}, seed = 1) {
  const clock = new FakeClock();
  const calls: number[] = [];
  let maxPending = 0;
  const s = new CheckScheduler({
    clock, random: seeded(seed),
    run: async () => {
      calls.push(clock.now());
      return outcomes(calls.length);
    },
    onChange: () => (maxPending = Math.max(maxPending, clock.pending())),
    ...opts,
  });
  return { clock, calls, s, start: clock.now(), maxPending: () => maxPending };
}

test('first check after a small random delay, then hourly ±10 %, with one timer at a time', async () => {
  const r = rig(() => ok());
  r.s.start();
  await r.clock.advance(10 * HOUR);
  assert.ok(r.calls[0]! - r.start >= 1000 && r.calls[0]! - r.start <= 10_000);
  for (let i = 1; i < r.calls.length; i++) {
    const gap = r.calls[i]! - r.calls[i - 1]!;
    assert.ok(gap >= 0.9 * HOUR && gap <= 1.1 * HOUR, `gap ${gap}`);
  }
  assert.ok(r.calls.length >= 9 && r.calls.length <= 11);
  assert.equal(r.maxPending(), 1);
});

test('Cache-Control max-age is a floor on the interval', async () => {
  const r = rig(() => ok({ maxAgeSec: 3 * 3600 }));
  r.s.start();
  await r.clock.advance(10 * HOUR);
  for (let i = 1; i < r.calls.length; i++) assert.ok(r.calls[i]! - r.calls[i - 1]! >= 3 * HOUR);
});

test('case 2: the n-th failure waits within [0, min(cap, base·2^n)]; the first success resets n', async () => {
  const r = rig((n) => (n <= 10 ? fail() : ok()));
  r.s.start();
  await r.clock.advance(48 * HOUR);
  for (let n = 1; n <= 10; n++) {
    const gap = r.calls[n]! - r.calls[n - 1]!;
    assert.ok(gap <= Math.min(HOUR, 30_000 * 2 ** n), `failure ${n}: ${gap}`);
  }
  assert.equal(r.s.state.failures, 0);
  const afterSuccess = r.calls[11]! - r.calls[10]!;
  assert.ok(afterSuccess >= 0.9 * HOUR, 'back to the normal interval');
});

test('case 2: 10 000 clients failing together spread out; no second after the outage sees a spike', () => {
  const base = 30_000, cap = HOUR, outageEnd = 30 * 60_000;
  const buckets = new Map<number, number>();
  for (let c = 0; c < 10_000; c++) {
    const rand = seeded(1000 + c);
    let t = 0, n = 0;
    while (t < outageEnd) t += failureDelay(++n, base, cap, rand());
    const sec = Math.floor((t - outageEnd) / 1000);
    buckets.set(sec, (buckets.get(sec) ?? 0) + 1);
  }
  const steady = 10_000 / 3600; // hourly polling rate per second
  const peak = Math.max(...buckets.values());
  assert.ok(peak <= 6 * steady, `peak ${peak}/s vs steady ${steady.toFixed(1)}/s`);
});

test('case 6: Retry-After 120 with a 60 s interval: no request for 120 s; check now is refused; huge values clamp to 24 h', async () => {
  const r = rig((n) => (n === 1 ? fail({ status: 429, retryAfterSec: 120 }) : n === 2 ? fail({ status: 503, retryAfterSec: 999_999_999 }) : ok()), { intervalMs: 60_000 });
  r.s.start();
  await r.clock.advance(10_000);
  assert.equal(r.calls.length, 1);
  const refused = r.s.checkNow();
  assert.deepEqual(refused, { accepted: false, reason: 'server-asked-to-wait', retryAt: r.calls[0]! + 120_000 });
  await r.clock.advance(200_000);
  assert.ok(r.calls[1]! - r.calls[0]! >= 120_000 && r.calls[1]! - r.calls[0]! <= 180_000);
  await r.clock.advance(48 * HOUR);
  assert.ok(r.calls[2]! - r.calls[1]! >= 24 * HOUR && r.calls[2]! - r.calls[1]! <= 24 * HOUR + 60_000 + 1);
});

test('case 11: 401/403 move to a long interval instead of the fast backoff loop', async () => {
  const r = rig(() => fail({ status: 401, authFailed: true }));
  r.s.start();
  await r.clock.advance(24 * HOUR);
  for (let i = 1; i < r.calls.length; i++) assert.ok(r.calls[i]! - r.calls[i - 1]! >= 5.4 * HOUR);
  assert.ok(r.calls.length <= 5);
});

test('check now runs at once, then is rate-limited; manual-only mode schedules nothing', async () => {
  const r = rig(() => ok(), { intervalMs: null });
  r.s.start();
  await r.clock.advance(HOUR);
  assert.equal(r.calls.length, 1, 'only the start-up check');
  assert.deepEqual(r.s.checkNow(), { accepted: true });
  await r.clock.advance(1000);
  assert.equal(r.calls.length, 2);
  assert.equal(r.s.checkNow().accepted, false);
  await r.clock.advance(10_000);
  assert.equal(r.s.checkNow().accepted, true);
  await r.clock.advance(10 * HOUR);
  assert.equal(r.calls.length, 3);
  assert.equal(r.clock.pending(), 0);
});

test('case 8: after a sleep the overdue timer and the wake event give exactly one check', async () => {
  const r = rig(() => ok());
  r.s.start();
  await r.clock.advance(20_000);
  assert.equal(r.calls.length, 1);
  await r.clock.sleep(5 * HOUR); // overdue hourly timer fires at wake
  r.s.wake();
  await r.clock.advance(120_000);
  assert.equal(r.calls.length, 2);
  // A wake long after the last check re-checks within 0–60 s.
  await r.clock.advance(30 * 60_000);
  r.s.wake();
  await r.clock.advance(60_000);
  assert.equal(r.calls.length, 3);
  assert.ok(r.calls[2]! - (r.calls[1]! + 32 * 60_000) <= 60_000);
  assert.equal(r.clock.pending(), 1);
});

test('case 8: across seeds the first check is spread uniformly, not pinned to :00', async () => {
  const perSecond = new Array<number>(60).fill(0);
  for (let seed = 0; seed < 3000; seed++) {
    const r = rig(() => ok(), { firstDelayMs: [0, 60_000] }, seed);
    r.s.start();
    await r.clock.advance(61_000);
    perSecond[Math.floor((r.calls[0]! - r.start) / 1000)]!++;
  }
  assert.ok(Math.max(...perSecond) < 2 * Math.min(...perSecond) + 20, perSecond.join(','));
});

test('property: for any outcomes, every gap respects its bound and at most one timer is live', async () => {
  const outcome = fc.oneof(
    fc.constant(ok()),
    fc.integer({ min: 0, max: 5 * 3600 }).map((s) => ok({ maxAgeSec: s })),
    fc.constant(fail()),
    fc.constant(fail({ authFailed: true })),
    fc.integer({ min: 1, max: 2 * 86400 }).map((s) => fail({ retryAfterSec: s })),
  );
  await fc.assert(fc.asyncProperty(fc.array(outcome, { minLength: 1, maxLength: 12 }), fc.integer(), async (seq, seed) => {
    const r = rig((n) => seq[(n - 1) % seq.length]!, {}, seed);
    r.s.start();
    await r.clock.advance(10 * 24 * HOUR);
    let failures = 0;
    for (let i = 1; i < r.calls.length; i++) {
      const prev = seq[(i - 1) % seq.length]!;
      const gap = r.calls[i]! - r.calls[i - 1]!;
      failures = prev.ok ? 0 : failures + 1;
      const wait = prev.retryAfterSec ? Math.min(prev.retryAfterSec * 1000, 24 * HOUR) : 0;
      if (prev.ok) assert.ok(gap >= Math.max(0.9 * HOUR, (prev.maxAgeSec ?? 0) * 1000) - 1 && gap <= Math.max(1.1 * HOUR, (prev.maxAgeSec ?? 0) * 1000) + 1);
      else if (prev.authFailed) assert.ok(gap >= 5.4 * HOUR - 1 && gap <= 6.6 * HOUR + 1);
      else if (wait > 0) assert.ok(gap >= wait - 1 && gap <= wait + HOUR + 1);
      else assert.ok(gap <= Math.min(HOUR, 30_000 * 2 ** failures) + 1);
    }
    assert.ok(r.maxPending() <= 1);
  }), { numRuns: 60 });
});

test('case 7: 2,000 clients turned away with 503 + Retry-After during an outage come back at about the steady rate', async () => {
  const clock = new FakeClock();
  const t0 = clock.now();
  const outageStart = t0 + 2 * HOUR, outageEnd = outageStart + 30 * 60_000;
  const arrivals: number[] = [];
  const rand = seeded(7);
  for (let c = 0; c < 2000; c++) {
    new CheckScheduler({
      clock, random: rand, firstDelayMs: [0, HOUR],
      run: async () => {
        const now = clock.now();
        arrivals.push(now);
        return now >= outageStart && now < outageEnd ? fail({ status: 503, retryAfterSec: 300 }) : ok();
      },
    }).start();
  }
  await clock.advance(5 * HOUR);
  const perMinute = (from: number) => arrivals.filter((a) => a >= from && a < from + 60_000).length;
  const steady = perMinute(outageStart - 30 * 60_000) || 1;
  let peak = 0;
  for (let m = 0; m < 30; m++) peak = Math.max(peak, perMinute(outageEnd + m * 60_000));
  assert.ok(peak <= 2 * Math.max(steady, 2000 / 60), `peak ${peak}/min vs steady ${steady}/min`);
});

test('a throwing status listener does not stop the schedule', async () => {
  const r = rig(() => ok(), { onChange: () => { throw new Error('listener bug'); } });
  r.s.start();
  await r.clock.advance(3 * HOUR);
  assert.ok(r.calls.length >= 3);
  assert.equal(r.s.state.running, false);
});

test('runNow during a running check runs one more after it (a live event may be newer than the running check), coalesced; none after stop', async () => {
  const clock = new FakeClock();
  let release: () => void = () => {};
  let runs = 0;
  const s = new CheckScheduler({
    clock, random: seeded(1),
    run: async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => { release = r; });
      return ok();
    },
  });
  const first = s.runNow();
  await new Promise((r) => setImmediate(r));
  const a = s.runNow();
  const b = s.runNow();
  release();
  await Promise.all([first, a, b]);
  assert.equal(runs, 2, 'the running check, then exactly one more for both callers');

  runs = 0;
  const again = s.runNow();
  await new Promise((r) => setImmediate(r));
  const queued = s.runNow();
  s.stop();
  release();
  await Promise.all([again, queued]);
  assert.equal(runs, 1, 'stopped: the queued check does not run');
});
