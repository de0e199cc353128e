// One simulated companion of the rollout simulation (docs/simulation.md). What decides is the product's own
// code: the rollout bucket (bucketOf), the update policy (updateStatus over the releases it verified, with the
// versions that failed here as `bad`), page verification (verifyPage: schema and Ed25519 signature) and the
// check pacing (CheckScheduler: a live event starts a check, never sooner than the feed's max-age after the
// last one). What is the simulation's own: the HTTP client (node:http agents instead of the core's transport, and
// an in-memory list instead of the SQLite store, so that 2,500 companions fit in one process), the SSE reader,
// and the download + install + first start, which is a timer whose outcome a seeded RNG chose.
import { request, type Agent, type IncomingMessage } from 'node:http';
import { heads as headsSchema } from '../../shared/protocol/schemas.ts';
import type { StoredMessage } from '../../shared/protocol/schemas.ts';
import type { KeyRing } from '../../shared/protocol/signing.ts';
import { bucketOf, updateStatus, withHolds, wouldTake, type PolicyInput, type ReleaseInfo } from '../../electron/core/policy/update.ts';
import { verifyPage } from '../../electron/core/sources/feed-sync.ts';
import { CheckScheduler } from '../../electron/core/scheduler.ts';
import type { CheckOutcome } from '../../electron/core/sources/common.ts';
import { systemClock } from '../../electron/core/types.ts';

export type ReportKind = 'f' | 'a' | 'd';

export const CHANNEL = 'stable';
export const PLATFORM = 'linux-x64';
const SOURCE = 'sim';

export interface World {
  url: URL;
  /** Keep-alive sockets for checks and reports; SSE streams have their own sockets. */
  agent: Agent;
  keys: KeyRing;
  /** Start version of every companion. */
  installedVersion: string;
  /** Download + install + first start, ms (uniform); a recalled or held release is refused at the install step. */
  takeMs: [number, number];
  random: () => number;
}

/** What the simulation measures of one companion (all times Date.now() ms). */
export interface Outcome {
  bucket: number;
  fails: boolean;
  /** When it first decided to take a release (the policy offered it), and every decision's time. */
  decidedAt: number | null;
  decideAts: number[];
  /** Install steps begun (the download was done and the release still offered); more than one when a failed
   * release was offered again (a later copy counts as republished, see docs/simulation.md). */
  installs: number;
  installAt: number | null;
  /** Refused at the install step: the release was held or recalled meanwhile. */
  cancelled: string | null;
  /** Every report sent: [answer time, 'f' failed-start | 'a' adoption after an update | 'd' daily adoption, HTTP status]. */
  reports: [number, ReportKind, number][];
  /** Every install step's start time (the simulation counts those after this companion applied the recall). */
  installAts: number[];
  /** [time, cursor] after every page applied: when the cursor passed the recall's last retraction, it had the recall. */
  cursorLog: [number, number][];
  sseConnected: boolean;
  checks: number;
  checkErrors: number;
  firstError: string;
}

function parseMaxAge(cc: string | undefined): number | null {
  const m = /max-age=(\d+)/.exec(cc ?? '');
  return m ? Number(m[1]) : null;
}

interface Answer { status: number; headers: IncomingMessage['headers']; body: string }

