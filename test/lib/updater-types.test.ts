// tidings/updater's payloads and methods fit electron-updater 6.8.10's own types (a devDependency): an app's
// listeners and calls written against electron-updater type-check unchanged. This file fails `tsc` if a shape
// drifts; the runtime test below only confirms it was compiled with the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as EU from 'electron-updater';
import type { TidingsUpdater, UpdateInfo, ProgressInfo, UpdateDownloadedEvent, UpdateCheckResult, Logger } from '../../electron/lib/updater.ts';

type Assignable<A, B> = [A] extends [B] ? true : false;
const checks: true[] = [
  true satisfies Assignable<UpdateInfo, EU.UpdateInfo>,
  true satisfies Assignable<ProgressInfo, EU.ProgressInfo>,
  true satisfies Assignable<UpdateDownloadedEvent, EU.UpdateDownloadedEvent>,
  true satisfies Assignable<UpdateCheckResult, Omit<EU.UpdateCheckResult, 'cancellationToken'>>,
  true satisfies Assignable<EU.Logger, Logger>,
  // The same methods, callable the same way.
  true satisfies Assignable<TidingsUpdater['checkForUpdates'], () => Promise<Omit<EU.UpdateCheckResult, 'cancellationToken'> | null>>,
  true satisfies Assignable<TidingsUpdater['checkForUpdatesAndNotify'], (n?: { title: string; body: string }) => Promise<Omit<EU.UpdateCheckResult, 'cancellationToken'> | null>>,
  true satisfies Assignable<TidingsUpdater['downloadUpdate'], () => Promise<string[]>>,
  true satisfies Assignable<TidingsUpdater['quitAndInstall'], EU.AppUpdater['quitAndInstall']>,
  true satisfies Assignable<Pick<TidingsUpdater, 'autoDownload' | 'autoInstallOnAppQuit' | 'allowPrerelease' | 'allowDowngrade' | 'autoRunAppAfterInstall' | 'channel' | 'logger' | 'disableWebInstaller' | 'disableDifferentialDownload' | 'fullChangelog' | 'forceDevUpdateConfig'>,
    Pick<EU.AppUpdater, 'autoDownload' | 'autoInstallOnAppQuit' | 'allowPrerelease' | 'allowDowngrade' | 'autoRunAppAfterInstall' | 'channel' | 'logger' | 'disableWebInstaller' | 'disableDifferentialDownload' | 'fullChangelog' | 'forceDevUpdateConfig'>>,
  true satisfies Assignable<TidingsUpdater['currentVersion']['version'], string>,
];

// Listeners written for electron-updater's events are accepted by ours.
type Listen<F> = (u: TidingsUpdater, l: F) => unknown;
const listeners: Listen<unknown>[] = [
  (u) => u.on('update-available', (info: EU.UpdateInfo) => info.version),
  (u) => u.on('update-not-available', (info: EU.UpdateInfo) => info.version),
  (u) => u.on('download-progress', (p: EU.ProgressInfo) => p.percent),
  (u) => u.on('update-downloaded', (e: EU.UpdateDownloadedEvent) => e.downloadedFile),
  (u) => u.on('error', (e: Error, message?: string) => [e, message]),
  (u) => u.on('checking-for-update', () => {}),
];

test('the updater types match electron-updater 6.8.10 (checked by tsc)', () => {
  assert.equal(checks.length, 11);
  assert.equal(listeners.length, 6);
});
