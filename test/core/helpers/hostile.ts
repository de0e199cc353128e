// A companion behind the createCompanion facade, on a fake clock, pointed at a feed the test scripts: what
// the hostile-feed tests read back is what a user sees (inbox order, Status log lines) and what the feed was
// asked (the fault server's recorded requests).
import type { TestContext } from 'node:test';
import { createCompanion, type Companion, type CompanionOptions, type SourceConfig } from '../../../electron/core/index.ts';
import { FakeClock } from './fake-clock.ts';
import { tempDir } from './tmp.ts';

export interface Opened {
  c: Companion;
  clock: FakeClock;
  dataDir: string;
  /** Inbox titles, in the order the inbox lists them. */
  inbox(): string[];
  /** Status → Recent checks lines, oldest first. */
  log(): string[];
}

/** The mini feed's records are created at 1_700_000_000 + seq: a clock near them keeps retention from pruning them. */
export const MINI_FEED_NOW_MS = 1_700_000_000_000 + 3_600_000;

export async function openCompanion(t: TestContext, source: SourceConfig, keys: string[], extra: Partial<CompanionOptions> & { clock?: FakeClock } = {}): Promise<Opened> {
  const clock = extra.clock ?? new FakeClock(Date.now());
  const dataDir = extra.dataDir ?? tempDir(t);
  const c = await createCompanion({
    dataDir, publisherKeys: keys, installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [source], allowLoopbackHttp: true, intervalMs: null, random: () => 0.5, ...extra, clock,
  });
  t.after(() => c.close());
  return {
    c, clock, dataDir,
    inbox: () => c.listMessages({ limit: 500 }).map((i) => i.title),
    log: () => c.checkLog(200).map((e) => e.detail).reverse(),
  };
}
