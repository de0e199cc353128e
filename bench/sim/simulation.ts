// The rollout simulation of issue 15 (docs/simulation.md): a real feed service in its own process, worker
// processes of simulated companions on loopback, and a scripted publisher that signs every record. Phase 1: a
// release that fails to start for some of the fleet is rolled out step by step until the service halts it by
// itself; the fleet share that tried it when the threshold was first crossed is compared with the share that
// tried it in the end. Phase 2: the publisher resumes and advances (installs are flowing), then recalls the
// release; how fast each connected companion applied the recall, and whether any began an install after it.
import { startNode, type NodeChild } from '../lib/proc.ts';
import { fromBase64, importSigningKey, type SigningKey } from '../../shared/protocol/signing.ts';
import { draftRelease, draftRenewal, draftRetraction, newMessageId, signForFeed, type PublishedCopy } from '../../shared/publish/record.ts';
import { FeedError, listChannel, postRecord } from '../../shared/publish/feed.ts';
import { DEFAULT_HALT_POLICY, type HaltPolicy } from '../../shared/protocol/reports.ts';
import { CHANNEL, PLATFORM, type Outcome } from './companion.ts';
import { acceptedTries, firstCrossing, percentile, recallFigures } from './figures.ts';

export interface SimOptions {
  fleet: number;
  workers: number;
  /** Share of the fleet whose start of the new release fails, %. */
  failPercent: number;
  seed: number;
  /** The channel's halt policy (set through the console unless it is the default). */
  policy: HaltPolicy;
  /** The feed service's Cache-Control max-age, s (its default is 60). */
  maxAgeSec: number;
  /** The new release's first rollout, the step of each advance and the time between advances. */
  startRollout: number;
  step: number;
  cadenceMs: number;
  /** Download + install + first start of a companion, ms (uniform). */
  takeMs: [number, number];
  /** Download + install + first start after the resume (default takeMs): longer than max-age, some companions
   * are mid-download when the recall reaches them. */
  recallTakeMs?: [number, number];
  /** Advances after the resume, before the recall. */
  resumeSteps: number;
  recallDeadlineMs: number;
  /** Pass: the final tried share is at most the share at the crossing plus this (fraction of the fleet). */
  overshootAllowed: number;
  log: (line: string) => void;
}

export const FULL: SimOptions = {
  fleet: 10_000, workers: 4, failPercent: 5, seed: 15, policy: DEFAULT_HALT_POLICY, maxAgeSec: 60,
  startRollout: 1, step: 1, cadenceMs: 3000, takeMs: [300, 2000], recallTakeMs: [5_000, 90_000], resumeSteps: 3, recallDeadlineMs: 60_000, overshootAllowed: 0.01,
  log: (l) => console.log(l),
};

const OLD = '2.0.0';
const NEW = '2.1.0';

interface FeedInfo { url: string; publishToken: string; publicKey: string; pkcs8: string }
interface Status { connected: number; reached: number; taking: number; installs: number; rss: number }

export interface SimResult {
  options: Omit<SimOptions, 'log'>;
  pass: { overshoot: boolean; recall: boolean; noInstallAfterRecall: boolean; halted: boolean };
  figures: Record<string, number | string | null>;
  problems: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pct = (n: number, of: number) => (of > 0 ? (100 * n) / of : Number.NaN);

/** The publisher: the CLI's and the console's drafting and signing code (shared/publish), over the v1 API. */
class Publisher {
  private readonly url: string;
  private readonly token: string;
  private readonly key: SigningKey;
  private cookie = '';
  private csrf = '';
  constructor(url: string, token: string, key: SigningKey) {
    this.url = url;
    this.token = token;
    this.key = key;
  }

  async post(record: Parameters<typeof signForFeed>[0]): Promise<{ seq: number; copy: PublishedCopy }> {
    const signed = await signForFeed(record, this.key, true);
    const { stored } = await postRecord(this.url, this.token, signed);
    return { seq: stored.seq as number, copy: stored as unknown as PublishedCopy };
  }

  release(version: string, rollout?: number) {
    const now = Math.floor(Date.now() / 1000);
    return this.post(draftRelease({ id: newMessageId(`sim-${version}`), channel: CHANNEL, issued: now, version, notes: `Simulated ${version}.`, ...(rollout !== undefined ? { rollout } : {}) },
      [{ platform: PLATFORM, url: `https://dl.example.com/Sim-${version}.AppImage`, sha256: 'ab'.repeat(32), size: 98_765_432 }]));
  }

