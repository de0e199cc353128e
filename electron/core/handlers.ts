// Adapts the companion facade (createCompanion) to the IPC contract: InvokeHandlers plus the UI events.
// The browser preview uses it whole; a shell overrides what needs its own powers (links, installers, key and
// file dialogs, publishing, sources). What the facade cannot do is refused in plain words, never faked.
import { basename } from 'node:path';
import { createCompanion } from './index.ts';
import { keyIdOf } from '../../shared/protocol/signing.ts';
import type { Companion, DownloadEvent, InboxItem as CoreItem, SourceStatus as CoreSource, UpdateStatus } from './api.ts';
import type { EventName, EventPayloads, InvokeHandlers } from '../../shared/ipc/contract.ts';
import { plainError } from './plain-errors.ts';
import type { AppInfo, Counts, InboxItemDetail, Offer, Settings, SourceStatus, Topic, UpdateState, UpdateView } from '../../shared/ipc/types.ts';

export type Emit = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export interface HandlerOptions {
  companion: Companion;
  info: AppInfo;
  /** The shell's settings (electron-store in Electron, memory in the preview). */
  settings: Settings;
  online?: () => boolean;
}

/** An inbox item whose OS notification is due (the store sets its notified flag in the same transaction). */
export interface ToastItem { key: string; kind: 'release' | 'news' | 'note'; title: string; excerpt: string; channel: string; version?: string; critical?: boolean; sourceName?: string }

export interface CompanionHandlers {
  handlers: InvokeHandlers;
  subscribe(emit: Emit): () => void;
  subscribeToasts(listener: (items: ToastItem[]) => void): () => void;
  /** The downloaded file whose size and sha256 matched the signed record, if any. */
  verifiedDownload(): { path: string; version: string; sha256: string } | null;
  close(): void;
}

const refuse = (field: string, message: string) => ({ ok: false as const, error: { field, message } });
const ok = { ok: true as const };
const nowSec = () => Math.floor(Date.now() / 1000);
const secOf = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));
const verifyKinds = new Set(['hash-mismatch', 'size-mismatch']);

function bodyOf(item: CoreItem): string {
  const r = (item.record ?? {}) as { body?: unknown; content?: unknown };
  return typeof r.body === 'string' ? r.body : typeof r.content === 'string' ? r.content : '';
}

