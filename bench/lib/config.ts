// Benchmark settings: the full run (bounded to a few minutes on 2 cores) and the smoke run (seconds).
export interface BenchConfig {
  smoke: boolean;
  /** Runs per target; the median is reported. */
  runs: number;
  /** Rows 1 and 2 run more rounds (up to this many) while a goal is still within the noise. */
  maxRuns: number;
  /** Seconds of load per target per run. */
  seconds: number;
  /** Seconds of warm-up load per target, once. */
  warmup: number;
  connections: number;
  /** Idle live-push subscribers (row 7). */
  subscribers: number;
  /** Publishes whose delivery is timed (row 7). */
  publishes: number;
}

/** Defaults, overridable for exploration with BENCH_RUNS, BENCH_MAX_RUNS, BENCH_SECONDS and BENCH_SUBSCRIBERS. */
export function benchConfig(smoke: boolean, env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const cfg: BenchConfig = smoke
    ? { smoke, runs: 1, maxRuns: 1, seconds: 0.5, warmup: 0.2, connections: 50, subscribers: 200, publishes: 2 }
    : { smoke, runs: 3, maxRuns: 8, seconds: 3, warmup: 1, connections: 100, subscribers: 10_000, publishes: 5 };
  const num = (v: string | undefined) => (v && Number(v) > 0 ? Number(v) : undefined);
  cfg.runs = num(env.BENCH_RUNS) ?? cfg.runs;
  cfg.maxRuns = Math.max(cfg.runs, num(env.BENCH_MAX_RUNS) ?? cfg.maxRuns);
  cfg.seconds = num(env.BENCH_SECONDS) ?? cfg.seconds;
  cfg.subscribers = num(env.BENCH_SUBSCRIBERS) ?? cfg.subscribers;
  return cfg;
}