  advance(copy: PublishedCopy, rollout: number) {
    return this.post(draftRenewal(copy, { id: newMessageId(`sim-${NEW}`), issued: Math.floor(Date.now() / 1000), rollout }));
  }

  /** A recall: a signed retraction of every live copy of the version; resolves with the last retraction's seq. */
  async recall(version: string): Promise<{ seq: number; copies: number }> {
    const live = (await listChannel(this.url, this.token, CHANNEL, 1000)).filter((m) => m.kind === 'release' && m.release?.version === version);
    let seq = 0;
    for (const m of live) seq = Math.max(seq, (await this.post(draftRetraction({ id: newMessageId('sim-recall'), channel: CHANNEL, issued: Math.floor(Date.now() / 1000), retracts: m.id }))).seq);
    return { seq, copies: live.length };
  }

  /** The console's API as its page calls it: one session, its CSRF token on every change. */
  async console(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    if (!this.cookie) {
      const res = await fetch(`${this.url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tidings-console': '1', origin: this.url }, body: JSON.stringify({ token: this.token }) });
      if (res.status !== 201) throw new Error(`console sign-in answered ${res.status}: ${await res.text()}`);
      this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
      this.csrf = ((await res.json()) as { csrf: string }).csrf;
    }
    const headers: Record<string, string> = { origin: this.url, cookie: this.cookie, ...(method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
    const res = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

export async function runSimulation(o: SimOptions): Promise<SimResult> {
  const started = Date.now();
  const problems: string[] = [];
  const children: NodeChild<unknown>[] = [];
  const log = (line: string) => o.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  try {
    const feed = await startNode<FeedInfo>('sim/feed.ts', { fds: 65_536, env: { SIM_MAX_AGE: String(o.maxAgeSec) } });
    children.push(feed);
    const { url } = feed.info;
    const pub = new Publisher(url, feed.info.publishToken, await importSigningKey(fromBase64(feed.info.pkcs8), feed.info.publicKey));
    await pub.release(OLD);
    if (o.policy.failPercent !== DEFAULT_HALT_POLICY.failPercent || o.policy.minReports !== DEFAULT_HALT_POLICY.minReports) {
      const r = await pub.console('PUT', `/console/api/channels/${CHANNEL}/halt-policy`, o.policy);
      if (r.status !== 200) throw new Error(`setting the halt policy answered ${r.status}: ${JSON.stringify(r.body)}`);
    }
    log(`feed service at ${url} (max-age ${o.maxAgeSec} s); ${OLD} published to everyone; halt policy ${o.policy.failPercent} % / ${o.policy.minReports} reports`);

    // The fleet, all running OLD, every companion's live stream open.
    const per = Math.ceil(o.fleet / o.workers);
    const workers = await Promise.all(Array.from({ length: o.workers }, (_, i) => startNode<{ openFiles: number }>('sim/companions.ts', {
      fds: 20_000,
      timeoutMs: 60_000,
      env: {
        SIM_URL: url, SIM_PUBLIC_KEY: feed.info.publicKey, SIM_FROM: String(i * per), SIM_COUNT: String(Math.max(0, Math.min(per, o.fleet - i * per))),
        SIM_FLEET: String(o.fleet), SIM_SEED: String(o.seed), SIM_FAIL_PERCENT: String(o.failPercent), SIM_TAKE_MS: o.takeMs.join(','), SIM_INSTALLED: OLD,
      },
    })));
    children.push(...workers);
    const connectedAtStart = (await Promise.all(workers.map((w) => w.ask<{ connected: number }>({ cmd: 'start' }, 600_000)))).reduce((n, r) => n + r.connected, 0);
    const status = async (seq?: number): Promise<Status> => {
      const all = await Promise.all(workers.map((w) => w.ask<Status>({ cmd: 'status', seq }, 60_000)));
      return all.reduce((a, b) => ({ connected: a.connected + b.connected, reached: a.reached + b.reached, taking: a.taking + b.taking, installs: a.installs + b.installs, rss: a.rss + b.rss }));
    };
    log(`${o.fleet} companions in ${o.workers} processes, ${connectedAtStart} live streams open`);
    if (connectedAtStart < o.fleet) problems.push(`only ${connectedAtStart} of ${o.fleet} live streams opened`);

    // When the service halted: watched as a client sees it, in the heads answer's holds.
    let haltSeenAt: number | null = null;
    const watchHolds = async () => {
      while (haltSeenAt === null) {
        const res = await fetch(`${url}/v1/heads`);
        const body = (await res.json()) as { holds?: Record<string, string[]> };
        if (body.holds?.[CHANNEL]?.includes(NEW)) haltSeenAt = Date.now();
        else await sleep(100);
      }
    };

    // Phase 1: roll out NEW until the service refuses an advance (halted) or everyone has it.
    let rollout = o.startRollout;
    let { copy } = await pub.release(NEW, rollout);
    const publishedAt = Date.now();
    log(`${NEW} published at ${rollout} %`);
    const watcher = watchHolds();
    let refusal = '';
    while (rollout < 100 && haltSeenAt === null) {
      await sleep(o.cadenceMs);
      if (haltSeenAt !== null) break;
      const next = Math.min(100, rollout + o.step);
      try {
        copy = (await pub.advance(copy, next)).copy;
        rollout = next;
        log(`advanced to ${rollout} %`);
      } catch (err) {
        if (err instanceof FeedError && err.status === 409) {
          refusal = err.detail;
          log(`advance to ${next} % refused: ${err.detail}`);
          break;
        }
        throw err;
      }
    }
    const haltDeadline = Date.now() + 5 * o.maxAgeSec * 1000;
    while (haltSeenAt === null && Date.now() < haltDeadline) await sleep(100);
    if (haltSeenAt === null) {
      problems.push(`the service did not halt ${NEW} (rollout ${rollout} %)`);
      haltSeenAt = Date.now();
    }
    void watcher;
    log(`halt seen in the heads answer at rollout ${rollout} %`);
    // Settle: no companion taking the release any more, and nothing new for a while.
    let lastInstalls = -1;
    for (let quiet = 0; quiet < 3;) {
      await sleep(1000);
      const s = await status();
      quiet = s.taking === 0 && s.installs === lastInstalls ? quiet + 1 : 0;
      lastInstalls = s.installs;
    }
    const phase1End = Date.now();
    const views = await pub.console('GET', '/console/api/channels');
    const haltReason = JSON.stringify(views.body).match(/"reason":"([^"]*)"/)?.[1] ?? refusal;
    log(`settled; halt reason: ${haltReason}`);

    // Phase 2: resume, advance so installs flow, then recall while they do.
    const rolloutAtHalt = rollout;
    if (o.recallTakeMs) await Promise.all(workers.map((w) => w.ask({ cmd: 'take', ms: o.recallTakeMs })));
    let haltedAgain = '';
    const resumed = await pub.console('POST', '/console/api/rollouts/resume', { channel: CHANNEL, version: NEW });
    if (resumed.status !== 200) problems.push(`resume answered ${resumed.status}: ${JSON.stringify(resumed.body)}`);
    for (let k = 0; k < o.resumeSteps; k++) {
      try {
        rollout = Math.min(100, rollout + Math.max(o.step, 2));
        copy = (await pub.advance(copy, rollout)).copy;
        log(`resumed: advanced to ${rollout} %`);
      } catch (err) {
        // The service may halt it again by itself: reports after the resume passed the threshold again.
        if (!(err instanceof FeedError && err.status === 409)) throw err;
        rollout -= Math.max(o.step, 2);
        haltedAgain = err.detail;
        log(`advance after resume refused: ${err.detail}`);
        break;
      }
      await sleep(k === o.resumeSteps - 1 ? 0 : o.cadenceMs);
    }
    // Recall once companions are mid-take (up to 30 s), so the recall lands while installs are flowing.
    let takingAtRecall = 0;
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      takingAtRecall = (await status()).taking;
      if (takingAtRecall >= Math.max(1, Math.round(o.fleet * 0.001))) break;
      await sleep(100);
    }
    const before = await status();
    const recall = await pub.recall(NEW);
    const recalledAt = Date.now();
    log(`recalled ${NEW} (${recall.copies} copies retracted, last seq ${recall.seq}) while ${takingAtRecall} companions were taking it; ${before.connected} streams connected`);
    const feedRss = ((await feed.ask<{ rss: number; subscribers: number }>({ cmd: 'rss' })).rss);
    const recallWait = recalledAt + Math.max(o.recallDeadlineMs, o.maxAgeSec * 1000) + 15_000;
    let reached = 0;
    while (Date.now() < recallWait) {
      const s = await status(recall.seq);
      reached = s.reached;
      if (reached >= o.fleet && s.taking === 0) break;
      await sleep(500);
    }
    log(`${reached} of ${o.fleet} companions applied the recall`);
    const end = await status(recall.seq);
    const outcomes: Outcome[] = [];
    const connected: boolean[] = [];
    for (const w of workers) {
      const r = await w.ask<{ outcomes: Outcome[] }>({ cmd: 'outcomes' }, 120_000);
      outcomes.push(...r.outcomes);
    }
    // Streams connected when the recall was published: every companion whose stream was up then (all but a few
    // reconnecting); counted from the worker status just before the recall.
    for (const out of outcomes) connected.push(out.sseConnected);
    await Promise.all(workers.map((w) => w.ask({ cmd: 'stop' })));

    // Figures.
    const tries1 = acceptedTries(outcomes, phase1End);
    const crossing = firstCrossing(tries1, o.policy);
    const finalTried = tries1.length;
    const overshoot = crossing.at === null ? Number.NaN : (finalTried - crossing.tried) / o.fleet;
    const rf = recallFigures(outcomes, connected, recall.seq, recalledAt, o.recallDeadlineMs);
    const companionsTried = outcomes.filter((x) => x.reports.some(([at, k, s]) => k !== 'd' && s === 202 && at <= phase1End)).length;
    const retried = outcomes.filter((x) => x.installAts.filter((t) => t <= phase1End).length > 1).length;
    const statuses = new Map<string, number>();
    for (const x of outcomes) for (const [, k, s] of x.reports) statuses.set(`${k}:${s}`, (statuses.get(`${k}:${s}`) ?? 0) + 1);
    for (const [k, n] of statuses) if (!k.endsWith(':202')) problems.push(`${n} reports answered ${k.split(':')[1]} (${{ f: 'failed-start', a: 'adoption after an update', d: 'daily adoption' }[k[0] as 'f']})`);
    const checkErrors = outcomes.reduce((n, x) => n + x.checkErrors, 0);
    if (checkErrors > 0) problems.push(`${checkErrors} checks failed (first: ${outcomes.find((x) => x.firstError)?.firstError})`);
    const figures = {
      fleet: o.fleet,
      failingPercent: pct(outcomes.filter((x) => x.fails).length, o.fleet),
      threshold: `${o.policy.failPercent} % of tries, at least ${o.policy.minReports} failed`,
      maxAgeSec: o.maxAgeSec,
      rolloutAtHalt,
      rolloutAtRecall: rollout,
      haltedAgainAfterResume: haltedAgain || null,
      haltReason,
      triedAtCrossingPercent: pct(crossing.tried, o.fleet),
      failedAtCrossing: crossing.failed,
      triedFinalPercent: pct(finalTried, o.fleet),
      failedFinal: tries1.filter(([, k]) => k === 'f').length,
      companionsTriedPercent: pct(companionsTried, o.fleet),
      companionsRetried: retried,
      mostTriesByOneCompanion: Math.max(0, ...outcomes.map((x) => x.installAts.filter((t) => t <= phase1End).length)),
      overshootPercentOfFleet: 100 * overshoot,
      crossingAfterPublishS: crossing.at === null ? null : (crossing.at - publishedAt) / 1000,
      haltLatencyMs: crossing.at === null ? null : haltSeenAt - crossing.at,
      decidedAfterCrossing: crossing.at === null ? null : outcomes.reduce((n, x) => n + x.decideAts.filter((t) => t > (crossing.at as number) && t <= phase1End).length, 0),
      decidedAfterHalt: outcomes.reduce((n, x) => n + x.decideAts.filter((t) => t > (haltSeenAt as number) && t <= phase1End).length, 0),
      cancelledByHold: outcomes.filter((x) => x.cancelled === 'held').length,
      cancelledByRecall: outcomes.filter((x) => x.cancelled === 'recalled').length,
      takingAtRecall,
      streamsAtRecall: before.connected,
      recallP50Ms: percentile(rf.latencies, 50),
      recallP99Ms: percentile(rf.latencies, 99),
      recallMaxMs: rf.latencies.length ? Math.max(...rf.latencies) : Number.NaN,
      recallWithinDeadlinePercent: pct(rf.within, rf.connected),
      recallMissing: rf.missing,
      installsAfterRecall: rf.installsAfter,
      installsEndOfRun: end.installs,
      wallS: (Date.now() - started) / 1000,
      serverRssMB: feedRss / 1024 / 1024,
      workersRssMB: before.rss / 1024 / 1024,
      checks: outcomes.reduce((n, x) => n + x.checks, 0),
    };
    const pass = {
      halted: crossing.at !== null && !problems.some((p) => p.includes('did not halt')),
      overshoot: crossing.at !== null && overshoot <= o.overshootAllowed,
      recall: rf.within >= 0.99 * rf.connected,
      noInstallAfterRecall: rf.installsAfter === 0,
    };
    const { log: _log, ...options } = o;
    return { options, pass, figures, problems };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

/** The figure table, one line per figure. */
export function table(r: SimResult): string {
  const f = r.figures;
  const n = (v: unknown, d = 1) => (typeof v === 'number' ? (Number.isNaN(v) ? 'n/a' : v.toFixed(d)) : String(v));
  const rows: [string, string][] = [
    ['fleet', `${f.fleet} companions (${r.options.workers} processes), ${n(f.failingPercent)} % fail to start ${NEW}`],
    ['threshold', `${f.threshold}; max-age ${f.maxAgeSec} s; advance +${r.options.step} % every ${r.options.cadenceMs / 1000} s from ${r.options.startRollout} %`],
    ['halted at', `rollout ${f.rolloutAtHalt} %: ${f.haltReason}`],
    ['tried at crossing', `${n(f.triedAtCrossingPercent, 2)} % of the fleet (${f.failedAtCrossing} failed), ${n(f.crossingAfterPublishS)} s after publishing`],
    ['tried final', `${n(f.triedFinalPercent, 2)} % of the fleet (${f.failedFinal} failed; ${n(f.companionsTriedPercent, 2)} % distinct companions, ${f.companionsRetried} tried again, up to ${f.mostTriesByOneCompanion} times)`],
    ['overshoot', `${n(f.overshootPercentOfFleet, 2)} % of the fleet (allowed ${r.options.overshootAllowed * 100} %) ${r.pass.overshoot ? 'PASS' : 'FAIL'}`],
    ['halt latency', `${(f.haltLatencyMs as number) <= 0 ? `≤ 0 ms (holds were in the heads answer before the reporting companion had its 202)` : `${n(f.haltLatencyMs, 0)} ms`} from the crossing to holds in the heads answer; takes decided after the crossing ${f.decidedAfterCrossing}, after the halt ${f.decidedAfterHalt}; ${f.cancelledByHold} downloads stopped by the hold`],
    ['recall', `p50 ${n(f.recallP50Ms, 0)} ms, p99 ${n(f.recallP99Ms, 0)} ms, max ${n(f.recallMaxMs, 0)} ms; ${n(f.recallWithinDeadlinePercent, 2)} % of ${f.streamsAtRecall} connected within ${r.options.recallDeadlineMs / 1000} s ${r.pass.recall ? 'PASS' : 'FAIL'}`],
    ['resume', f.haltedAgainAfterResume ? `advanced to ${f.rolloutAtRecall} %, then halted again by itself: ${f.haltedAgainAfterResume}` : `advanced to ${f.rolloutAtRecall} %`],
    ['installs after recall', `${f.installsAfterRecall} (${f.takingAtRecall} companions were taking ${NEW} when it was recalled; ${f.cancelledByRecall} downloads stopped by the recall) ${r.pass.noInstallAfterRecall ? 'PASS' : 'FAIL'}`],
    ['wall time', `${n(f.wallS)} s; ${f.checks} checks`],
    ['RSS', `feed service ${n(f.serverRssMB, 0)} MB; companions ${n(f.workersRssMB, 0)} MB in all`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`), ...r.problems.map((p) => `problem: ${p}`)].join('\n');
}
