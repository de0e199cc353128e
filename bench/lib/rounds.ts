// Rounds of HTTP load over several targets, as many as it takes to decide (issue 17): a round loads every
// target once, in rotating order; after the minimum number of rounds, another round is run only while
// some goal is still within the noise of its ratio (the A/A pair's distance from 1.00x, or the spread of
// either figure's runs), up to a maximum. The noise rule is the one `bench/run.ts` prints verdicts with.
import type { BenchConfig } from './config.ts';
import { load, loadGenerator } from './load.ts';
import { median, rotate } from './stats.ts';

export interface HttpTarget {
  label: string;
  url: string;
  headers: Record<string, string>;
  runs: number[];
}

/** A goal between two targets (ours / anchor ≥ ratio). */
export interface RatioGoal { ours: string; anchor: string; ratio: number }

/**
 * Run-to-run spread of one figure: (max − min) / median over a few runs; with 5 or more, the
 * interquartile range instead, so one disturbed run on a shared machine does not undecide everything.
 */
export function spread(runs: readonly number[]): number {
  if (runs.length < 2) return 0;
  const s = [...runs].sort((a, b) => a - b);
  const m = Math.abs(median(s));
  if (m === 0) return 0;
  if (s.length < 5) return ((s.at(-1) as number) - (s[0] as number)) / m;
  const q = (p: number) => s[Math.round(p * (s.length - 1))] as number;
  return (q(0.75) - q(0.25)) / m;
}

/** Noise of a ratio between two figures, given the A/A ratio of the same run. */
export function noiseOf(aaRatio: number | null, ours: readonly number[], anchor: readonly number[]): number {
  return Math.max(aaRatio === null ? 0 : Math.abs(aaRatio - 1), spread(ours), spread(anchor));
}

/** Loads every target round after round until each goal is decided or `maxRuns` rounds have run. */
export async function runRounds(cfg: BenchConfig, targets: Record<string, HttpTarget>, opts: { expect: number; goals: RatioGoal[]; aa: { ours: string; anchor: string } }): Promise<{ rounds: number; bad: number; decided: boolean }> {
  const keys = Object.keys(targets);
  const minRuns = cfg.runs;
  // Deciding needs wrk's figures; with autocannon (smoke) the minimum is all there is.
  const maxRuns = loadGenerator(cfg.smoke).name === 'wrk' ? Math.max(minRuns, cfg.maxRuns) : minRuns;
  if (cfg.warmup > 0) for (const k of keys) await load({ ...targets[k]!, connections: cfg.connections, seconds: cfg.warmup, expect: opts.expect, smoke: cfg.smoke });
  let bad = 0;
  let rounds = 0;
  const fig = (k: string) => median(targets[k]?.runs ?? []);
  const undecided = () => {
    const a = targets[opts.aa.ours];
    const b = targets[opts.aa.anchor];
    const aa = a && b ? fig(opts.aa.ours) / fig(opts.aa.anchor) : null;
    return opts.goals.filter((g) => {
      const ours = targets[g.ours];
      const anchor = targets[g.anchor];
      if (!ours || !anchor) return false;
      const off = Math.abs(fig(g.ours) / fig(g.anchor) - g.ratio) / g.ratio;
      return off <= noiseOf(aa, ours.runs, anchor.runs);
    });
  };
  while (rounds < maxRuns && (rounds < minRuns || undecided().length > 0)) {
    for (const k of rotate(keys, rounds)) {
      const t = targets[k]!;
      const r = await load({ url: t.url, headers: t.headers, connections: cfg.connections, seconds: cfg.seconds, expect: opts.expect, smoke: cfg.smoke });
      t.runs.push(r.rps);
      bad += r.bad;
    }
    rounds++;
  }
  return { rounds, bad, decided: undecided().length === 0 };
}
