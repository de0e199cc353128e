// Issue 15's acceptance simulation at a small scale (the 10,000-companion run is `npm run sim`; docs/simulation.md):
// a real feed service in its own process, 300 companions in 2 worker processes on loopback deciding with the
// core's policy code, a release that fails to start for 5 % of them, rolled out by a scripted publisher that
// signs every record. Asserts what the publisher and the users notice: the service halts the rollout by itself
// and the share of the fleet that tried the release stops growing soon after the threshold was crossed; a
// recall reaches every connected companion well within 60 s; no companion begins an install after it had the
// recall. The halt policy and the allowed overshoot are scaled to the small fleet (15 failing companions can't
// make 20 reports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL, runSimulation, table } from '../../bench/sim/simulation.ts';

test('a failing release halts itself, and a recall reaches the fleet with no install after it (300 companions)', { timeout: 240_000 }, async () => {
  const lines: string[] = [];
  const r = await runSimulation({
    ...FULL,
    fleet: 300, workers: 2, seed: 15,
    policy: { failPercent: 2, minReports: 3 },
    // max-age 2 s (paces the checks live events start) and 1 % a second keep the test short.
    maxAgeSec: 2, cadenceMs: 2000, step: 1,
    // After the resume, takes of 1–6 s outlast the 2 s max-age, so the recall reaches some companions mid-download.
    recallTakeMs: [1000, 6000],
    overshootAllowed: 0.03,
    log: (l) => lines.push(l),
  });
  const t = table(r);
  console.log(t);
  assert.deepEqual(r.problems, [], `${t}\n${lines.join('\n')}`);
  assert.ok(r.pass.halted, `the service halted the rollout by itself\n${t}`);
  assert.match(String(r.figures.haltReason), /stopped by itself/, t);
  assert.equal(r.figures.decidedAfterHalt, 0, `no companion decided to take a held release\n${t}`);
  assert.ok(r.pass.overshoot, `the tried share grew by at most 3 % of the fleet after the crossing\n${t}`);
  assert.ok(r.pass.recall, `99 % of connected companions applied the recall within 60 s\n${t}`);
  assert.equal(r.figures.recallMissing, 0, t);
  assert.ok((r.figures.recallMaxMs as number) < 15_000, `with max-age 2 s every companion had the recall within 15 s\n${t}`);
  assert.equal(r.figures.installsAfterRecall, 0, t);
  assert.ok((r.figures.cancelledByRecall as number) > 0, `some companions had the recall while downloading, and stopped\n${t}`);
  assert.ok((r.figures.installsEndOfRun as number) > 0, t);
});
