// Adapts the companion core to the CoreBridge the shell drives. The core exposes the IPC contract as a
// "binding" (handlers + contract events; the same object the browser preview hosts, see preview/types.ts);
// the shell adds what only a desktop shell needs: due toasts, tray state, the verified installer path.
import type { EventPayloads, InvokeHandlers } from '../../shared/ipc/contract.ts';
import type { CoreBridge, CoreEvent, ToastItem, TrayCoreState } from './bridge.ts';
import type { AppConfig } from './config.ts';
import type { ShellSettings } from './settings.ts';
import { createBinding, type BindingOptions, type CoreBinding as RealBinding } from '../core/handlers.ts';
import type { InstallSetup, SourceConfig } from '../core/api.ts';
import type { PublisherShell } from '../core/publisher.ts';
import { desktopPublisher, withPublisherEvents } from './publisher.ts';

/** What main drives: the core's binding, or (in tests) a typed stand-in with the same shape. */
export type CoreBinding = Pick<RealBinding, 'handlers' | 'subscribe' | 'close'> & Partial<Pick<RealBinding, 'subscribeToasts' | 'verifiedDownload' | 'wake' | 'setOnline' | 'companion'>>;

/** A development feed handed over by `npm start` (scripts/start.ts) through TIDINGS_DEV_FEED; never when packaged. */
export interface DevFeed { url: string; publicKey: string; token: string }

/** Sources kept by an older build in the settings file: they become defaults (the core keeps sources from now on). */
export function legacySources(settings: ShellSettings): SourceConfig[] {
  return settings.get('sources').map((s): SourceConfig => {
    const token = settings.sourceToken(s.id) ?? undefined;
    return s.kind === 'cryptolens'
      ? { kind: 'cryptolens', id: s.id, name: s.name, url: s.url, token: token ?? '', updateChannel: 'stable', newsChannel: 'news', publisher: s.publisher ?? false }
      : { kind: 'feed-v1', id: s.id, name: s.name, url: s.url, live: true, publisher: s.publisher ?? false, ...(token ? { token } : {}) };
  });
}

export function adapterOptions(o: { config: AppConfig; settings: ShellSettings; dataDir: string; installedVersion: string; platform: string; devFeed: DevFeed | null }): BindingOptions {
  const legacy = legacySources(o.settings);
  const fallback: SourceConfig = { kind: 'feed-v1', id: 'default', name: o.config.productName, url: o.config.defaultFeedUrl, live: true };
  const dev: SourceConfig | null = o.devFeed ? { kind: 'feed-v1', id: 'demo', name: 'Demo feed', url: o.devFeed.url, token: o.devFeed.token, live: true, publisher: true } : null;
  return {
    dataDir: o.dataDir, product: o.config.product, installedVersion: o.installedVersion, platform: o.platform,
    trustedKeys: [...o.config.publisherKeys.map((k) => k.publicKey), ...(o.devFeed ? [o.devFeed.publicKey] : [])],
    sources: dev ? [dev] : legacy.length > 0 ? legacy : [fallback],
    allowLoopbackHttp: o.devFeed !== null,
    tokenSeal: o.settings.tokenSeal(),
  };
}

/** Tray state from the contract's own queries, so tray and window can never disagree. */
export async function trayStateFrom(h: InvokeHandlers): Promise<TrayCoreState> {
  const [update, counts, status] = await Promise.all([h.getUpdate({}), h.getCounts({}), h.getStatus({})]);
  const failing = status.sources.find((s) => s.needsAttention);
  const attention = failing ? `${failing.name}: ${failing.lastError?.message ?? 'needs attention'}` : null;
  return { update: update.view, unread: counts.unread, attention };
}

/**
 * The core toasts new messages; a new release shows up as a changed update offer instead. Its toast is the
 * offer itself, keyed by its item so the shell's shown-set tells it once, and held back while the user
 * snoozed it ("Remind me later") unless it is critical.
 */
export async function releaseToast(h: InvokeHandlers, nowSec: number): Promise<ToastItem | null> {
  const u = await h.getUpdate({});
  if (u.view.state !== 'available') return null;
  const o = u.view.offer;
  if (!o.critical && u.remindAt !== null && u.remindAt > nowSec) return null;
  return { key: o.itemKey, kind: 'release', title: o.title, excerpt: '', channel: o.channel, version: o.version, critical: o.critical };
}

