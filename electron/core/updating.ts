// Installing a verified update (issue 13; docs/updates.md, docs/rollback.md): Restart to Update applies the
// verified file in place and hands over to a watchdog that relaunches into the new version and restores the
// previous one if it fails to start; "install when I quit" applies it at quit. At the next start the watchdog's
// outcome is read: a version that failed to start is marked bad (never offered again unless republished) and
// the user is told in plain words. How a platform applies an update is the shell's InstallSetup (electron/core/apply).
import { UPDATE_CHANNELS } from '../../shared/channels.ts';
import type { InstallEvent, InstallSetup } from './api.ts';
import type { Store } from './store/store.ts';
import type { UserState } from './store/user-state.ts';

export interface Verified {
  path: string;
  version: string;
  sha256: string;
}

export interface UpdatingDeps {
  setup: InstallSetup | undefined;
  installedVersion: string;
  store: Store;
  user: UserState;
  nowSec: () => number;
  emit: (event: InstallEvent) => void;
  notice: (message: string) => void;
  /** The release the update status offers now (or the confirmed downgrade), to refuse a stale file. */
  wanted: () => string | null;
  /**
   * Why `version` may not be installed although it was downloaded: the publisher halted its rollout (a hold) or
   * retracted it (a recall), as one sentence; null when neither (issue 15).
   */
  withdrawn?: (version: string) => string | null;
  /** This start is a freshly installed version that passed its health check (the adoption report's `updated`). */
  healthy?: () => void;
  /** A version failed to start: the failed-start report, if the user allows it (electron/core/failed-start-report.ts). */
  failedStart?: (bad: string, reason: string) => void;
}

export const restoredWords = (bad: string, restored: string) => `${bad} didn't start, so ${restored} was restored.`;

/** One plain sentence from whatever an applier threw (ApplyError messages already are). */
function plain(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return /^[A-Z].*[.!]$/.test(m) && !/\bE[A-Z]{3,}\b/.test(m) ? m : "The update couldn't be installed. Your current version is unchanged.";
}

export const notRestoredWords = (bad: string, previous: string) =>
  `${bad} didn't start properly, and ${previous} couldn't be put back. If the app misbehaves, download ${previous} again from the publisher.`;

export function createUpdating(d: UpdatingDeps) {
  /** The failed record's issue time: a record of that version issued later is a republish (offered again).
   * Unknown here (the store was reset): the time of the failure, so nothing signed before it comes back. */
  function markBad(bad: string, reason: string): void {
    const issued = d.store.releaseRecords(UPDATE_CHANNELS)
      .filter(({ item }) => item.version === bad)
      .reduce<number | null>((m, { item }) => Math.max(m ?? 0, (item.record as { issued?: number }).issued ?? 0), null);
    d.user.markBad(bad, issued ?? d.nowSec(), reason, d.nowSec());
  }

  let verified: Verified | null = null;
  let state: InstallEvent | null = null;
  const set = (e: InstallEvent) => {
    state = e;
    d.emit(e);
  };

  /** Applies the verified file; true when the new version is in place. */
  async function applyVerified(mode: 'restart' | 'quit'): Promise<{ ok: true } | { ok: false; message: string }> {
    const setup = d.setup;
    const file = verified;
    if (!setup) return { ok: false, message: 'This copy of the app can’t update itself. Open the installer instead.' };
    if (file && file.version !== d.wanted()) {
      // Held or recalled since it was downloaded: never applied, now or at quit. A held file is kept for when the
      // rollout resumes (the offer comes back and it installs without a new download).
      const why = d.withdrawn?.(file.version) ?? null;
      if (why) {
        d.store.log('update', d.nowSec(), false, `not installing ${file.version}${mode === 'quit' ? ' at quit' : ''}: ${why}`);
        return { ok: false, message: why };
      }
    }
    if (!file || file.version !== d.wanted()) return { ok: false, message: 'There is no verified update to install. Download it again.' };
    if (state?.state === 'installing') return { ok: false, message: 'The update is already being installed.' };
    set({ state: 'installing', version: file.version });
    try {
      await setup.apply(file.path, file.version, file.sha256, mode);
      if (mode === 'restart') await setup.handoff(file.version, d.installedVersion);
      d.store.log('update', d.nowSec(), true, `installed ${file.version}${mode === 'quit' ? ' at quit' : ', restarting'}`);
      set({ state: 'installed', version: file.version });
      verified = null;
      return { ok: true };
    } catch (err) {
      const message = plain(err);
      d.store.log('update', d.nowSec(), false, `install of ${file.version} failed: ${(err as Error).message}${(err as { cause?: unknown }).cause ? ` (${String((err as { cause?: unknown }).cause)})` : ''}`);
      set({ state: 'failed', version: file.version, message });
      return { ok: false, message };
    }
  }

  return {
    mode: (): 'restart' | 'manual' => (d.setup ? 'restart' : 'manual'),
    /** Whether a verified update may be installed at quit on this install at all. */
    atQuit: () => !!d.setup && d.setup.atQuit !== false,
    /** A download finished and matched its signed hash. */
    verified(v: Verified | null) {
      verified = v;
      if (v && state?.version !== v.version) state = null;
      if (v && state?.state === 'failed') state = null;
    },
    verifiedFile: () => verified,
    state: () => state,
    restartToUpdate: () => applyVerified('restart'),
    /** At quit: installs a verified update when the user lets it (Settings → Install when I quit). */
    async installAtQuit(allowed: boolean): Promise<boolean> {
      if (!allowed || !verified || !d.setup || d.setup.atQuit === false) return false;
      return (await applyVerified('quit')).ok;
    },
    /** The app is healthy; when this start was an update under the watchdog's test, that update passed it. */
    reportHealthy: () => {
      if (d.setup?.reportHealthy?.(d.installedVersion) === true) d.healthy?.();
    },
    /** At start: what the watchdog did after the last update (once). */
    takeOutcome(): void {
      const outcome = d.setup?.takeOutcome?.() ?? null;
      if (!outcome) return;
      if ('rolledBack' in outcome) {
        const { bad, restored, reason } = outcome.rolledBack;
        markBad(bad, reason);
        d.store.setMeta('restored', JSON.stringify({ bad, restored }));
        d.store.log('update', d.nowSec(), false, `${bad} failed to start (${reason}); ${restored} was restored`);
        d.notice(restoredWords(bad, restored));
        d.failedStart?.(bad, reason);
      } else if ('restoreFailed' in outcome) {
        // The failed version is still what is installed (it was started once more); don't offer it again.
        const { bad, previous, reason, error } = outcome.restoreFailed;
        markBad(bad, reason);
        d.store.log('update', d.nowSec(), false, `${bad} failed to start (${reason}); ${previous} couldn't be restored: ${error}`);
        d.notice(notRestoredWords(bad, previous));
        d.failedStart?.(bad, reason);
      } else {
        d.store.setMeta('restored', null);
        d.store.log('update', d.nowSec(), true, `updated from ${outcome.updated.from} to ${outcome.updated.to}`);
      }
    },
    /** The last rollback, while the restored version is the one running. */
    restored(): { bad: string; restored: string } | null {
      try {
        const r = JSON.parse(d.store.getMeta('restored') ?? 'null') as { bad: string; restored: string } | null;
        return r && r.restored === d.installedVersion ? r : null;
      } catch {
        return null;
      }
    },
  };
}

export type Updating = ReturnType<typeof createUpdating>;
