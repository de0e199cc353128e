// The engine behind createCompanion: one store, one scheduler per source, the update policy recomputed from
// the store after every change, and typed events for the shell. Nothing thrown by a check escapes.
import { UPDATE_CHANNELS } from '../../shared/channels.ts';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL_PATTERN, isAllowedUrl } from '../../shared/protocol/limits.ts';
import { Trust, feedChainFetcher } from './trust.ts';
import type { StoredMessage } from '../../shared/protocol/schemas.ts';
import type { Companion, CompanionEvents, CompanionOptions, DownloadEvent, Listener, SourceConfig, SourceStatus } from './api.ts';
import { Store } from './store/store.ts';
import { FeedV1Source } from './sources/feed-v1.ts';
import { isStaticFeedUrl } from './sources/static-feed.ts';
import { CryptolensSource } from './sources/cryptolens.ts';
import type { CheckOutcome } from './sources/common.ts';
import { runCheck } from './sync.ts';
import { LiveSubscription } from './sources/live.ts';
import { CheckScheduler } from './scheduler.ts';
import { assetFor, bucketOf, channelsFor, downgradeTarget, updateStatus, withHolds, type PolicyInput, type ReleaseInfo, type UpdateChannel, type UpdateStatus } from './policy/update.ts';
import { safeFileName, DownloadError } from './download.ts';
import { downloadUpdate } from './delta/index.ts';
import { systemClock } from './types.ts';
import { UserState } from './store/user-state.ts';
import { probeSource } from './probe.ts';
import { createUpdating } from './updating.ts';
import { liveMessage, storedMessage } from './host-message.ts';
import { reportFailedStart } from './failed-start-report.ts';
import { createAdoptionReporter, type AdoptionTarget } from './adoption-report.ts';
import { readPreferences } from '../../shared/settings.ts';

export class ConfigError extends Error {
  /** The configuration field at fault ('url', 'channels', …), for forms. */
  readonly field: string;
  constructor(message: string, field = '') {
    super(message);
    this.field = field;
  }
}

/** The background interval is configurable from 15 minutes to a week (or manual only): a shorter one would
 * hammer the feed. A week is the longest choice Settings offers (ux.md, as Sparkle does); issue 4 said a day,
 * but clamping a user's "every week" to daily checks would make the setting lie. Out-of-range values are clamped. */
export const MIN_INTERVAL_MS = 15 * 60_000;
export const MAX_INTERVAL_MS = 7 * 86_400_000;
const clampInterval = (ms: number | null | undefined) =>
  ms === null ? null : ms === undefined ? undefined : Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, ms));

interface Engine {
  config: SourceConfig;
  scheduler: CheckScheduler;
  live: LiveSubscription | null;
  /** The last check failed because the network is down (DNS, no route). */
  offline: boolean;
}

/** Refuses a source the companion must not follow; the message names the field (url, channels). */
export function validateSource(s: SourceConfig, allowLoopbackHttp: boolean): void {
  // An http:// feed in a production configuration is refused when the configuration is loaded (case 13).
  if (!isAllowedUrl(s.url, allowLoopbackHttp)) throw new ConfigError(`source ${s.id}: ${s.url} is not an https URL`, 'url');
  // Channel names reach URLs; anything outside the protocol's pattern is refused here (case 28).
  const names = s.kind === 'feed-v1' ? s.newsChannels ?? [] : [s.updateChannel, s.newsChannel].filter((c) => c !== undefined);
  for (const c of names) if (!CHANNEL_PATTERN.test(c)) throw new ConfigError(`source ${s.id}: "${c}" is not a valid channel name`, 'channels');
}

function validate(opts: CompanionOptions): void {
  const ids = new Set<string>();
  for (const s of opts.sources) {
    validateSource(s, opts.allowLoopbackHttp === true);
    if (ids.has(s.id)) throw new ConfigError(`source id ${s.id} is used twice`);
    ids.add(s.id);
  }
}

/** Errors that mean this computer has no network (not that one server is down). */
const OFFLINE = /ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ENETDOWN/;

