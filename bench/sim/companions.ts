// A worker process of the rollout simulation (docs/simulation.md): SIM_COUNT simulated companions (indices
// SIM_FROM…) of a fleet of SIM_FLEET, over real HTTP on loopback. Which companions fail to start the new release
// and every install id come from SIM_SEED, so all workers agree on the fleet. Commands over IPC: start,
// recall (the seq that completes it), status, outcomes, stop.
import { Agent } from 'node:http';
import { KeyRing, canonicalPayload, type VerifyResult } from '../../shared/protocol/signing.ts';
import { openFilesLimit, serveIpc } from '../lib/proc.ts';
import { SimCompanion, type World } from './companion.ts';
import { failingSet, installIdOf, mulberry32 } from './fleet.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const from = Number(env('SIM_FROM'));
const count = Number(env('SIM_COUNT'));
const fleet = Number(env('SIM_FLEET'));
const seed = Number(env('SIM_SEED'));
const [takeMin, takeMax] = env('SIM_TAKE_MS').split(',').map(Number) as [number, number];

/**
 * Each record's signature is verified once per process (the same bytes for every companion of it); a record that
 * differs in any byte is a different key of the cache and verified on its own. Saves 2,499 of 2,500 Ed25519
 * verifications per record without trusting anything unverified.
 */
class SharedVerifications extends KeyRing {
  private readonly cache = new Map<string, Promise<VerifyResult>>();
  override verify<T extends { sig?: unknown }>(record: T): Promise<VerifyResult> {
    let k: string;
    try {
      k = `${JSON.stringify(record.sig)}\n${canonicalPayload(record)}`;
    } catch {
      return super.verify(record);
    }
    let v = this.cache.get(k);
    if (!v) this.cache.set(k, (v = super.verify(record)));
    return v;
  }
}

const keys = new SharedVerifications();
await keys.add(env('SIM_PUBLIC_KEY'));
const world: World = {
  url: new URL(env('SIM_URL')),
  agent: new Agent({ keepAlive: true, maxSockets: 128 }),
  keys,
  installedVersion: env('SIM_INSTALLED'),
  takeMs: [takeMin, takeMax],
  random: mulberry32(seed * 7919 + from),
};
const failing = failingSet(fleet, Number(env('SIM_FAIL_PERCENT')), seed);
const companions = Array.from({ length: count }, (_, i) => new SimCompanion(world, installIdOf(seed, from + i), failing.has(from + i)));

async function startAll(): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < companions.length) await companions[next++]!.start();
  };
  await Promise.all(Array.from({ length: Math.min(64, companions.length) }, worker));
}

serveIpc(async (msg) => {
  if (msg.cmd === 'start') {
    await startAll();
    return { connected: companions.filter((c) => c.out.sseConnected).length };
  }
  if (msg.cmd === 'take') {
    world.takeMs = msg.ms as [number, number];
    return {};
  }
  if (msg.cmd === 'status') {
    const o = companions.map((c) => c.out);
    return {
      connected: o.filter((x) => x.sseConnected).length,
      reached: typeof msg.seq === 'number' ? companions.filter((c) => c.reached(msg.seq as number)).length : 0,
      taking: companions.filter((c) => c.taking).length,
      installs: o.reduce((n, x) => n + x.installs, 0),
      rss: process.memoryUsage().rss,
    };
  }
  if (msg.cmd === 'outcomes') return { outcomes: companions.map((c) => c.out) };
  if (msg.cmd === 'stop') {
    for (const c of companions) c.stop();
    world.agent.destroy();
    return {};
  }
  throw new Error(`unknown command ${String(msg.cmd)}`);
});
process.send?.({ ready: true, openFiles: await openFilesLimit() });
process.on('SIGTERM', () => process.exit(0));