function excerptOf(body: string): string {
  return body.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[#>*_`~|]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 160);
}

function toItem(i: CoreItem): InboxItemDetail {
  const body = bodyOf(i);
  const out: InboxItemDetail = {
    key: String(i.key), sourceId: i.sourceId, messageId: i.id, channel: i.channel, kind: i.kind === 'retraction' ? 'news' : i.kind,
    title: i.title, excerpt: excerptOf(body), created: i.created, read: i.read, trusted: i.trusted, body,
  };
  if (i.version) out.version = i.version;
  if (i.critical) out.critical = true;
  if (i.link) out.link = i.link;
  return out;
}

export function createHandlers(opts: HandlerOptions): CompanionHandlers {
  const { companion, info } = opts;
  let settings = opts.settings;
  const listeners = new Set<Emit>();
  const emit: Emit = (name, payload) => listeners.forEach((l) => l(name, payload));
  const changed = (...topics: Topic[]) => emit('changed', { topics });
  // What the facade does not report back, remembered for this session's UI.
  const skipped = new Set<string>();
  let remindAt: number | null = null;
  let dl: DownloadEvent | null = null;
  let expectedSha = '';
  const toastListeners = new Set<(items: ToastItem[]) => void>();
  // Every inbox read goes to the store (pages by offset for the virtualized list, counts by SQL): nothing
  // is kept here that could drift from it.
  /** Every visible item of a filter, newest first, in keyset pages (for commands, never per render). */
  const everyItem = (q: { channel?: string; kind?: CoreItem['kind'] } = {}): CoreItem[] => {
    const out: CoreItem[] = [];
    for (;;) {
      const last = out[out.length - 1];
      const page = companion.listMessages({ ...q, limit: 500, ...(last ? { before: { created: last.created, key: last.key } } : {}) });
      out.push(...page);
      if (page.length < 500) return out;
    }
  };
  // An expiry changes what the inbox shows without any store write: tell open windows when the soonest passes.
  let expiryTimer: NodeJS.Timeout | undefined;
  const watchExpiry = () => {
    clearTimeout(expiryTimer);
    const at = companion.nextExpiry();
    if (at === null) return;
    // setTimeout holds at most ~24.8 days; a later expiry re-arms at the next change.
    const wait = Math.min(Math.max(0, at * 1000 - Date.now()) + 50, 2 ** 31 - 1);
    expiryTimer = setTimeout(() => void inboxChanged(), wait);
    expiryTimer.unref();
  };
  const counts = (): Counts => {
    const c = companion.unreadCounts();
    return { unread: c.total, byChannel: c.byChannel };
  };
  const inboxChanged = () => {
    watchExpiry();
    changed('inbox', 'counts');
    return counts();
  };

  const offerOf = (status: Extract<UpdateStatus, { state: 'available' }>): Offer => {
    const r = status.offer.release;
    const item = everyItem({ channel: r.channel, kind: 'release' }).find((i) => i.version === r.version);
    return {
      version: r.version, title: item?.title ?? r.version, notes: item ? bodyOf(item) : '', channel: r.channel === 'experimental' ? 'experimental' : 'stable',
      critical: status.offer.critical, size: status.offer.asset.size, platform: status.offer.asset.platform,
      published: item?.created ?? 0, itemKey: item ? String(item.key) : '',
    };
  };
  const view = (): UpdateView => {
    const status = companion.updateStatus();
    const base = { installed: info.version, channel: companion.channel() };
    if (status.state === 'available') {
      const offer = offerOf(status);
      if (dl && dl.version === offer.version) {
        if (dl.state === 'progress') return { ...base, state: 'downloading', offer, received: dl.received, total: dl.total };
        if (dl.state === 'done') return { ...base, state: 'verified', offer, fileName: basename(dl.path) };
        if (dl.state === 'failed' && verifyKinds.has(dl.kind)) return { ...base, state: 'verify-failed', offer, message: dl.message };
      }
      return { ...base, state: 'available', offer, remindAt };
    }
    if (status.state === 'up-to-date') return { ...base, state: 'up-to-date', checkedAt: status.checkedAt };
    if (status.state === 'ahead-of-channel') return { ...base, state: 'up-to-date', checkedAt: null, note: status.message };
    if (status.state === 'cant-confirm') return { ...base, state: 'cant-confirm', since: status.since, reason: '' };
    return { ...base, state: 'cant-confirm', since: null, reason: '' };
  };
  const updateState = (): UpdateState => {
    const status = companion.updateStatus();
    const target = status.state === 'ahead-of-channel' ? companion.downgradeTarget() : null;
    return {
      view: view(), skipped: [...skipped], remindAt,
      pendingStable: status.state === 'ahead-of-channel' ? { message: status.message, stableVersion: target?.version ?? null } : null,
    };
  };
  const sourceStatus = (s: CoreSource): SourceStatus => {
    const cfg = settings.sources.find((x) => x.id === s.id);
    return {
      id: s.id, name: cfg?.name ?? s.id, lastCheck: s.lastCheck, lastSuccess: s.lastSuccess, nextCheck: secOf(s.nextAt),
      lastError: s.lastError ? { message: plainError(s.lastError, cfg?.url ?? '', s.notBefore), detail: s.lastError, at: s.lastCheck ?? nowSec() } : null,
      needsAttention: s.needsAttention,
    };
  };
  const startDownload = (run: () => Promise<DownloadEvent>) => {
    void run().then((r) => {
      if (r.state === 'failed' && !verifyKinds.has(r.kind)) emit('notice', { level: 'warning', message: 'The download didn’t finish. Nothing was installed; try again later.' });
    });
  };

  const unsubs = [
    companion.on('messages', ({ toasts }) => {
      inboxChanged();
      const items = toasts.filter((i) => i.kind !== 'retraction').map((i): ToastItem => {
        const { body: _b, read: _r, created: _c, trusted: _t, sourceId, messageId: _m, link: _l, ...rest } = toItem(i);
        return { ...rest, sourceName: settings.sources.find((x) => x.id === sourceId)?.name ?? sourceId };
      });
      if (items.length > 0) toastListeners.forEach((l) => l(items));
    }),
    companion.on('unread', () => inboxChanged()),
    companion.on('offer', () => changed('update')),
    companion.on('check', () => changed('status')),
    companion.on('notice', ({ message }) => emit('notice', { level: 'warning', message })),
    companion.on('live', (m) => emit('notice', { level: 'info', message: m.title })),
    companion.on('download', (e) => {
      dl = e;
      if (e.state === 'progress') emit('downloadProgress', { version: e.version, received: e.received, total: e.total });
      else changed('update');
    }),
  ];

  const handlers: InvokeHandlers = {
    getAppInfo: async () => info,
    listInbox: async ({ channel, kind, offset, limit }) => {
      const q = { ...(channel ? { channel } : {}), ...(kind ? { kind } : {}) };
      const items = companion.listMessages({ ...q, offset, limit });
      return { items: items.map((i) => { const { body: _b, ...row } = toItem(i); return row; }), total: companion.countMessages(q) };
    },
    getItem: async ({ key }) => {
      const item = /^\d+$/.test(key) ? companion.message(Number(key)) : null;
      return item && item.kind !== 'retraction' ? toItem(item) : null;
    },
    setRead: async ({ keys, read }) => {
      companion.markRead(keys.filter((k) => /^\d+$/.test(k)).map(Number), read);
      return inboxChanged();
    },
    markAllRead: async ({ channel }) => {
      companion.markRead(channel ? everyItem({ channel }).filter((i) => !i.read).map((i) => i.key) : 'all');
      return inboxChanged();
    },
    dismiss: async ({ keys }) => {
      keys.filter((k) => /^\d+$/.test(k)).forEach((k) => companion.dismiss(Number(k)));
      return inboxChanged();
    },
    getCounts: async () => counts(),
    getUpdate: async () => updateState(),
    checkNow: async () => {
      const results = companion.checkNow();
      const refused = results.find((r) => !r.accepted);
      if (results.length > 0 && results.every((r) => !r.accepted) && refused && !refused.accepted) {
        const when = refused.retryAt ? ` until ${new Date(refused.retryAt).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' })}` : '';
        const message = refused.reason === 'running' ? 'Tidings is already checking.' : `The update server asked Tidings to wait${when}.`;
        return refuse('', message);
      }
      changed('status');
      return { ok: true, message: 'Checking for updates…' };
    },
    download: async ({ version }) => {
      const status = companion.updateStatus();
      if (status.state !== 'available' || status.offer.release.version !== version) return refuse('version', `${version} is not the offered update.`);
      dl = { state: 'progress', version, received: 0, total: status.offer.asset.size };
      expectedSha = status.offer.asset.sha256;
      changed('update');
      startDownload(() => companion.download());
      return ok;
    },
    cancelDownload: async () => { companion.cancelDownload(); return ok; },
    openInstaller: async () => refuse('', 'Opening the installer needs the desktop app.'),
    showInFolder: async () => refuse('', 'Showing the file needs the desktop app.'),
    skipVersion: async ({ version }) => {
      companion.skipVersion(version);
      skipped.add(version);
      changed('update');
      return ok;
    },
    unskipVersion: async ({ version }) => refuse('version', `Tidings can’t undo skipping ${version} yet.`),
    remindLater: async ({ preset }) => {
      const ms = { tomorrow: 86_400_000, '3days': 3 * 86_400_000, week: 7 * 86_400_000 }[preset];
      companion.remindLater(ms);
      remindAt = Math.floor((Date.now() + ms) / 1000);
      changed('update');
      return { ok: true, until: remindAt };
    },
    clearRemind: async () => refuse('', 'Tidings can’t cancel a reminder yet.'),
    setChannel: async ({ channel, installStable }) => {
      const before = companion.channel();
      companion.setChannel(channel);
      if (channel === 'stable' && before === 'experimental' && companion.updateStatus().state === 'ahead-of-channel') {
        const target = companion.downgradeTarget();
        if (installStable === undefined) {
          companion.setChannel(before); // ask first: nothing changes until the user confirms
          return { ok: true, needsConfirm: { installed: info.version, stable: target?.version ?? null } };
        }
        const asset = target?.assets.find((a) => a.platform === info.platform);
        if (installStable && target && asset) {
          expectedSha = asset.sha256;
          startDownload(() => companion.confirmDowngrade(target.version));
        }
      }
      settings = { ...settings, channel };
      changed('settings', 'update');
      return ok;
    },
    getSettings: async () => ({ ...settings, channel: companion.channel() }),
    updateSettings: async (patch) => {
      settings = { ...settings, ...patch } as Settings;
      if (patch.autoCheck !== undefined || patch.intervalHours !== undefined) companion.setInterval(settings.autoCheck ? settings.intervalHours * 3_600_000 : null);
      changed('settings');
      return { ...settings, channel: companion.channel() };
    },
    saveSource: async () => refuse('form', 'Sources can’t be changed here yet.'),
    removeSource: async () => refuse('form', 'Sources can’t be changed here yet.'),
    testSource: async () => refuse('url', 'Testing a connection isn’t available here yet.'),
    getStatus: async () => {
      const status = companion.updateStatus();
      return {
        sources: companion.sources().map(sourceStatus),
        log: companion.checkLog(20).map((e) => ({ at: e.at, sourceId: e.sourceId, outcome: e.ok ? 'unchanged' as const : 'error' as const, message: e.ok ? 'Checked.' : plainError(e.detail, settings.sources.find((s) => s.id === e.sourceId)?.url ?? '', null) })),
        frozenSince: status.state === 'cant-confirm' ? status.since : null,
        online: opts.online?.() ?? true,
      };
    },
    clearHistory: async () => {
      companion.markRead('all');
      everyItem().forEach((i) => companion.dismiss(i.key));
      return inboxChanged();
    },
    openLink: async () => refuse('url', 'Links open from the desktop app.'),
    chooseKey: async () => refuse('key', 'Choosing a key file needs the desktop app.'),
    hashFile: async () => refuse('assets', 'Choosing a local file needs the desktop app; enter an https address instead.'),
    publish: async () => refuse('form', 'Publishing needs a publisher token.'),
    listPublished: async () => refuse('form', 'Publishing needs a publisher token.'),
    retract: async () => refuse('form', 'Publishing needs a publisher token.'),
  };

  watchExpiry();
  return {
    handlers,
    subscribe: (e) => { listeners.add(e); return () => listeners.delete(e); },
    subscribeToasts: (l) => { toastListeners.add(l); return () => toastListeners.delete(l); },
    verifiedDownload: () => (dl?.state === 'done' ? { path: dl.path, version: dl.version, sha256: expectedSha } : null),
    close: () => {
      clearTimeout(expiryTimer);
      unsubs.forEach((u) => u());
    },
  };
}

/** What a shell passes to createBinding (Electron main from its settings, the preview from its demo feed). */
export interface CoreAdapterOptions {
  dataDir: string;
  product: string;
  installedVersion: string;
  platform: string;
  /** Trusted publisher keys (base64 raw Ed25519). */
  trustedKeys: string[];
  sources: { id: string; name: string; kind: 'tidings' | 'cryptolens'; url: string; token: string | null; channels: string[]; publisher: boolean }[];
  /** Development only: loopback http feeds and assets (the embedded demo feed). */
  allowLoopbackHttp: boolean;
}

/** The companion behind the IPC contract, started: what electron/main and the preview host drive. */
export async function createBinding(o: CoreAdapterOptions): Promise<Omit<CompanionHandlers, 'close'> & { close(): Promise<void>; wake(): void; checkAll(): Promise<void> }> {
  const companion = await createCompanion({
    dataDir: o.dataDir, publisherKeys: o.trustedKeys, installedVersion: o.installedVersion, platform: o.platform, channel: 'stable',
    allowLoopbackHttp: o.allowLoopbackHttp, productName: o.product, intervalMs: 3_600_000,
    sources: o.sources.map((s) => (s.kind === 'tidings'
      ? { kind: 'feed-v1' as const, id: s.id, url: s.url, live: true, ...(s.token ? { token: s.token } : {}) }
      : { kind: 'cryptolens' as const, id: s.id, url: s.url, token: s.token ?? '', updateChannel: 'stable', newsChannel: 'news' })),
  });
  const bound = createHandlers({
    companion,
    info: {
      product: o.product, version: o.installedVersion, installId: '', platform: o.platform, publisher: o.sources.some((s) => s.publisher),
      keys: await Promise.all(o.trustedKeys.map(async (publicKey) => ({ keyId: await keyIdOf(publicKey), publicKey }))),
    },
    settings: {
      channel: companion.channel(), autoCheck: true, intervalHours: 1, notifyUpdates: true, notifyNews: true, quietHours: { enabled: false, start: '22:00', end: '07:00' },
      launchAtLogin: false, retentionDays: null,
      sources: o.sources.map((s) => ({ id: s.id, name: s.name, kind: s.kind, url: s.url, channels: s.channels, hasToken: !!s.token, publisher: s.publisher })),
    },
  });
  companion.start();
  return { ...bound, wake: () => companion.wake(), checkAll: () => companion.checkAll(), close: async () => { bound.close(); await companion.close(); } };
}
