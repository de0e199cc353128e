// The simulation's figures from its own ground truth (docs/simulation.md): every report the service accepted,
// every install step and when each companion applied the recall. Pure functions, so they can be checked alone.
import type { Outcome } from './companion.ts';
import type { HaltPolicy } from '../../shared/protocol/reports.ts';

export interface Crossing {
  /** When the accepted reports first passed the policy (null: never). */
  at: number | null;
  tried: number;
  failed: number;
}

/** The tries (failed starts + adoption reports after an update) the service accepted up to `until`, in time order. */
export function acceptedTries(outcomes: readonly Outcome[], until = Infinity): [number, 'f' | 'a'][] {
  const out: [number, 'f' | 'a'][] = [];
  for (const o of outcomes) for (const [at, kind, status] of o.reports) if (kind !== 'd' && status === 202 && at <= until) out.push([at, kind]);
  return out.sort((a, b) => a[0] - b[0]);
}

/** The first moment failed ≥ minReports and failed / tried ≥ failPercent %. */
export function firstCrossing(tries: readonly [number, 'f' | 'a'][], policy: HaltPolicy): Crossing {
  let tried = 0;
  let failed = 0;
  for (const [at, kind] of tries) {
    tried++;
    if (kind === 'f') failed++;
    if (failed >= policy.minReports && failed * 100 >= policy.failPercent * tried) return { at, tried, failed };
  }
  return { at: null, tried, failed };
}

/** When a companion had applied every message up to `seq`, or null. */
export function reachedAt(o: Outcome, seq: number): number | null {
  return o.cursorLog.find(([, cursor]) => cursor >= seq)?.[0] ?? null;
}

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

export interface RecallFigures {
  /** Companions whose live stream was connected when the recall was published. */
  connected: number;
  /** Of those, how many applied it within the deadline, and the latencies (ms) of all that applied it. */
  within: number;
  latencies: number[];
  missing: number;
  /** Install steps begun by a companion after it had applied the recall (must be 0). */
  installsAfter: number;
}

export function recallFigures(outcomes: readonly Outcome[], connected: readonly boolean[], recallSeq: number, recalledAt: number, deadlineMs: number): RecallFigures {
  const latencies: number[] = [];
  let within = 0;
  let missing = 0;
  let installsAfter = 0;
  outcomes.forEach((o, i) => {
    const at = reachedAt(o, recallSeq);
    if (at !== null) installsAfter += o.installAts.filter((t) => t > at).length;
    if (!connected[i]) return;
    if (at === null) return void missing++;
    const ms = Math.max(0, at - recalledAt);
    latencies.push(ms);
    if (ms <= deadlineMs) within++;
  });
  return { connected: connected.filter(Boolean).length, within, latencies, missing, installsAfter };
}
