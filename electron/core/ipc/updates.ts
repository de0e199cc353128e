// Update handlers: the prompt's view (computed from the store on every ask), download and verification,
// skip and remind (both undoable), and the channel switch with its downgrade question.
import { basename } from 'node:path';
import type { DownloadEvent, ReleaseInfo, UpdateStatus } from '../api.ts';
import type { InvokeHandlers } from '../../../shared/ipc/contract.ts';
import type { Offer, UpdateState, UpdateView } from '../../../shared/ipc/types.ts';
import { isUpdateChannel } from '../../../shared/channels.ts';
import { bodyOf, everyItem } from './inbox.ts';
import { ok, refuse, type Ctx } from './context.ts';
import { words } from './words.ts';
import { plainError } from '../plain-errors.ts';
import { preferences } from './settings.ts';

type UpdateHandlers = Pick<InvokeHandlers, 'getUpdate' | 'checkNow' | 'download' | 'cancelDownload' | 'restartToUpdate' | 'skipVersion' | 'unskipVersion' | 'remindLater' | 'clearRemind' | 'setChannel'>;

const verifyKinds = new Set(['hash-mismatch', 'size-mismatch']);
const DAY = 86_400_000;
const presets = { tomorrow: DAY, '3days': 3 * DAY, week: 7 * DAY } as const;

/** The prompt's offer for a release record: title and notes from its inbox item. */
export function offerFor(ctx: Ctx, r: ReleaseInfo, critical: boolean): Offer {
  const item = everyItem(ctx, { channel: r.channel, kind: 'release' }).find((i) => i.version === r.version);
  const asset = ctx.companion.assetOf(r);
  return {
    version: r.version, title: item?.title ?? r.version, notes: item ? bodyOf(item) : '', channel: isUpdateChannel(r.channel) ? r.channel : 'stable',
    critical, size: asset?.size ?? 0, platform: asset?.platform ?? ctx.info.platform, published: item?.created ?? 0, itemKey: item ? String(item.key) : '',
  };
}

/** What a download (then install) of `offer` looks like now, if one is running or finished for it. */
function downloadView(ctx: Ctx, base: { installed: string; channel: UpdateView['channel'] }, offer: Offer, dl: DownloadEvent | null): UpdateView | null {
  const install = ctx.companion.installState();
  if (install?.version === offer.version && install.state === 'installing') return { ...base, state: 'installing', offer };
  if (install?.version === offer.version && install.state === 'failed') return { ...base, state: 'install-failed', offer, message: install.message };
  if (!dl || dl.version !== offer.version) return null;
  if (dl.state === 'progress') return { ...base, state: 'downloading', offer, received: dl.received, total: dl.total };
  if (dl.state === 'done') {
    // Installed and handed over: the shell is quitting into the new version; until then it stays "installing".
    if (install?.version === offer.version && install.state === 'installed') return { ...base, state: 'installing', offer };
    const installOnQuit = ctx.companion.installMode() === 'restart' && ctx.companion.installAtQuitPossible() && preferences(ctx.companion).installOnQuit;
    return { ...base, state: 'verified', offer, fileName: basename(dl.path), apply: ctx.companion.installMode(), installOnQuit };
  }
  if (dl.state === 'failed' && verifyKinds.has(dl.kind)) return { ...base, state: 'verify-failed', offer, message: dl.message };
  return null;
}

export function updateView(ctx: Ctx, status: UpdateStatus = ctx.companion.updateStatus()): UpdateView {
  const { companion } = ctx;
  const base = { installed: ctx.info.version, channel: companion.channel() };
  const checkedAt = () => companion.sources().reduce<number | null>((m, s) => (s.lastSuccess !== null && (m === null || s.lastSuccess > m) ? s.lastSuccess : m), null);
  if (status.state === 'available') {
    const offer = offerFor(ctx, status.offer.release, status.offer.critical);
    return downloadView(ctx, base, offer, ctx.download.event) ?? { ...base, state: 'available', offer, remindAt: companion.remindUntil() };
  }
  if (status.state === 'ahead-of-channel') {
    const target = companion.downgradeTarget();
    // A confirmed downgrade ("Switch and install 2.0.1 now…") is shown through download and verification.
    const shown = target && downloadView(ctx, base, offerFor(ctx, target, false), ctx.download.event);
    return shown ?? { ...base, state: 'up-to-date', checkedAt: checkedAt(), ahead: { stable: target?.version ?? null } };
  }
  if (status.state === 'up-to-date') {
    const skipped = companion.skippedNewest();
    const restored = companion.restoredAfterFailure();
    return skipped ? { ...base, state: 'skipped', version: skipped, checkedAt: status.checkedAt } : { ...base, state: 'up-to-date', checkedAt: status.checkedAt, ...(restored ? { restored } : {}) };
  }
  if (status.state === 'cant-confirm') return { ...base, state: 'cant-confirm', since: status.since, reason: '' };
  return { ...base, state: 'cant-confirm', since: null, reason: '' };
}

