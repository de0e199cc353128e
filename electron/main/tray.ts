// The tray: icon and tooltip per core state, and the menu issue 5 lists. `trayView` is pure (state in,
// icon/tooltip/menu out) so every state is tested without a tray; `createTray` only applies it.
import { UPDATE_CHANNELS } from '../../shared/channels.ts';
import type { ElectronApi, MenuItemConstructorOptions, TrayLike } from './electron-api.ts';
import type { TrayCoreState } from './bridge.ts';
import type { Channel } from '../../shared/ipc/types.ts';
import type { NavigateTarget } from './window.ts';
import { drawIcon, type IconState } from './png.ts';
import { en } from './strings.ts';

export interface TrayActions {
  open(target?: NavigateTarget): void;
  checkNow(): void;
  setChannel(channel: Channel): void;
  pause(until: number | null): void;
  quit(): void;
}

export interface TrayContext {
  channel: Channel;
  pausedUntil: number | null;
  now: number;
}

export interface TrayView {
  icon: IconState;
  tooltip: string;
  menu: MenuItemConstructorOptions[];
}

const w = en.tray;

/** "Until tomorrow" = 08:00 local next day: pausing late in the evening should not end at 00:00. */
export function tomorrowMorning(now: number): number {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(8, 0, 0, 0);
  return d.getTime();
}

export function trayIconState(s: TrayCoreState): IconState {
  if (s.update.state === 'available') return 'update';
  if (s.attention !== null || s.update.state === 'cant-confirm' || s.update.state === 'verify-failed' || s.update.state === 'install-failed') return 'attention';
  if (s.unread > 0) return 'unread';
  return 'normal';
}

function statusLine(s: TrayCoreState): string {
  const v = s.update;
  switch (v.state) {
    case 'available': return w.available(v.offer.version);
    case 'downloading': return w.downloading(v.offer.version);
    case 'verified': return w.ready(v.offer.version);
    case 'verify-failed': return w.verifyFailed(v.offer.version);
    case 'installing': return w.installing(v.offer.version);
    case 'install-failed': return w.installFailed(v.offer.version);
    case 'cant-confirm': return w.cantConfirm;
    case 'up-to-date':
    case 'skipped': return w.upToDate;
  }
}

export function trayView(s: TrayCoreState, ctx: TrayContext, act: TrayActions): TrayView {
  const parts = [statusLine(s)];
  if (s.unread > 0) parts.push(w.unreadShort(s.unread));
  if (s.attention && s.update.state !== 'cant-confirm') parts.push(s.attention);
  // Windows cuts tooltips at 127 characters; cut ourselves so the cut is visible.
  const full = w.tooltip(parts);
  const tooltip = full.length > 127 ? `${full.slice(0, 126)}…` : full;

  const v = s.update;
  const offer: MenuItemConstructorOptions = 'offer' in v
    ? { label: w.install(v.offer.version, v.state !== 'verified' && v.offer.critical === true), click: () => act.open({ screen: 'updates', itemKey: v.offer.itemKey }) }
    : { label: v.state === 'cant-confirm' ? w.cantConfirmMenu : w.currentMenu(v.installed), enabled: v.state === 'cant-confirm', click: () => act.open({ screen: 'status' }) };

  const channelItem = (c: Channel, label: string): MenuItemConstructorOptions => ({
    label, type: 'radio', checked: ctx.channel === c, click: () => { if (ctx.channel !== c) act.setChannel(c); },
  });
  const paused = ctx.pausedUntil !== null && ctx.pausedUntil > ctx.now;
  const menu: MenuItemConstructorOptions[] = [
    offer,
    { label: w.unreadMenu(s.unread), enabled: s.unread > 0, click: () => act.open({ screen: 'inbox' }) },
    { type: 'separator' },
    { label: w.checkNow, click: () => act.checkNow() },
    { label: w.channel, submenu: UPDATE_CHANNELS.map((c) => channelItem(c, w[c])) },
    { type: 'separator' },
    { label: w.open, click: () => act.open() },
    ...(paused
      ? [{ label: w.pausedUntil(ctx.pausedUntil!), enabled: false }, { label: w.resume, click: () => act.pause(null) }]
      : [
          { label: w.pauseHour, click: () => act.pause(ctx.now + 3600_000) },
          { label: w.pauseTomorrow, click: () => act.pause(tomorrowMorning(ctx.now)) },
        ]),
    { type: 'separator' },
    { label: w.quit, click: () => act.quit() },
  ];
  return { icon: trayIconState(s), tooltip, menu };
}

export type TrayController = ReturnType<typeof createTray>;

export function createTray(api: Pick<ElectronApi, 'Tray' | 'Menu' | 'nativeImage'>, deps: {
  state: () => TrayCoreState | Promise<TrayCoreState>;
  context: () => TrayContext;
  actions: TrayActions;
  log: (msg: string) => void;
}) {
  // 32 px renders crisply at 16 pt on HiDPI and is scaled down elsewhere.
  const images = new Map<IconState, ReturnType<ElectronApi['nativeImage']['createFromBuffer']>>();
  const image = (s: IconState) => {
    if (!images.has(s)) images.set(s, api.nativeImage.createFromBuffer(drawIcon(32, s)));
    return images.get(s)!;
  };
  const tray: TrayLike = new api.Tray(image('normal'));
  tray.on('click', () => deps.actions.open());
  let last: TrayView | null = null;

  async function refresh(): Promise<TrayView | null> {
    try {
      const view = trayView(await deps.state(), deps.context(), deps.actions);
      tray.setImage(image(view.icon));
      tray.setToolTip(view.tooltip);
      tray.setContextMenu(api.Menu.buildFromTemplate(view.menu));
      last = view;
      return view;
    } catch (e) {
      deps.log(`tray refresh failed: ${String(e)}`);
      return null;
    }
  }
  return { refresh, last: () => last, destroy: () => tray.destroy() };
}
