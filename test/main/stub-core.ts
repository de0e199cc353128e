// A typed stand-in for the companion core behind the CoreBridge seam: canned answers for every invoke
// channel, a record of calls, settable tray state, and a way to push core events at the shell.
import type { CoreBridge, CoreEvent, ToastItem, TrayCoreState, VerifiedFile } from '../../electron/main/bridge.ts';
import type { InvokeHandlers, InvokeChannel } from '../../shared/ipc/contract.ts';
import type { Offer, Settings, UpdateView } from '../../shared/ipc/types.ts';

export const offer = (version: string, extra: Partial<Offer> = {}): Offer => ({
  version, title: `Tidings ${version}`, notes: '', channel: 'stable', critical: false, size: 1000, platform: 'linux-x64', published: 1, itemKey: `r-${version}`, ...extra,
});

export const views = {
  upToDate: { state: 'up-to-date', installed: '2.0.0', channel: 'stable', checkedAt: 1 } as UpdateView,
  available: { state: 'available', installed: '2.0.0', channel: 'stable', offer: offer('2.1.0'), remindAt: null } as UpdateView,
  critical: { state: 'available', installed: '2.0.0', channel: 'stable', offer: offer('2.1.1', { critical: true }), remindAt: null } as UpdateView,
  cantConfirm: { state: 'cant-confirm', installed: '2.0.0', channel: 'stable', since: 1, reason: 'expired' } as UpdateView,
};

const emptySettings: Settings = {
  channel: 'stable', autoCheck: true, intervalHours: 4, notifyUpdates: true, notifyNews: true,
  quietHours: { enabled: false, start: '22:00', end: '08:00' }, launchAtLogin: false, installOnQuit: true, shareDiagnostics: false, retentionDays: 90, sources: [],
};

export function stubCore(initial: Partial<TrayCoreState> = {}) {
  const calls: { name: InvokeChannel; args: unknown }[] = [];
  const listeners = new Set<(e: CoreEvent) => void>();
  const state: { tray: TrayCoreState; needsConfirm: boolean; verified: VerifiedFile | null; closed: boolean; power: string[]; fail: InvokeChannel | null; lifecycle: string[] } = {
    tray: { update: views.upToDate, unread: 0, attention: null, ...initial }, needsConfirm: false, verified: null, closed: false, power: [], fail: null, lifecycle: [],
  };
  const rec = <K extends InvokeChannel>(name: K, args: unknown) => {
    calls.push({ name, args });
    if (state.fail === name) throw new Error(`boom in ${name}\n    at secretFunction (/home/dev/tidings/core.ts:1:1)`);
  };
  const ok = { ok: true } as const;
  const counts = { unread: 0, byChannel: {} };
  const handlers: InvokeHandlers = {
    getAppInfo: async (a) => { rec('getAppInfo', a); return { product: 'Tidings', version: '2.0.0', installId: 'i', platform: 'linux-x64', keys: [], publisher: false }; },
    listInbox: async (a) => { rec('listInbox', a); return { items: [], total: 0 }; },
    getItem: async (a) => { rec('getItem', a); return null; },
    setRead: async (a) => { rec('setRead', a); return counts; },
    markAllRead: async (a) => { rec('markAllRead', a); return counts; },
    dismiss: async (a) => { rec('dismiss', a); return counts; },
    restoreItems: async (a) => { rec('restoreItems', a); return counts; },
    listDismissed: async (a) => { rec('listDismissed', a); return { items: [] }; },
    getCounts: async (a) => { rec('getCounts', a); return counts; },
    getUpdate: async (a) => { rec('getUpdate', a); return { view: state.tray.update, skipped: [], remindAt: null, pendingStable: null }; },
    checkNow: async (a) => { rec('checkNow', a); return { ok: true, message: 'Checking…' }; },
    download: async (a) => { rec('download', a); return ok; },
    cancelDownload: async (a) => { rec('cancelDownload', a); return ok; },
    restartToUpdate: async (a) => { rec('restartToUpdate', a); return ok; },
    openInstaller: async (a) => { rec('openInstaller', a); return ok; },
    showInFolder: async (a) => { rec('showInFolder', a); return ok; },
    skipVersion: async (a) => { rec('skipVersion', a); return ok; },
    unskipVersion: async (a) => { rec('unskipVersion', a); return ok; },
    remindLater: async (a) => { rec('remindLater', a); return { ok: true, until: 0 }; },
    clearRemind: async (a) => { rec('clearRemind', a); return ok; },
    setChannel: async (a) => {
      rec('setChannel', a);
      return state.needsConfirm && a.channel === 'stable' && !a.installStable ? { ok: true, needsConfirm: { installed: '3.0.0-beta.1', stable: '2.1.0' } } : ok;
    },
    getSettings: async (a) => { rec('getSettings', a); return emptySettings; },
    updateSettings: async (a) => { rec('updateSettings', a); return emptySettings; },
    saveSource: async (a) => { rec('saveSource', a); return { ok: true, id: a.id ?? 'src-1' }; },
    removeSource: async (a) => { rec('removeSource', a); return ok; },
    testSource: async (a) => { rec('testSource', a); return { ok: true, summary: 'Reached feed' }; },
    getStatus: async (a) => { rec('getStatus', a); return { sources: [], log: [], frozenSince: null, online: true }; },
    clearHistory: async (a) => { rec('clearHistory', a); return counts; },
    openLink: async (a) => { rec('openLink', a); return { ok: true, opened: false }; },
    chooseKey: async (a) => { rec('chooseKey', a); return { ok: true, key: null }; },
    hashFile: async (a) => { rec('hashFile', a); return { ok: true, file: null }; },
    publish: async (a) => { rec('publish', a); return { ok: false, error: { field: '', message: 'no publisher' } }; },
    listPublished: async (a) => { rec('listPublished', a); return { ok: true, items: [] }; },
    retract: async (a) => { rec('retract', a); return ok; },
  };
  const bridge: CoreBridge = {
    handlers,
    subscribe: (l) => { listeners.add(l); return () => listeners.delete(l); },
    trayState: () => state.tray,
    verifiedDownload: () => state.verified,
    powerEvent: (e) => { state.power.push(e); },
    networkEvent: (online) => { state.power.push(online ? 'online' : 'offline'); },
    close: () => { state.closed = true; state.lifecycle.push('close'); },
    installAtQuit: async (allowed) => { state.lifecycle.push(`installAtQuit ${allowed}`); return allowed && state.verified !== null; },
    reportHealthy: () => { state.lifecycle.push('healthy'); },
  };
  return {
    bridge, calls, state,
    emit: (e: CoreEvent) => { for (const l of listeners) l(e); },
    toasts: (items: ToastItem[]) => { for (const l of listeners) l({ type: 'toasts', items }); },
    called: (name: InvokeChannel) => calls.filter((c) => c.name === name).map((c) => c.args),
  };
}

export const news = (key: string, title = `Post ${key}`, sourceName = 'Acme'): ToastItem => ({ key, kind: 'news', title, excerpt: `Body of ${title}`, channel: 'stable', sourceName });
export const release = (key: string, version: string, critical = false): ToastItem => ({ key, kind: 'release', title: `Release ${version}`, excerpt: '', channel: 'stable', version, critical });