export function updateState(ctx: Ctx): UpdateState {
  const status = ctx.companion.updateStatus();
  const target = status.state === 'ahead-of-channel' ? ctx.companion.downgradeTarget() : null;
  return {
    view: updateView(ctx, status), skipped: ctx.companion.skippedVersions(), remindAt: ctx.companion.remindUntil(),
    pendingStable: status.state === 'ahead-of-channel' ? { message: '', stableVersion: target?.version ?? null } : null,
  };
}

export function updateHandlers(ctx: Ctx): UpdateHandlers {
  const { companion, info } = ctx;
  const start = (version: string, sha256: string, total: number, run: () => Promise<DownloadEvent>) => {
    ctx.download = { event: { state: 'progress', version, received: 0, total }, sha256 };
    ctx.changed('update');
    void run().then((r) => {
      if (r.state === 'failed' && !verifyKinds.has(r.kind)) ctx.emit('notice', { level: 'warning', message: words.downloadUnfinished });
    });
  };
  return {
    getUpdate: async () => updateState(ctx),
    checkNow: async () => {
      const results = companion.checkNow();
      const refused = results.find((r) => !r.accepted);
      if (results.length > 0 && results.every((r) => !r.accepted) && refused && !refused.accepted) {
        const until = refused.retryAt ? new Date(refused.retryAt).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' }) : null;
        return refuse('', refused.reason === 'running' ? words.alreadyChecking : words.serverAskedToWait(until));
      }
      if (results.length === 0) return refuse('', words.noSourceToCheck);
      ctx.changed('status');
      // Answer when the check is done, with what it found (the window shows "Checking…" meanwhile): the log
      // entries written since this call are this check's.
      const last = JSON.stringify(companion.checkLog(1)[0] ?? null);
      await companion.settled();
      const log = companion.checkLog(50);
      const mark = log.findIndex((e) => JSON.stringify(e) === last);
      const fresh = mark === -1 ? log : log.slice(0, mark);
      const failed = fresh.find((e) => !e.ok && !e.detail.startsWith('dropped'));
      if (failed) {
        const source = companion.sources().find((s) => s.id === failed.sourceId);
        const url = companion.sourceConfigs().find((c) => c.id === failed.sourceId)?.url ?? '';
        return { ok: true, message: plainError(failed.detail, url, source?.notBefore ?? null) };
      }
      return { ok: true, message: words.checked(fresh.filter((e) => e.ok).reduce((n, e) => n + e.added, 0)) };
    },
    download: async ({ version }) => {
      const status = companion.updateStatus();
      if (status.state !== 'available' || status.offer.release.version !== version) return refuse('version', words.notOffered(version));
      start(version, status.offer.asset.sha256, status.offer.asset.size, () => companion.download());
      return ok;
    },
    cancelDownload: async () => { companion.cancelDownload(); return ok; },
    restartToUpdate: async () => {
      if (companion.installMode() === 'manual') return refuse('', words.cantUpdateItself);
      const r = await companion.restartToUpdate();
      return r.ok ? ok : refuse('', r.message);
    },
    skipVersion: async ({ version }) => {
      const status = companion.updateStatus();
      if (status.state === 'available' && status.offer.critical && status.offer.release.version === version) return refuse('version', words.criticalCantSkip);
      companion.skipVersion(version);
      return ok;
    },
    unskipVersion: async ({ version }) => (companion.unskipVersion(version) ? ok : refuse('version', words.notSkipped(version))),
    remindLater: async ({ preset }) => {
      companion.remindLater(presets[preset]);
      return { ok: true, until: companion.remindUntil() ?? 0 };
    },
    clearRemind: async () => {
      if (companion.remindUntil() === null) return refuse('', words.noReminder);
      companion.clearRemind();
      return ok;
    },
    setChannel: async ({ channel, installStable }) => {
      const before = companion.channel();
      companion.setChannel(channel);
      if (channel === 'stable' && before === 'experimental' && companion.updateStatus().state === 'ahead-of-channel') {
        const target = companion.downgradeTarget();
        if (installStable === undefined) {
          companion.setChannel(before); // ask first: nothing changes until the user confirms
          return { ok: true, needsConfirm: { installed: info.version, stable: target?.version ?? null } };
        }
        const asset = target ? companion.assetOf(target) : undefined;
        if (installStable && target && asset) start(target.version, asset.sha256, asset.size, () => companion.confirmDowngrade(target.version));
      }
      ctx.changed('settings');
      return ok;
    },
  };
}
