// `npm run sim`: the rollout simulation of issue 15 at full size (10,000 companions in 4 processes; see
// docs/simulation.md). Options: --fleet N, --workers N, --max-age S, --cadence MS, --seed N. Prints the figure
// table and writes everything to out/sim/rollout-<fleet>.json; exits 1 when an acceptance line fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FULL, runSimulation, table } from './simulation.ts';

const { values: v } = parseArgs({ options: { fleet: { type: 'string' }, workers: { type: 'string' }, 'max-age': { type: 'string' }, cadence: { type: 'string' }, seed: { type: 'string' } } });
const num = (s: string | undefined, d: number) => (s === undefined ? d : Number(s));
const opts = { ...FULL, fleet: num(v.fleet, FULL.fleet), workers: num(v.workers, FULL.workers), maxAgeSec: num(v['max-age'], FULL.maxAgeSec), cadenceMs: num(v.cadence, FULL.cadenceMs), seed: num(v.seed, FULL.seed) };
const result = await runSimulation(opts);
console.log(`\n${table(result)}`);
mkdirSync('out/sim', { recursive: true });
const file = `out/sim/rollout-${opts.fleet}.json`;
writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), node: process.version, ...result }, null, 2)}\n`);
console.log(`\nfigures written to ${file}`);
process.exit(Object.values(result.pass).every(Boolean) ? 0 : 1);
