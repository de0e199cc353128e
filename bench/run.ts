// `npm run bench` runs rows 1–5, 7, 8, 10, 11 and 13 of performance.md; `npm run bench -- <name>` one or more rows
// (row1|unchanged, row2|changed, row3|bytes, row4|store, row5|inbox, row7|live, row8|core, row10|memory, row11|disk, row13|delta); `--smoke` (or BENCH_SMOKE=1) runs each very
// briefly. Prints one line per goal and writes the figures to bench/results/latest.json (smoke:
// bench/results/smoke.json; BENCH_OUT overrides).
import { availableParallelism, cpus } from 'node:os';
import { benchConfig } from './lib/config.ts';
import { loadGenerator } from './lib/load.ts';
import { benchDir, pinning } from './lib/proc.ts';
import { spread } from './lib/rounds.ts';
import { verdict, writeResults, type RowResult } from './lib/report.ts';
import { row1 } from './rows/row1-unchanged.ts';
import { row2 } from './rows/row2-changed.ts';
import { row3 } from './rows/row3-bytes.ts';
import { row7 } from './rows/row7-live.ts';
import { row4 } from './rows/row4-store.ts';
import { row5 } from './rows/row5-inbox.ts';
import { row8 } from './rows/row8-core.ts';
import { row10 } from './rows/row10-memory.ts';
import { row11 } from './rows/row11-disk.ts';
import { rowScale } from './rows/scale.ts';
import { rowDelta } from './rows/delta.ts';

const rows = [
  { names: ['row1', '1', 'unchanged'], run: row1 },
  { names: ['row2', '2', 'changed'], run: row2 },
  { names: ['row3', '3', 'bytes'], run: row3 },
  { names: ['row7', '7', 'live'], run: row7 },
  { names: ['row4', '4', 'store'], run: row4 },
  { names: ['row5', '5', 'inbox'], run: row5 },
  { names: ['row8', '8', 'core'], run: row8 },
  { names: ['row10', '10', 'memory'], run: row10 },
  { names: ['row11', '11', 'disk'], run: row11 },
  { names: ['row13', '13', 'delta'], run: rowDelta },
  { names: ['scale', 'pg', 'nodes'], run: rowScale, optIn: true as const },
];

const args = process.argv.slice(2);
const smoke = args.includes('--smoke') || process.env.BENCH_SMOKE === '1';
// The smoke run (in npm test) never installs packages; a full run installs wrk and nginx when missing.
if (smoke) process.env.BENCH_NO_INSTALL ??= '1';
const wanted = args.filter((a) => !a.startsWith('--'));
const unknown = wanted.filter((w) => !rows.some((r) => r.names.includes(w)));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${rows.map((r) => r.names.join('|')).join(', ')}`);
  process.exit(2);
}
// The scale-out row needs PostgreSQL and a minute; the smoke run leaves it out unless named.
const selected = wanted.length === 0 ? rows.filter((r) => !(smoke && 'optIn' in r)) : rows.filter((r) => r.names.some((n) => wanted.includes(n)));
const cfg = benchConfig(smoke);
const out = process.env.BENCH_OUT ?? `${benchDir}results/${smoke ? 'smoke' : 'latest'}.json`;

const gen = loadGenerator(smoke);
const pin = pinning();
const started = Date.now();
console.log(`bench${smoke ? ' (smoke)' : ''}: node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'cpu'}), load ${gen.name} (${gen.why}), pinning ${pin.ok ? pin.why : `off (${pin.why})`}; median of ${cfg.runs} run(s) of ${cfg.seconds} s`);
console.log('A/A lines: "ours" is a second copy of the anchor; their distance from 1.00x is this run\'s noise.');

const results: RowResult[] = [];
const failures: string[] = [];
for (const r of selected) {
  const name = r.names[0] as string;
  try {
    const res = await r.run(cfg);
    results.push(res);
    console.log(`\n# row ${res.row}: ${res.title} (${res.seconds.toFixed(0)} s)`);
    for (const line of res.lines) console.log(line.text);
    const runs = new Map<string, string>();
    for (const l of res.lines) for (const f of [l.ours, l.anchor]) if (f.runs.length > 1) runs.set(`${f.label} (${f.unit})`, f.runs.map((v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1))).join('/'));
    if (runs.size > 0) console.log(`  runs: ${[...runs].map(([k, v]) => `${k} ${v}`).join('; ')}`);
    for (const note of res.notes) console.log(`  ${note}`);
  } catch (err) {
    failures.push(name);
    console.log(`\n# ${name}: failed: ${(err as Error).stack ?? String(err)}`);
  }
}

// Verdicts: a ratio within its noise of the goal is undecided. A line's noise is the larger of the
// run-to-run spread of its two figures (bench/lib/rounds.ts: max − min, or the interquartile range from 5 runs) and the distance from 1.00x of its row's
// A/A pair for the same unit.
console.log('\nverdicts:');
for (const res of results) {
  for (const line of res.lines.filter((l) => l.kind === 'goal')) {
    const aa = res.lines.filter((l) => l.kind === 'aa' && l.ratio !== null && l.ours.unit === line.ours.unit).map((l) => Math.abs((l.ratio as number) - 1));
    const noise = Math.max(0, ...aa, ...[spread(line.ours.runs), spread(line.anchor.runs)].filter(Number.isFinite));
    const v = line.unavailable ? `skipped (${line.unavailable})` : line.unjudged ? `not judged (${line.unjudged})` : verdict(line, noise);
    console.log(`  ${line.name}: ${v}${noise > 0 ? ` (noise ±${(noise * 100).toFixed(0)} %)` : ''}`);
  }
}

writeResults(out, {
  date: new Date(started).toISOString(),
  smoke,
  seconds: (Date.now() - started) / 1000,
  machine: { node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model ?? null, loadGenerator: gen, pinning: pin },
  config: cfg,
  rows: results,
  failures,
});
console.log(`\nwrote ${out} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
process.exit(failures.length > 0 ? 1 : 0);