export function httpCall(world: World, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: world.url.hostname, port: world.url.port, method, path, agent: world.agent, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

export class SimCompanion {
  readonly out: Outcome;
  private readonly w: World;
  private installed: string;
  private readonly bad: { version: string; issued: number }[] = [];
  private cursor = 0;
  private etag: string | null = null;
  private readonly releases = new Map<string, ReleaseInfo>();
  private readonly retracted = new Set<string>();
  private holds: string[] = [];
  private busy = false;
  /** The download in flight: its version, and how to end it early. */
  private downloading: { version: string; cancel: () => void } | null = null;
  private seenSeq = 0;
  private debounce: NodeJS.Timeout | null = null;
  private sse: ReturnType<typeof request> | null = null;
  private stopped = false;
  private readonly scheduler: CheckScheduler;

  constructor(world: World, installId: string, fails: boolean) {
    this.w = world;
    this.installed = world.installedVersion;
    this.out = {
      bucket: bucketOf(installId), fails, decidedAt: null, decideAts: [], installs: 0, installAt: null, cancelled: null, reports: [],
      installAts: [], cursorLog: [], sseConnected: false, checks: 0, checkErrors: 0, firstError: '',
    };
    this.scheduler = new CheckScheduler({ clock: systemClock, random: world.random, run: () => this.check(), intervalMs: null });
  }

  /** The first check (full heads, every page), then the live stream after the cursor, as the core starts. */
  async start(): Promise<void> {
    await this.scheduler.runNow();
    await new Promise<void>((resolve) => this.openStream(resolve));
    // The daily adoption report of the running version (diagnostics on): not an update, so not a try.
    await this.send('/v1/reports/adoption', { version: this.installed, platform: PLATFORM, channel: CHANNEL, bucket: this.out.bucket, updated: false }, 'd');
  }

  stop(): void {
    this.stopped = true;
    this.scheduler.stop();
    if (this.debounce) clearTimeout(this.debounce);
    this.sse?.destroy();
  }

  /** Whether this companion has applied every message up to `seq`. */
  reached(seq: number): boolean {
    return this.cursor >= seq;
  }

  /** Taking a release now (downloading, installing or reporting). */
  get taking(): boolean {
    return this.busy;
  }

  /** The core's policy input (companion.ts policyInput) from what this companion verified. */
  private policyInput(): PolicyInput {
    // Retractions and holds marked as the core's store and companion.ts do (withHolds: per source and channel).
    const releases = withHolds([...this.releases.values()].map((r) => (this.retracted.has(r.id) ? { ...r, retracted: true } : r)), new Map([[SOURCE, { [CHANNEL]: this.holds }]]));
    return {
      installedVersion: this.installed, platform: PLATFORM, package: null, channel: 'stable', releases, skipped: [], bad: this.bad,
      remindUntil: null, installBucket: this.out.bucket, now: Math.floor(Date.now() / 1000), lastSuccess: Date.now(), failingSince: null,
    };
  }

  private offered(): ReleaseInfo | null {
    const s = updateStatus(this.policyInput());
    return s.state === 'available' ? s.offer.release : null;
  }

  /** A take in flight whose version is no longer offered (held or recalled) stops, as the core cancels its download. */
  private stillWanted(version: string): boolean {
    return wouldTake(this.policyInput(), version);
  }

  private async check(): Promise<CheckOutcome> {
    this.out.checks++;
    const base = { ok: true, changed: false, detail: '', status: 200, retryAfterSec: null, authFailed: false, result: null };
    try {
      const res = await httpCall(this.w, 'GET', '/v1/heads', { accept: 'application/json', ...(this.etag ? { 'if-none-match': this.etag } : {}) });
      const maxAgeSec = parseMaxAge(res.headers['cache-control']);
      if (res.status === 304) return { ...base, status: 304, maxAgeSec };
      if (res.status !== 200) throw new Error(`heads answered ${res.status}`);
      const parsed = headsSchema.parse(JSON.parse(res.body));
      this.etag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
      this.holds = parsed.holds?.[CHANNEL] ?? [];
      const head = parsed.heads[CHANNEL] ?? 0;
      while (this.cursor < head) await this.page();
      // The core cancels a download in flight as soon as a check says its version is held or recalled.
      if (this.downloading && !this.stillWanted(this.downloading.version)) this.downloading.cancel();
      this.decide();
      return { ...base, changed: true, maxAgeSec };
    } catch (err) {
      this.out.checkErrors++;
      this.out.firstError ||= (err as Error).message;
      return { ...base, ok: false, status: null, maxAgeSec: null, detail: (err as Error).message };
    }
  }

  private async page(): Promise<void> {
    const res = await httpCall(this.w, 'GET', `/v1/channels/${CHANNEL}/messages?after=${this.cursor}&limit=100`, { accept: 'application/json' });
    if (res.status !== 200) throw new Error(`page answered ${res.status}`);
    const p = JSON.parse(res.body) as { messages: unknown[]; next: number; more: boolean };
    const v = await verifyPage(CHANNEL, p.messages, { after: this.cursor, keepAbove: this.cursor, keys: this.w.keys, allowLoopbackHttp: true });
    if (v.dropped.length > 0) throw new Error(`dropped: ${v.dropped[0]}`);
    for (const m of v.messages) {
      if (m.kind === 'retraction' && m.retracts) this.retracted.add(m.retracts);
      else if (m.kind === 'release' && m.trusted && m.version) {
        const rec = m.record as StoredMessage;
        this.releases.set(m.id, { id: m.id, sourceId: SOURCE, channel: m.channel, version: m.version, critical: m.critical, expires: m.expires, target: rec.target ?? null, assets: rec.release?.assets ?? [], retracted: false, issued: rec.issued });
      }
    }
    const next = Math.max(p.next, v.highest);
    if (next <= this.cursor) throw new Error('the page did not advance');
    this.cursor = next;
    this.out.cursorLog.push([Date.now(), next]);
  }

  /** Takes the release the policy offers now, if it is not busy taking one. */
  private decide(): void {
    if (this.busy) return;
    const r = this.offered();
    if (!r) return;
    this.busy = true;
    void this.take(r);
  }

  private async take(r: ReleaseInfo): Promise<void> {
    const [min, max] = this.w.takeMs;
    const total = min + this.w.random() * (max - min);
    this.out.decidedAt ??= Date.now();
    this.out.decideAts.push(Date.now());
    // Download (most of the time), then the install step: refused unless the policy still offers this version
    // (a hold or a recall that arrived meanwhile cancels it), then the first start.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, total * 0.7);
      this.downloading = { version: r.version, cancel: () => { clearTimeout(t); resolve(); } };
    });
    this.downloading = null;
    if (this.stopped) return;
    if (!this.stillWanted(r.version)) {
      this.out.cancelled = [...this.releases.values()].some((x) => x.version === r.version && !this.retracted.has(x.id)) ? 'held' : 'recalled';
      this.busy = false;
      return;
    }
    this.out.installAt = Date.now();
    this.out.installs++;
    this.out.installAts.push(this.out.installAt);
    await sleep(total * 0.3);
    if (this.stopped) return;
    const report = { version: r.version, platform: PLATFORM, channel: r.channel, bucket: this.out.bucket };
    if (this.out.fails) {
      // Rolled back: marked bad as the core's updating.ts markBad does (with the newest issued of its copies, so a
      // copy issued later is a republish and offered again), and reported (diagnostics are on).
      const issued = [...this.releases.values()].filter((x) => x.version === r.version).reduce((m, x) => Math.max(m, x.issued ?? 0), 0);
      this.bad.push({ version: r.version, issued });
      await this.send('/v1/reports/failed-start', { ...report, reason: 'crashed' }, 'f');
    } else {
      this.installed = r.version;
      await this.send('/v1/reports/adoption', { ...report, updated: true }, 'a');
    }
    this.busy = false;
  }

  private async send(path: string, body: object, kind: ReportKind): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const res = await httpCall(this.w, 'POST', path, {}, JSON.stringify(body));
        this.out.reports.push([Date.now(), kind, res.status]);
        return;
      } catch (err) {
        this.out.firstError ||= `report: ${(err as Error).message}`;
        await sleep(1000);
      }
    }
  }

  /** Like LiveSubscription: an event (or a (re)connect) starts a check through the scheduler, after a 500 ms debounce. */
  private urgent = false;

  private trigger(urgent = false): void {
    this.urgent ||= urgent;
    if (this.debounce || this.stopped) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      const u = this.urgent;
      this.urgent = false;
      this.scheduler.nudge(u);
    }, 500);
  }

  /** Opens the live stream; `opened` is called once it answered (or failed). */
  private openStream(opened?: () => void): void {
    if (this.stopped) return opened?.();
    const after = Math.max(this.cursor, this.seenSeq);
    const req = request({ host: this.w.url.hostname, port: this.w.url.port, path: `/v1/channels/${CHANNEL}/events?after=${after}`, agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      opened?.();
      if (res.statusCode !== 200) {
        res.resume();
        this.out.firstError ||= `events answered ${res.statusCode}`;
        return;
      }
      this.out.sseConnected = true;
      this.trigger();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        buf += text;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          this.frame(buf.slice(0, end));
          buf = buf.slice(end + 2);
        }
      });
      res.on('close', () => this.reconnect());
    });
    req.on('error', (err) => {
      opened?.();
      this.out.firstError ||= `events: ${err.message}`;
      this.reconnect();
    });
    req.end();
    this.sse = req;
  }

  private reconnect(): void {
    if (this.stopped || this.sse === null) return;
    this.sse = null;
    this.out.sseConnected = false;
    setTimeout(() => this.openStream(), 3000).unref();
  }

  private frame(text: string): void {
    let event = 'message';
    let id = '';
    let data = '';
    for (const line of text.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    // As LiveSubscription: a holds event is applied at once (a download in flight of a held version stops, as the
    // core's refreshOffer does), and a halt/resume or a retraction is urgent (checked within seconds).
    if (event === 'holds') {
      try {
        const held = (JSON.parse(data) as { holds?: unknown }).holds;
        if (Array.isArray(held) && held.every((v) => typeof v === 'string')) {
          this.holds = held as string[];
          if (this.downloading && !this.stillWanted(this.downloading.version)) this.downloading.cancel();
        }
      } catch {
        // Not {"holds":[…]}: the check it starts brings the heads answer.
      }
      return this.trigger(true);
    }
    if (event !== 'message') return;
    const seq = Number(id);
    if (Number.isInteger(seq) && seq > 0) {
      if (seq <= Math.max(this.seenSeq, this.cursor)) return;
      this.seenSeq = seq;
    }
    this.trigger(data.includes('"kind":"retraction"'));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
