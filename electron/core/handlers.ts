// The companion behind the IPC contract: the one binding both shells drive (Electron's main through
// core-bridge.ts, the browser preview through its host). Each screen's handlers live in ./ipc/; this file
// composes them, translates the companion's events once, and starts the companion.
import { createCompanion } from './index.ts';
import { keyIdOf } from '../../shared/protocol/signing.ts';
import type { Clock, Companion, InstallSetup, SourceConfig, TokenSeal } from './api.ts';
import type { InvokeHandlers } from '../../shared/ipc/contract.ts';
import type { AppInfo, Topic } from '../../shared/ipc/types.ts';
import type { Ctx, Emit } from './ipc/context.ts';
import { refuse } from './ipc/context.ts';
import { systemClock } from './types.ts';
import { inboxHandlers, toItem } from './ipc/inbox.ts';
import { offerFor, updateHandlers } from './ipc/updates.ts';
import { applyPreferences, preferences, settingsHandlers } from './ipc/settings.ts';
import { statusHandlers } from './ipc/status.ts';
import { words } from './ipc/words.ts';

export type { Emit };

/** An item whose OS notification is due (the store sets its notified flag in the same transaction). */
export interface ToastItem {
  key: string;
  kind: 'release' | 'news' | 'note';
  title: string;
  /** Plain text; the shell never renders it as markup. */
  excerpt: string;
  channel: string;
  version?: string;
  critical?: boolean;
  /** Who said it, for "3 new posts from {source}". */
  sourceName?: string;
}

/** The publisher page's handlers (electron/core/publisher.ts), given by a shell that has a publish token. */
export type PublisherHandlers = Pick<InvokeHandlers, 'chooseKey' | 'hashFile' | 'publish' | 'listPublished' | 'retract'>;

export interface HandlerOptions {
  companion: Companion;
  info: AppInfo;
  loopback?: boolean;
  publisher?: PublisherHandlers | null;
  /** The expiry timer runs on it (the companion's clock, so tests drive it). */
  clock?: Clock;
}

export interface CompanionHandlers {
  handlers: InvokeHandlers;
  subscribe(emit: Emit): () => void;
  subscribeToasts(listener: (items: ToastItem[]) => void): () => void;
  /** The downloaded file whose size and sha256 matched the signed record, if any. */
  verifiedDownload(): { path: string; version: string; sha256: string } | null;
  close(): void;
}

const noPublisher = (): PublisherHandlers => {
  const no = async () => refuse('form', words.noPublisher);
  return { chooseKey: no, hashFile: no, publish: no, listPublished: no, retract: no };
};

export function createHandlers(opts: HandlerOptions): CompanionHandlers {
  const { companion } = opts;
  const listeners = new Set<Emit>();
  const toastListeners = new Set<(items: ToastItem[]) => void>();
  const emit: Emit = (name, payload) => listeners.forEach((l) => l(name, payload));
  const ctx: Ctx = {
    companion, info: opts.info, loopback: opts.loopback ?? false, emit,
    changed: (...topics: Topic[]) => emit('changed', { topics }),
    download: { event: null, sha256: '' },
  };
  const toast = (items: ToastItem[]) => { if (items.length > 0) toastListeners.forEach((l) => l(items)); };
  const sourceName = (id: string) => companion.sourceConfigs().find((s) => s.id === id)?.name ?? id;

  // An expiry changes what the inbox shows without any store write: tell open windows when the soonest passes.
  const clock = opts.clock ?? systemClock;
  let expiryTimer: unknown;
  const watchExpiry = () => {
    clock.clearTimeout(expiryTimer);
    const at = companion.nextExpiry();
    if (at === null) return;
    // setTimeout holds at most ~24.8 days; a later expiry re-arms at the next change.
    expiryTimer = clock.setTimeout(() => { watchExpiry(); ctx.changed('inbox', 'counts'); }, Math.min(Math.max(0, at * 1000 - clock.now()) + 50, 2 ** 31 - 1));
  };

  // Each companion event becomes exactly one UI event.
  const unsubs = [
    companion.on('messages', ({ toasts }) => toast(toasts.filter((i) => i.kind !== 'retraction').map((i): ToastItem => {
      const { key, kind, title, excerpt, channel, version, critical } = toItem(i);
      return { key, kind, title, excerpt, channel, ...(version ? { version } : {}), ...(critical ? { critical } : {}), sourceName: sourceName(i.sourceId) };
    }))),
    companion.on('unread', () => { watchExpiry(); ctx.changed('inbox', 'counts'); }),
    companion.on('offer', ({ status, notifyKey }) => {
      ctx.changed('update');
      if (status.state !== 'available' || !notifyKey) return;
      const offer = offerFor(ctx, status.offer.release, status.offer.critical);
      // The first notice of a version is keyed by its inbox item (as the shell's own release toast); a reminder that came due has its own key.
      const key = notifyKey === offer.version ? offer.itemKey : `${offer.itemKey}:${notifyKey}`;
      toast([{ key, kind: 'release', title: offer.title, excerpt: '', channel: offer.channel, version: offer.version, ...(offer.critical ? { critical: true } : {}) }]);
    }),
    companion.on('check', () => ctx.changed('status')),
    companion.on('network', () => ctx.changed('status')),
    companion.on('notice', ({ message }) => emit('notice', { level: 'warning', message })),
    companion.on('live', (m) => emit('notice', { level: 'info', message: m.title })),
    companion.on('install', () => ctx.changed('update')),
    companion.on('download', (e) => {
      ctx.download = { ...ctx.download, event: e };
      if (e.state === 'progress') emit('downloadProgress', { version: e.version, received: e.received, total: e.total });
      else ctx.changed('update');
    }),
  ];

  const handlers: InvokeHandlers = {
    getAppInfo: async () => opts.info,
    ...inboxHandlers(ctx),
    ...updateHandlers(ctx),
    ...settingsHandlers(ctx),
    ...statusHandlers(ctx),
    ...(opts.publisher ?? noPublisher()),
    // A shell's own powers: Electron's main replaces these; the browser preview answers in its own words.
    openInstaller: async () => refuse('', words.installerNeedsDesktop),
    showInFolder: async () => refuse('', words.folderNeedsDesktop),
    openLink: async () => refuse('url', words.linksNeedDesktop),
  };

  watchExpiry();
  return {
    handlers,
    subscribe: (e) => { listeners.add(e); return () => listeners.delete(e); },
    subscribeToasts: (l) => { toastListeners.add(l); return () => toastListeners.delete(l); },
    // The companion's record, whoever started the download (the window, or tidings/updater's downloadUpdate, which
    // never passes through the handlers and so left no SHA-256 here: Open Installer then refused its file).
    verifiedDownload: () => companion.verifiedDownload(),
    close: () => {
      clock.clearTimeout(expiryTimer);
      unsubs.forEach((u) => u());
    },
  };
}