export function bridgeFromBinding(binding: CoreBinding, log: (msg: string) => void, now: () => number = Date.now): CoreBridge {
  if (!binding.subscribeToasts) log('the core offers no toast events: news notifications are off (the tray and inbox still show everything)');
  return {
    handlers: binding.handlers,
    subscribe(listener) {
      let active = true;
      const offerChanged = () => void releaseToast(binding.handlers, Math.floor(now() / 1000))
        .then((t) => { if (t && active) listener({ type: 'toasts', items: [t] }); })
        .catch((e: unknown) => log(`release toast check failed: ${String(e)}`));
      const offEvents = binding.subscribe((name, payload) => {
        if (name === 'changed' && (payload as EventPayloads['changed']).topics.includes('update')) offerChanged();
        const ev: CoreEvent | null = name === 'changed' ? { type: 'changed', topics: (payload as EventPayloads['changed']).topics }
          : name === 'downloadProgress' ? { type: 'downloadProgress', payload: payload as EventPayloads['downloadProgress'] }
            : name === 'notice' ? { type: 'notice', payload: payload as EventPayloads['notice'] }
              : name === 'hashProgress' ? { type: 'hashProgress', payload: payload as EventPayloads['hashProgress'] }
                : null; // 'navigate' is main's to send, never the core's
        if (ev) listener(ev);
      });
      const offToasts = binding.subscribeToasts?.((items) => listener({ type: 'toasts', items })) ?? (() => {});
      // The core started (and may have found an offer) before anyone listened: look once now. An offer
      // already told in an earlier run is in the shown-set and stays quiet.
      offerChanged();
      return () => { active = false; offEvents(); offToasts(); };
    },
    trayState: () => trayStateFrom(binding.handlers),
    verifiedDownload: () => binding.verifiedDownload?.() ?? null,
    powerEvent: (e) => { if (e === 'resume') binding.wake?.(); },
    networkEvent: (online) => binding.setOnline?.(online),
    close: () => binding.close(),
    installAtQuit: async (allowed) => (binding.companion ? binding.companion.installAtQuit(allowed) : false),
    reportHealthy: () => binding.companion?.reportHealthy(),
  };
}

export interface CoreBridgeOptions {
  config: AppConfig;
  settings: ShellSettings;
  dataDir: string;
  installedVersion: string;
  platform: string;
  devFeed: DevFeed | null;
  log: (msg: string) => void;
  /** The shell's Open dialogs for the publisher page (electron/main/publisher.ts filePickers). */
  pickers?: PublisherShell;
  /** How this install applies updates (electron/main/update-install.ts); absent: the user opens the installer. */
  install?: InstallSetup;
}

/**
 * The shell's settings file is what the user chose; the core keeps its own copy (its channel lives in its
 * database, which may have been reset). Bring the core in line at start. A channel switch that would need
 * the downgrade question is not forced: the shell then shows what the core really follows.
 */
export async function syncSettings(h: InvokeHandlers, s: ShellSettings, coreFresh = true): Promise<void> {
  if (!coreFresh) {
    // The core keeps the settings: main's file is brought in line with it (main reads its copy synchronously).
    const core = await h.getSettings({});
    const { channel, sources: _sources, ...prefs } = core;
    s.patch(prefs);
    s.setChannel(channel);
    return;
  }
  // A core that has never stored settings (a first start, or data from an older build) takes the file's.
  await h.updateSettings({
    autoCheck: s.get('autoCheck'), intervalHours: s.get('intervalHours'), retentionDays: s.get('retentionDays'),
    notifyUpdates: s.get('notifyUpdates'), notifyNews: s.get('notifyNews'), quietHours: s.get('quietHours'), launchAtLogin: s.get('launchAtLogin'),
  });
  const core = await h.getSettings({});
  if (core.channel === s.get('channel')) return;
  const r = await h.setChannel({ channel: s.get('channel') });
  if (!r.ok || r.needsConfirm) s.setChannel(core.channel);
}

/** The real core for the Electron app: the same binding the browser preview hosts. */
export async function createCoreBridge(opts: CoreBridgeOptions): Promise<CoreBridge> {
  const options = { ...adapterOptions(opts), ...(opts.install ? { install: opts.install } : {}) };
  const publisher = opts.pickers ? desktopPublisher(options, opts.pickers) : null;
  const binding = withPublisherEvents(await createBinding({ ...options, publisher: publisher?.handlers ?? null }), publisher);
  await syncSettings(binding.handlers, opts.settings, binding.companion.preferences() === null).catch((e: unknown) => opts.log(`settings not synced to the core: ${String(e)}`));
  return bridgeFromBinding(binding, opts.log);
}