export async function createCompanionEngine(opts: CompanionOptions): Promise<Companion> {
  validate(opts);
  mkdirSync(opts.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const loopback = opts.allowLoopbackHttp === true;
  const store = new Store({
    file: join(opts.dataDir, 'tidings.db'), faultHook: opts.faultHook, nowSec: () => Math.floor(clock.now() / 1000),
    // The rollback floor (and its "rollback ignored" log line) counts only releases that apply to this install.
    install: { platform: opts.platform, installedVersion: opts.installedVersion, package: opts.install?.package ?? null },
  });
  const user = new UserState(store.db, opts.tokenSeal);
  // The built-in keys moved on by the key rotations this install followed (docs/key-rotation.md).
  const trust = await Trust.open(store, opts.publisherKeys, () => Math.floor(clock.now() / 1000));
  const keys = trust.ringFor();
  // The app's configured sources are defaults: the user's own additions, edits and removals are kept.
  user.seed(opts.sources);
  const events = new EventEmitter();
  const emit = <K extends keyof CompanionEvents>(k: K, payload: CompanionEvents[K]) => {
    try {
      events.emit(k, payload);
    } catch {
      // A failing listener in the shell must not break the engine.
    }
  };
  let channel: UpdateChannel = (store.getMeta('channel') as UpdateChannel | null) ?? opts.channel;
  if (store.getMeta('channel') === null) store.setMeta('channel', channel);
  let lastStatusJson = '';
  let shellOnline = true;
  let remindTimer: unknown = null;
  let download: AbortController | null = null;
  /** The version the download in flight is for: cancelled as soon as it is no longer wanted (held, recalled). */
  let downloadVersion: string | null = null;
  let closed = false;
  /** The failed-start report in flight (settled() waits for it; start never does). */
  let reporting: Promise<void> = Promise.resolve();

  const updating = createUpdating({
    setup: opts.install, installedVersion: opts.installedVersion, store, user, nowSec: () => Math.floor(clock.now() / 1000),
    emit: (e) => emit('install', e), notice: (message) => emit('notice', { message }),
    wanted: () => wantedVersion(),
    withdrawn: (version) => withdrawnWords(version),
    healthy: () => adoption.healthy(),
    failedStart: (bad, reason) => {
      reporting = reportFailedStart({
        diagnostics: () => readPreferences(companion.preferences()).shareDiagnostics,
        offeredBy: (version) => {
          const seen = new Set<string>();
          return store.releaseRecords(UPDATE_CHANNELS).flatMap(({ item }) => {
            const c = user.source(item.sourceId);
            if (item.version !== version || c?.kind !== 'feed-v1' || seen.has(c.id)) return [];
            seen.add(c.id);
            return [{ channel: item.channel, target: { id: c.id, url: c.url, ...(c.token ? { token: c.token } : {}) } }];
          });
        },
        platform: opts.platform, bucket: () => bucketOf(store.installId()), allowLoopbackHttp: loopback,
        log: (ok, line) => store.log('update', Math.floor(clock.now() / 1000), ok, line),
      }, bad, reason);
    },
  });

  const newsChannels = (c: SourceConfig) => (c.kind === 'feed-v1' ? c.newsChannels ?? ['news'] : []);

  // The adoption report (issue 15): to each live feed-v1 source that offers updates (has trusted release records
  // on an update channel), on the channel of the installed version's record there (else the chosen channel).
  const adoption = createAdoptionReporter({
    diagnostics: () => readPreferences(companion.preferences()).shareDiagnostics,
    targets: () => {
      const out = new Map<string, AdoptionTarget>();
      for (const { item } of store.releaseRecords(UPDATE_CHANNELS)) {
        const c = engines.has(item.sourceId) ? user.source(item.sourceId) : null;
        if (c?.kind !== 'feed-v1' || isStaticFeedUrl(c.url)) continue;
        const mine = item.version === opts.installedVersion;
        if (mine || !out.has(c.id)) out.set(c.id, { id: c.id, url: c.url, channel: mine ? item.channel : channel, ...(c.token ? { token: c.token } : {}) });
      }
      return [...out.values()];
    },
    version: opts.installedVersion, platform: opts.platform, bucket: () => bucketOf(store.installId()), clock, random,
    allowLoopbackHttp: loopback, getMeta: (k) => store.getMeta(k), setMeta: (k, v) => store.setMeta(k, v),
    log: (ok, line) => store.log('update', Math.floor(clock.now() / 1000), ok, line),
  });

  const sourceFor = (c: SourceConfig) => c.kind === 'feed-v1'
    ? new FeedV1Source({ id: c.id, url: c.url, token: c.token, allowLoopbackHttp: loopback, clock })
    : new CryptolensSource({
      id: c.id, url: c.url, token: c.token, allowLoopbackHttp: loopback, clock,
      updates: c.updateChannel ? { channel: c.updateChannel, installedReleaseTime: opts.installedReleaseTime ?? 0 } : undefined,
      news: c.newsChannel ? { channel: c.newsChannel } : undefined,
    });

  function policyInput(): PolicyInput {
    const releases: ReleaseInfo[] = store.releaseRecords(UPDATE_CHANNELS).map(({ item, retracted }) => {
      const rec = item.record as StoredMessage;
      return {
        id: item.id, channel: item.channel, version: item.version!, critical: item.critical, expires: item.expires,
        target: rec.target ?? null, assets: rec.release?.assets ?? [], retracted, issued: rec.issued, sourceId: item.sourceId,
      };
    });
    const states = [...engines.keys()].map((id) => store.source(id)).filter((s) => s !== null);
    const lastSuccess = states.reduce<number | null>((m, s) => (s.lastSuccess !== null && (m === null || s.lastSuccess > m) ? s.lastSuccess : m), null);
    const anyHealthy = states.some((s) => s.failingSince === null && s.lastSuccess !== null);
    const failingSince = anyHealthy ? null : states.reduce<number | null>((m, s) => (s.failingSince !== null && (m === null || s.failingSince < m) ? s.failingSince : m), null);
    const remind = store.getMeta('remind_until');
    // After a manual Check Now a skipped version is shown again (as Sparkle does), until the user decides again.
    const skipped = store.getMeta('reveal_skipped') === '1' ? [] : store.skippedVersions();
    return {
      installedVersion: opts.installedVersion, platform: opts.platform, package: opts.install?.package ?? null, channel,
      // A release whose rollout the publisher halted is not offered while its source's heads hold it.
      releases: withHolds(releases, store.holds()), skipped, bad: user.badVersions(),
      remindUntil: remind === null ? null : Number(remind), installBucket: bucketOf(store.installId()),
      now: Math.floor(clock.now() / 1000), lastSuccess, failingSince,
    };
  }

  /** The version a download or install may be for now: the offer, or the confirmed downgrade's target. */
  function wantedVersion(): string | null {
    const input = policyInput();
    const s = updateStatus(input);
    return s.state === 'available' ? s.offer.release.version : downgradeTarget(input)?.version ?? null;
  }

  /** Why a downloaded `version` may not be installed (held or recalled), in one sentence; null otherwise. */
  function withdrawnWords(version: string): string | null {
    const copies = policyInput().releases.filter((r) => r.version === version);
    if (copies.length === 0) return null;
    if (copies.every((r) => r.retracted)) return `The publisher withdrew ${version}, so it won't be installed.`;
    if (copies.some((r) => r.held && !r.retracted)) return `The publisher paused the rollout of ${version}; it will be offered again when they resume it.`;
    return null;
  }

  /** `choiceChanged`: the user's skips or reminder changed, which the UI lists even when the offer stays the same. */
  function refreshOffer(choiceChanged = false): void {
    // A download in flight for a version no longer wanted (its rollout halted, the release recalled) stops now:
    // no client that has seen a recall finishes downloading or installs it (issue 15).
    if (download && downloadVersion !== null && downloadVersion !== wantedVersion()) {
      store.log('download', Math.floor(clock.now() / 1000), false, `download of ${downloadVersion} cancelled: ${withdrawnWords(downloadVersion) ?? 'it is no longer offered'}`);
      download.abort();
    }
    const status = updateStatus(policyInput());
    const json = JSON.stringify(status);
    if (json === lastStatusJson && !choiceChanged) return;
    lastStatusJson = json;
    let notify = false;
    let notifyKey: string | undefined;
    if (status.state === 'available' && status.offer.notify) {
      // At most one notification per offered version, remembered across restarts; a reminder that comes due
      // notifies once more, under its own key.
      const v = status.offer.release.version;
      const due = store.getMeta('remind_due');
      const key = due && due.startsWith(`${v}@`) ? `${v}@remind-${due.slice(v.length + 1)}` : v;
      if (store.getMeta('offer_notified') !== key) {
        store.setMeta('offer_notified', key);
        notify = true;
        notifyKey = key;
      }
    }
    emit('offer', { status, notify, ...(notifyKey ? { notifyKey } : {}) });
  }

  /** A "Remind me later" comes due by itself: the offer notifies again then (once), with no check needed. */
  function armReminder(): void {
    if (remindTimer !== null) clock.clearTimeout(remindTimer);
    remindTimer = null;
    const until = store.getMeta('remind_until');
    if (until === null || closed) return;
    const wait = Number(until) * 1000 - clock.now();
    const fire = () => {
      remindTimer = null;
      if (closed) return;
      const status = updateStatus(policyInput());
      store.setMeta('remind_until', null);
      if (status.state === 'available') store.setMeta('remind_due', `${status.offer.release.version}@${until}`);
      refreshOffer();
    };
    // setTimeout holds at most ~24.8 days; a longer wait re-arms on the way.
    if (wait <= 0) fire();
    else remindTimer = clock.setTimeout(() => (wait > 2 ** 31 - 1 ? armReminder() : fire()), Math.min(wait, 2 ** 31 - 1));
  }

  function networkDown(): boolean {
    return !shellOnline || (engines.size > 0 && [...engines.values()].every((e) => e.offline));
  }

  function statusOf(e: Engine): SourceStatus {
    const s = store.source(e.config.id);
    return {
      id: e.config.id, kind: e.config.kind, running: e.scheduler.state.running, nextAt: e.scheduler.state.nextAt,
      lastCheck: s?.lastCheck ?? null, lastSuccess: s?.lastSuccess ?? null, lastError: s?.lastError ?? null,
      needsAttention: s?.needsAttention ?? false, notBefore: e.scheduler.state.notBefore,
    };
  }

  const storedDays = store.getMeta('retention_days');
  let retention = opts.retention ?? { maxAgeDays: 180, maxCount: 5000 };
  if (storedDays !== null) retention = { ...retention, maxAgeDays: storedDays === 'forever' ? Infinity : Number(storedDays) };
  const prune = (nowMs: number): boolean => {
    try {
      const maxAgeSec = Number.isFinite(retention.maxAgeDays) ? retention.maxAgeDays * 86400 : Number.MAX_SAFE_INTEGER;
      return store.prune(Math.floor(nowMs / 1000), { maxAgeSec, maxCount: retention.maxCount }) > 0;
    } catch {
      return false; // Pruning is housekeeping; a failure here is retried after the next change.
    }
  };
  const engines = new Map<string, Engine>();
  function makeEngine(config: SourceConfig): Engine {
    store.ensureSource(config.id, config.kind, config.url);
    const source = sourceFor(config);
    const engine = { offline: false } as Engine;
    // A feed v1 service serves the publisher's key chain; the ring follows it when the feed says it moved.
    const keys = trust.ringFor(config.kind === 'feed-v1' && !isStaticFeedUrl(config.url) ? feedChainFetcher(config, loopback) : undefined).forSource(config.id);
    const run = async (): Promise<CheckOutcome> => {
      const now = clock.now();
      const wasDown = networkDown();
      const outcome = await runCheck(store, config.id, now, () => source instanceof FeedV1Source
        ? source.check(store, [...channelsFor(channel), ...newsChannels(config)], keys, now)
        : source.check(store, keys, now));
      engine.offline = !outcome.ok && OFFLINE.test(outcome.detail);
      const r = outcome.result;
      if (r && (r.inserted.length > 0 || r.retracted > 0)) {
        prune(now);
        emit('messages', { items: r.inserted, toasts: r.toasts });
        for (const item of r.inserted) if (item.kind !== 'retraction') emit('message', storedMessage(item));
        emit('unread', store.unreadCounts());
      }
      refreshOffer();
      // Out of band: the day's adoption report is scheduled after the check, never sent on it.
      if (outcome.ok && config.kind === 'feed-v1') adoption.afterCheck();
      if (wasDown !== networkDown()) emit('network', { online: !networkDown() });
      // A channel's stream opens once the channel has a cursor (its first check), never replaying its history.
      if (started && !closed) engine.live?.follow([...channelsFor(channel), ...newsChannels(config)]);
      return outcome;
    };
    engine.config = config;
    const onChange = () => {
      if (closed) return;
      try {
        emit('check', statusOf(engine));
      } catch {
        // The store may be failing (disk full, closed by a crash path); the next check reports it.
      }
    };
    engine.scheduler = new CheckScheduler({ clock, random, run, intervalMs: clampInterval(opts.intervalMs), onChange });
    // A static feed (URL ending in /index.json) has no SSE: polling only.
    engine.live = config.kind === 'feed-v1' && config.live && !isStaticFeedUrl(config.url)
      ? new LiveSubscription({
        url: config.url, token: config.token, allowLoopbackHttp: loopback, keys, clock, after: (ch) => store.cursor(config.id, ch)?.cursor ?? null,
        // Never more often than the feed's max-age allows (reliability.md case 55), but a recall or halt sooner.
        onTrigger: (urgent) => void (closed ? null : engine.scheduler.nudge(urgent)), onLive: (m) => { emit('live', m); emit('message', liveMessage(m, config.id)); },
        onHolds: (ch, versions) => {
          if (closed) return;
          store.setHolds(config.id, { ...store.holds().get(config.id), [ch]: versions });
          refreshOffer();
        },
      })
      : null;
    return engine;
  }
  for (const c of user.sources()) engines.set(c.id, makeEngine(c));

  let started = false;
  const follow = (e: Engine) => e.live?.follow([...channelsFor(channel), ...newsChannels(e.config)]);
  function followLive(): void {
    started = true;
    for (const e of engines.values()) follow(e);
  }
  async function stopEngine(e: Engine): Promise<void> {
    e.scheduler.stop();
    e.live?.stop();
    await e.scheduler.idle();
  }

  async function fetchRelease(target: ReleaseInfo): Promise<DownloadEvent> {
    const asset = assetFor(target, opts.platform, opts.install?.package);
    if (!asset) return { state: 'failed', version: target.version, kind: 'no-asset', message: `no download for ${opts.platform}` };
    download?.abort();
    const ac = new AbortController();
    download = ac;
    downloadVersion = target.version;
    const dir = opts.downloadDir ?? join(opts.dataDir, 'downloads');
    mkdirSync(dir, { recursive: true });
    const fileName = safeFileName(asset.url, `${opts.productName ?? 'Tidings'}-${target.version}-${opts.platform}`);
    let result: DownloadEvent;
    try {
      // The cheapest verified way (docs/delta.md): a signed patch from the installed file, else its chunks, else
      // the whole file; the progress counts the bytes really downloaded.
      const { path, method, downloaded, fellBack } = await downloadUpdate({
        asset, installed: { version: opts.installedVersion, file: opts.install?.installedFile ?? null },
        dir, fileName, allowLoopbackHttp: loopback, signal: ac.signal, clock,
        onProgress: (p) => emit('download', { state: 'progress', version: target.version, received: p.received, total: p.total }),
      });
      if (method !== 'full' || fellBack.length > 0) {
        store.log('download', Math.floor(clock.now() / 1000), true, `downloaded ${target.version} by ${method === 'patch' ? 'a patch' : method === 'chunks' ? 'reusing chunks' : 'the full file'}: ${downloaded} of ${asset.size} bytes${fellBack.length ? ` (${fellBack.join('; ')})` : ''}`);
      }
      result = { state: 'done', version: target.version, path };
      updating.verified({ path, version: target.version, sha256: asset.sha256 });
    } catch (err) {
      const kind = err instanceof DownloadError ? err.kind : 'internal';
      result = kind === 'cancelled' ? { state: 'cancelled', version: target.version } : { state: 'failed', version: target.version, kind, message: (err as Error).message };
      store.log('download', Math.floor(clock.now() / 1000), false, `download of ${target.version} failed: ${(err as Error).message}`);
    } finally {
      if (download === ac) {
        download = null;
        downloadVersion = null;
      }
    }
    emit('download', result);
    return result;
  }

  const companion: Companion = {
    start() {
      if (store.recovery) emit('notice', { message: store.getMeta('notice') ?? 'Local data was reset.' });
      updating.takeOutcome();
      for (const e of engines.values()) e.scheduler.start();
      followLive();
      if (prune(clock.now())) emit('unread', store.unreadCounts());
      refreshOffer();
      armReminder();
    },
    async close() {
      if (closed) return;
      closed = true;
      download?.abort();
      adoption.close();
      if (remindTimer !== null) clock.clearTimeout(remindTimer);
      // Let in-flight checks finish their transaction before the connection closes.
      await Promise.all([...engines.values()].map(stopEngine));
      store.close();
    },
    on(event, listener) {
      events.on(event, listener as Listener<typeof event>);
      return () => events.off(event, listener as Listener<typeof event>);
    },
    listMessages: (q) => store.list(q),
    countMessages: (q) => store.count(q),
    nextExpiry: () => store.nextExpiry(),
    message: (key) => store.item(key),
    unreadCounts: () => store.unreadCounts(),
    updateStatus: (): UpdateStatus => updateStatus(policyInput()),
    sources: () => [...engines.values()].map(statusOf),
    sourceConfigs: () => user.sources(),
    async saveSource(config) {
      validateSource(config, loopback);
      const old = engines.get(config.id);
      const before = user.source(config.id);
      if (old) {
        engines.delete(config.id);
        await stopEngine(old);
      }
      // A new address or kind is another feed: what came from the old one goes, and its cursors with it.
      if (before && (before.url !== config.url || before.kind !== config.kind)) user.forgetData(config.id);
      user.saveSource(config, true);
      const e = makeEngine(config);
      engines.set(config.id, e);
      if (started && !closed) {
        e.scheduler.start();
        follow(e);
        void e.scheduler.runNow().catch(() => false);
      }
      emit('unread', store.unreadCounts());
      refreshOffer();
    },
    async removeSource(id) {
      const e = engines.get(id);
      engines.delete(id);
      if (e) await stopEngine(e);
      user.removeSource(id);
      emit('unread', store.unreadCounts());
      refreshOffer();
    },
    probeSource: (config) => probeSource(config, { keys, platform: opts.platform, allowLoopbackHttp: loopback }),
    installId: () => store.installId(),
    online: () => !networkDown(),
    setOnline(online) {
      const was = !networkDown();
      shellOnline = online;
      if (online) for (const e of engines.values()) e.offline = false;
      if (was !== !networkDown()) emit('network', { online: !networkDown() });
      // The network is back: check again soon (each source after its own random 0–60 s, as after a wake).
      if (online && !was) for (const e of engines.values()) e.scheduler.wake();
    },
    setRetention(days) {
      retention = { ...retention, maxAgeDays: days ?? Infinity };
      store.setMeta('retention_days', days === null ? 'forever' : String(days));
      if (prune(clock.now())) emit('unread', store.unreadCounts());
    },
    preferences: () => {
      const raw = store.getMeta('preferences');
      try {
        return raw === null ? null : JSON.parse(raw) as unknown;
      } catch {
        return null;
      }
    },
    setPreferences: (p) => store.setMeta('preferences', JSON.stringify(p)),
    checkLog: (limit) => store.checkLog(limit),
    notice: () => store.getMeta('notice'),
    channel: () => channel,
    checkNow() {
      const results = [...engines.values()].map((e) => e.scheduler.checkNow());
      if (results.some((r) => r.accepted) && store.skippedVersions().length > 0 && store.getMeta('reveal_skipped') !== '1') {
        store.setMeta('reveal_skipped', '1');
        refreshOffer();
      }
      return results;
    },
    async settled() {
      await Promise.all([...engines.values()].map((e) => e.scheduler.idle()));
      await reporting;
      await adoption.idle();
    },
    async checkAll() {
      if (closed) return;
      await Promise.all([...engines.values()].map((e) => e.scheduler.runNow()));
    },
    markRead(keys, read = true) {
      store.markRead(keys, read);
      emit('unread', store.unreadCounts());
    },
    dismiss(keys) {
      user.dismiss(typeof keys === 'number' ? [keys] : keys, Math.floor(clock.now() / 1000));
      emit('unread', store.unreadCounts());
    },
    restore(keys) {
      user.restore(keys);
      emit('unread', store.unreadCounts());
    },
    dismissed: (limit) => user.dismissed(limit),
    dismissNotice: () => store.setMeta('notice', null),
    setChannel(c) {
      const before = channel;
      channel = c;
      store.setMeta('channel', c);
      refreshOffer();
      if (started) followLive();
      // A newly followed channel (experimental) is fetched now: the user just asked for it (Retry-After still holds).
      if (before === 'stable' && c === 'experimental' && !closed) for (const e of engines.values()) void e.scheduler.runNow().catch(() => false);
    },
    setInterval: (ms) => engines.forEach((e) => e.scheduler.setInterval(clampInterval(ms) ?? null)),
    skipVersion(version) {
      const status = updateStatus(policyInput());
      if (status.state === 'available' && status.offer.critical && status.offer.release.version === version) return; // critical: cannot skip
      store.skipVersion(version, Math.floor(clock.now() / 1000));
      store.setMeta('reveal_skipped', null);
      refreshOffer(true);
    },
    unskipVersion(version) {
      const had = user.unskip(version);
      refreshOffer(had);
      return had;
    },
    skippedVersions: () => store.skippedVersions(),
    skippedNewest() {
      const status = updateStatus({ ...policyInput(), skipped: [] });
      if (status.state !== 'available' || status.offer.critical) return null;
      const v = status.offer.release.version;
      return store.skippedVersions().includes(v) && updateStatus(policyInput()).state !== 'available' ? v : null;
    },
    remindLater(ms) {
      store.setMeta('remind_until', String(Math.floor((clock.now() + (ms ?? opts.remindLaterMs ?? 86_400_000)) / 1000)));
      store.setMeta('remind_due', null);
      refreshOffer(true);
      armReminder();
    },
    remindUntil: () => {
      const v = store.getMeta('remind_until');
      return v === null ? null : Number(v);
    },
    clearRemind() {
      store.setMeta('remind_until', null);
      refreshOffer(true);
      armReminder();
    },
    async download() {
      const status = updateStatus(policyInput());
      if (status.state !== 'available') return { state: 'failed', version: '', kind: 'no-offer', message: 'there is no update to download' };
      return fetchRelease(status.offer.release);
    },
    cancelDownload: () => download?.abort(),
    downgradeTarget: () => downgradeTarget(policyInput()),
    async confirmDowngrade(version) {
      const target = downgradeTarget(policyInput());
      if (!target || target.version !== version) return { state: 'failed', version, kind: 'no-offer', message: `${version} is not the available downgrade` };
      return fetchRelease(target);
    },
    wake: () => engines.forEach((e) => e.scheduler.wake()),
    installMode: () => updating.mode(),
    installAtQuitPossible: () => updating.atQuit(),
    assetOf: (r) => assetFor(r, opts.platform, opts.install?.package),
    verifiedDownload: () => updating.verifiedFile(),
    installState: () => updating.state(),
    restartToUpdate: () => updating.restartToUpdate(),
    installAtQuit: (allowed) => updating.installAtQuit(allowed),
    reportHealthy: () => updating.reportHealthy(),
    restoredAfterFailure: () => updating.restored(),
  };
  return companion;
}