/** What a shell passes to createBinding (Electron main from its configuration, the preview from its demo feed). */
export interface BindingOptions {
  dataDir: string;
  product: string;
  installedVersion: string;
  /** Publish time (unix s) of the installed release, when the shell knows it. */
  installedReleaseTime?: number;
  platform: string;
  /** Trusted publisher keys (base64 raw Ed25519). */
  trustedKeys: string[];
  /** The app's built-in sources (defaults; the user's own changes are kept in the store). */
  sources: SourceConfig[];
  /** Development only: loopback http feeds and assets (the embedded demo feed). */
  allowLoopbackHttp: boolean;
  tokenSeal?: TokenSeal;
  /** The publisher page's handlers, when the shell can publish. */
  publisher?: PublisherHandlers | null;
  /** How this install applies updates (electron/core/apply); absent: the user opens the installer. */
  install?: InstallSetup;
  clock?: Clock;
}

/** The companion behind the IPC contract, started: what electron/main and the preview host drive. */
export interface CoreBinding extends Omit<CompanionHandlers, 'close'> {
  companion: Companion;
  close(): Promise<void>;
  /** Power resume: a jittered re-check. */
  wake(): void;
  /** The shell's network signal (Electron's net.isOnline, the preview's host): back online re-checks. */
  setOnline(online: boolean): void;
  /** Runs one check of every source and waits for it. */
  checkAll(): Promise<void>;
}

export async function createBinding(o: BindingOptions): Promise<CoreBinding> {
  const companion = await createCompanion({
    dataDir: o.dataDir, publisherKeys: o.trustedKeys, installedVersion: o.installedVersion, platform: o.platform, channel: 'stable',
    allowLoopbackHttp: o.allowLoopbackHttp, productName: o.product, sources: o.sources,
    ...(o.installedReleaseTime !== undefined ? { installedReleaseTime: o.installedReleaseTime } : {}),
    ...(o.tokenSeal ? { tokenSeal: o.tokenSeal } : {}), ...(o.clock ? { clock: o.clock } : {}), ...(o.install ? { install: o.install } : {}),
  });
  const info: AppInfo = {
    product: o.product, version: o.installedVersion, installId: companion.installId(), platform: o.platform,
    publisher: !!o.publisher,
    keys: await Promise.all(o.trustedKeys.map(async (publicKey) => ({ keyId: await keyIdOf(publicKey), publicKey }))),
  };
  const bound = createHandlers({ companion, info, loopback: o.allowLoopbackHttp, publisher: o.publisher ?? null, ...(o.clock ? { clock: o.clock } : {}) });
  applyPreferences(companion, preferences(companion));
  companion.start();
  return {
    ...bound, companion,
    wake: () => companion.wake(),
    setOnline: (online) => companion.setOnline(online),
    checkAll: () => companion.checkAll(),
    close: async () => { bound.close(); await companion.close(); },
  };
}
