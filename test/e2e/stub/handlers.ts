// A test-only, in-memory stand-in for the companion core behind the IPC contract. It lets the browser tests
// drive every screen and state; it is not the product's behaviour (that lives in electron/core).
import type { EventName, EventPayloads, InvokeArgs, InvokeHandlers } from '../../../shared/ipc/contract.ts';
import type { AppInfo, Counts, DismissedItem, InboxItemDetail, PublishedItem, Settings, SourceView, StatusView, Topic, UpdateState, UpdateView } from '../../../shared/ipc/types.ts';
import type { CompanionBinding, EmitEvent } from '../../../preview/types.ts';
import * as data from './data.ts';

export interface StubState {
  info: AppInfo;
  items: InboxItemDetail[];
  update: UpdateState;
  settings: Settings;
  status: StatusView;
  published: PublishedItem[];
  opened: string[];
  dismissed: DismissedItem[];
  /** Dismissed items, kept so a dismissal can be undone. */
  gone: InboxItemDetail[];
  calls: { channel: string; args: unknown }[];
}

export interface Stub {
  binding: CompanionBinding;
  state: StubState;
  emit: EmitEvent;
  changed: (...topics: Topic[]) => void;
  setView: (view: UpdateView) => void;
}

export function createStub(opts: { extraItems?: number } = {}): Stub {
  const offer = data.offer();
  const state: StubState = {
    info: data.appInfo(),
    items: data.sampleItems(opts.extraItems ?? 0),
    update: { view: { state: 'available', installed: '2.0.3', channel: 'stable', offer, remindAt: null }, skipped: [], remindAt: null, pendingStable: null },
    settings: data.settings(),
    status: data.status(),
    published: data.published(),
    opened: [],
    dismissed: [],
    gone: [],
    calls: [],
  };
  const listeners = new Set<EmitEvent>();
  const emit: EmitEvent = <E extends EventName>(name: E, payload: EventPayloads[E]) => listeners.forEach((l) => l(name, payload));
  const changed = (...topics: Topic[]) => emit('changed', { topics });
  const setView = (view: UpdateView) => { state.update = { ...state.update, view }; changed('update'); };
  const visible = () => state.items.filter((i) => !('dismissed' in i)).sort((a, b) => b.created - a.created);
  const counts = (): Counts => {
    const byChannel: Record<string, number> = {};
    for (const i of visible()) if (!i.read) byChannel[i.channel] = (byChannel[i.channel] ?? 0) + 1;
    return { unread: Object.values(byChannel).reduce((a, b) => a + b, 0), byChannel };
  };
  const inboxChanged = () => { changed('inbox', 'counts'); return counts(); };
  const available = (): UpdateView => ({ state: 'available', installed: '2.0.3', channel: state.settings.channel, offer, remindAt: state.update.remindAt });
  const ok = { ok: true as const };

  const handlers: InvokeHandlers = {
    getAppInfo: async () => state.info,
    listInbox: async ({ channel, kind, offset, limit }) => {
      const all = visible().filter((i) => (!channel || i.channel === channel) && (!kind || i.kind === kind));
      return { items: all.slice(offset, offset + limit).map(({ body: _body, ...rest }) => rest), total: all.length };
    },
    getItem: async ({ key }) => visible().find((i) => i.key === key) ?? null,
    setRead: async ({ keys, read }) => { state.items.forEach((i) => { if (keys.includes(i.key)) i.read = read; }); return inboxChanged(); },
    markAllRead: async ({ channel }) => { state.items.forEach((i) => { if (!channel || i.channel === channel) i.read = true; }); return inboxChanged(); },
    dismiss: async ({ keys }) => {
      for (const i of state.items) {
        if (!keys.includes(i.key)) continue;
        state.dismissed.push({ key: i.key, title: i.title, channel: i.channel, dismissedAt: data.now() });
        state.gone.push(i);
      }
      state.items = state.items.filter((i) => !keys.includes(i.key));
      return inboxChanged();
    },
    restoreItems: async ({ keys }) => {
      const back = state.gone.filter((i) => keys.includes(i.key));
      state.items.push(...back);
      state.dismissed = state.dismissed.filter((d) => !keys.includes(d.key));
      return inboxChanged();
    },
    listDismissed: async () => ({ items: [...state.dismissed].reverse() }),
    getCounts: async () => counts(),
    getUpdate: async () => state.update,
    checkNow: async () => {
      changed('status');
      // A manual check offers a skipped newest version again (as Sparkle does); the skip itself stays listed.
      if (state.update.view.state === 'skipped') { setView(available()); return { ok: true, message: 'Checked just now: 2.1.0 is available.' }; }
      return { ok: true, message: 'Checked just now: nothing new.' };
    },
    download: async ({ version }) => { setView({ state: 'downloading', installed: '2.0.3', channel: state.settings.channel, offer, received: 0, total: offer.size }); void version; return ok; },
    cancelDownload: async () => { setView(available()); return ok; },
    // As the core: only a verified download this install can apply goes to 'installing' (the shell then quits).
    restartToUpdate: async () => {
      const v = state.update.view;
      if (v.state !== 'verified' || v.apply !== 'restart') return { ok: false, error: { field: '', message: 'There is no verified update to install. Download it again.' } };
      setView({ state: 'installing', installed: v.installed, channel: v.channel, offer: v.offer });
      return ok;
    },
    openInstaller: async () => ok,
    showInFolder: async () => ok,
    skipVersion: async ({ version }) => {
      state.update = { ...state.update, skipped: [...state.update.skipped, version] };
      setView({ state: 'skipped', installed: '2.0.3', channel: state.settings.channel, version, checkedAt: data.now() - 60 });
      return ok;
    },
    unskipVersion: async ({ version }) => { state.update = { ...state.update, skipped: state.update.skipped.filter((v) => v !== version) }; setView(available()); return ok; },
    remindLater: async ({ preset }) => {
      const until = data.now() + { tomorrow: 86400, '3days': 3 * 86400, week: 7 * 86400 }[preset];
      state.update = { ...state.update, remindAt: until };
      setView(available());
      return { ok: true, until };
    },
    clearRemind: async () => {
      if (state.update.remindAt === null) return { ok: false, error: { field: '', message: 'There is no reminder to cancel.' } };
      state.update = { ...state.update, remindAt: null };
      setView(available());
      return ok;
    },
    setChannel: async ({ channel, installStable }) => {
      if (channel === 'stable' && state.settings.channel === 'experimental' && state.info.version.includes('-') && installStable === undefined) {
        return { ok: true, needsConfirm: { installed: state.info.version, stable: '2.1.0' } };
      }
      state.settings = { ...state.settings, channel };
      changed('settings', 'update');
      return ok;
    },
    getSettings: async () => state.settings,
    updateSettings: async (patch) => { state.settings = { ...state.settings, ...patch } as Settings; changed('settings'); return state.settings; },
    saveSource: async (input: InvokeArgs<'saveSource'>) => {
      if (!input.url.startsWith('https://')) return { ok: false, error: { field: 'url', message: 'The address must start with https://.' } };
      const before = state.settings.sources.find((s) => s.id === input.id);
      const hasToken = input.token === undefined ? !!before?.hasToken : !!input.token;
      if (input.kind === 'cryptolens' && !hasToken) return { ok: false, error: { field: 'token', message: 'A Cryptolens account needs its access token.' } };
      const id = input.id ?? `src${state.settings.sources.length + 1}`;
      const view: SourceView = { id, name: input.name, kind: input.kind, url: input.url, channels: input.channels, hasToken, publisher: before?.publisher ?? false };
      if (input.updateChannel) view.updateChannel = input.updateChannel;
      if (input.newsChannel) view.newsChannel = input.newsChannel;
      state.settings = { ...state.settings, sources: [...state.settings.sources.filter((s) => s.id !== id), view] };
      changed('settings', 'status');
      return { ok: true, id };
    },
    removeSource: async ({ id }) => { state.settings = { ...state.settings, sources: state.settings.sources.filter((s) => s.id !== id) }; changed('settings', 'status'); return ok; },
    testSource: async ({ url }) => {
      if (!url.startsWith('https://')) return { ok: false, error: { field: 'url', message: 'The address must start with https://.' } };
      return url.includes('unreachable')
        ? { ok: false, error: { field: 'url', message: `Couldn’t find the update server (${new URL(url).host}).` } }
        : { ok: true, summary: 'Reached feed: 2 channels, latest stable 2.1.0' };
    },
    getStatus: async () => state.status,
    clearHistory: async () => { state.items = []; return inboxChanged(); },
    openLink: async ({ url }) => { state.opened.push(url); return { ok: true, opened: true }; },
    chooseKey: async () => ({ ok: true, key: { keyId: '9f3c2a1b7d4e6f80', fileName: 'publisher.key' } }),
    hashFile: async () => {
      emit('hashProgress', { fileName: 'Tidings-2.2.0.AppImage', done: 50, total: 100 });
      return { ok: true, file: { fileName: 'Tidings-2.2.0.AppImage', sha256: 'a3f1c9e2'.repeat(8), size: 98_000_000, handle: 'h1' } };
    },
    publish: async (input) => {
      // As the core (shared/publish/form.ts): every download needs the https address clients fetch it from,
      // a hashed local file too.
      const missing = input.kind === 'release' ? input.assets.findIndex((a) => !a.url) : -1;
      if (missing >= 0) return { ok: false, error: { field: `assets.${missing}.url`, message: 'Enter the https address clients will download Tidings-2.2.0.AppImage from.' } };
      // …and, like the packaged app (no loopback feeds), only https.
      const insecure = input.kind === 'release' ? input.assets.findIndex((a) => !a.url?.startsWith('https://')) : -1;
      if (insecure >= 0) return { ok: false, error: { field: `assets.${insecure}.url`, message: 'Enter an https:// address.' } };
      if (input.kind === 'release' && state.published.some((p) => p.version === input.version && p.channel === input.channel)) {
        return { ok: false, error: { field: 'version', message: `Version ${input.version} was already published on this channel.` } };
      }
      const item: PublishedItem = { id: `p${state.published.length + 1}`, seq: 100 + state.published.length, channel: input.channel, kind: input.kind, title: input.title || (input.kind === 'release' ? input.version : ''), created: data.now(), retracted: false };
      if (input.kind === 'release') item.version = input.version;
      state.published = [item, ...state.published];
      changed('publisher');
      return { ok: true, item };
    },
    listPublished: async () => ({ ok: true, items: state.published }),
    retract: async ({ id }) => { state.published = state.published.map((p) => (p.id === id ? { ...p, retracted: true } : p)); changed('publisher'); return ok; },
  };

  // Record every call the page makes (tests assert on what reached the companion).
  for (const name of Object.keys(handlers) as (keyof InvokeHandlers)[]) {
    const inner = handlers[name] as (a: unknown) => Promise<unknown>;
    (handlers as Record<string, unknown>)[name] = (args: unknown) => { state.calls.push({ channel: name, args }); return inner(args); };
  }
  return {
    binding: { handlers, subscribe: (e) => { listeners.add(e); return () => listeners.delete(e); } },
    state, emit, changed, setView,
  };
}
