// The example app's main process: its own window, plus Tidings for updates, notifications and messages.
import { join } from 'node:path';
import * as electron from 'electron';
import { runWatchdogIfAsked } from 'tidings/electron';
import { startUpdates, type UpdateStatus } from './updates.ts';
import { FEED_URL, PUBLISHER_KEYS } from './feed.ts';

const { app, BrowserWindow } = electron;

/** How the window title tells the update state (the page itself stays static in this example). */
function titleFor(s: UpdateStatus): string {
  switch (s.event) {
    case 'checking-for-update': return 'Checking for updates…';
    case 'update-available': return `Downloading ${s.info.version}…`;
    case 'update-not-available': return 'Up to date';
    case 'download-progress': return `Downloading… ${Math.round(s.progress.percent)} %`;
    case 'update-downloaded': return `${s.info.version} is ready: restart to update`;
    case 'error': return `Updates: ${s.message}`;
  }
}

// After an update, Tidings starts this binary once as its watchdog (it relaunches the new version, or puts the
// previous one back if it fails to start): then it must do nothing else.
if (!runWatchdogIfAsked(electron)) {
  let win: electron.BrowserWindow | null = null;
  const show = () => {
    if (win && !win.isDestroyed()) return void win.show();
    win = new BrowserWindow({ width: 640, height: 400, webPreferences: { sandbox: true, contextIsolation: true } });
    void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  };
  void app.whenReady().then(show);
  app.on('window-all-closed', () => app.quit());

  startUpdates(electron, {
    feed: { url: FEED_URL },
    publisherKeys: PUBLISHER_KEYS,
    // A notification was clicked: this app has no inbox of its own, so it brings its window up.
    onOpen: show,
    onStatus: (s) => { win?.setTitle(`Embed Example — ${titleFor(s)}`); },
    onMessage: (m) => { if (m.code === 4101) console.log(`maintenance announced: ${JSON.stringify(m.data)}`); },
  }).catch((e: unknown) => {
    // A missing key, an unknown channel, an unsupported platform: one sentence, at start.
    console.error(`updates are off: ${e instanceof Error ? e.message : String(e)}`);
  });
}
