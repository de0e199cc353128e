// Everything this app does about updates and the publisher's messages, in one function the entry point calls
// with Electron's modules (and the test calls with a fake). An app coming from electron-updater keeps its
// autoUpdater code: the updater attachTidings hands back has the same methods, properties and events.
import { attachTidings, type ElectronApi, type HostMessage, type Tidings, type TidingsElectronOptions } from 'tidings/electron';
import type { ProgressInfo, TidingsUpdater, UpdateDownloadedEvent, UpdateInfo } from 'tidings/updater';

/** What the app shows about updates (its window title here; a real app may have a status bar or a menu item). */
export type UpdateStatus =
  | { event: 'checking-for-update' }
  | { event: 'update-available'; info: UpdateInfo }
  | { event: 'update-not-available'; info: UpdateInfo }
  | { event: 'download-progress'; progress: ProgressInfo }
  | { event: 'update-downloaded'; info: UpdateDownloadedEvent }
  | { event: 'error'; message: string };

export interface UpdatesOptions extends TidingsElectronOptions {
  onStatus(status: UpdateStatus): void;
  /** A publisher's message with a code the app acts on (a maintenance window, a feature flag, …). */
  onMessage?(message: HostMessage): void;
}

export async function startUpdates(electron: ElectronApi, { onStatus, onMessage, ...options }: UpdatesOptions): Promise<Tidings> {
  // The inbox, OS notifications for releases and posts, the schedule and the verified install come with attachTidings.
  const tidings = await attachTidings(electron, { productName: 'Embed Example', notifications: true, ...options });

  // From here on this is electron-updater code: only the line that got `autoUpdater` changed.
  const autoUpdater: TidingsUpdater = tidings.updater;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  autoUpdater.on('checking-for-update', () => onStatus({ event: 'checking-for-update' }));
  autoUpdater.on('update-available', (info) => onStatus({ event: 'update-available', info }));
  autoUpdater.on('update-not-available', (info) => onStatus({ event: 'update-not-available', info }));
  autoUpdater.on('download-progress', (progress) => onStatus({ event: 'download-progress', progress }));
  autoUpdater.on('error', (error) => onStatus({ event: 'error', message: error.message }));
  autoUpdater.on('update-downloaded', (info) => {
    onStatus({ event: 'update-downloaded', info });
    void electron.dialog.showMessageBox({
      type: 'info', buttons: ['Restart now', 'Later'], defaultId: 0, cancelId: 1,
      message: `Embed Example ${info.version} is ready to install.`,
      detail: 'Restart now, or it is installed when you quit.',
    }).then(({ response }) => { if (response === 0) autoUpdater.quitAndInstall(); });
  });

  tidings.on('message', (m) => onMessage?.(m));

  // Not awaited, as electron-updater apps do: a failed check is the 'error' event above.
  autoUpdater.checkForUpdatesAndNotify().catch(() => {});
  return tidings;
}
