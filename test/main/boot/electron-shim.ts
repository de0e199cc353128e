// Stands in for the 'electron' module when the *built* main bundle (out/main/index.js) is booted in plain
// Node by boot.test.ts: the fake API, plus a report of what the app did, printed as one JSON line.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fakeElectron } from '../fake-electron.ts';

const userData = process.env['TIDINGS_BOOT_USERDATA'] ?? mkdtempSync(path.join(tmpdir(), 'tidings-boot-'));
// Packaged unless TIDINGS_BOOT_PACKAGED=0 (a development build, which honours TIDINGS_DEV_PUBLISHER_KEYS).
const f = fakeElectron({ packaged: process.env['TIDINGS_BOOT_PACKAGED'] !== '0' });
const app = { ...f.api.app, getPath: () => userData, getVersion: () => '0.1.0', getName: () => 'Tidings' };
// electron-store registers a renderer helper on ipcMain.on; the shell itself only uses handle().
const ipcMain = { ...f.api.ipcMain, on: () => ipcMain };

export const { BrowserWindow, Tray, Menu, Notification, powerMonitor, shell, session, safeStorage, nativeImage, dialog, protocol, screen, net } = f.api;
export { app, ipcMain };
export default { ...f.api, app, ipcMain };

// Report once the app is up (a tray) or gave up (quit), then after TIDINGS_BOOT_MS more for its first check:
// a fixed wait alone was too short on a loaded machine (the store opens and migrates first).
const started = Date.now();
const waitForStart = setInterval(() => {
  if (f.trays.length === 0 && f.calls.quit === 0 && Date.now() - started < 20_000) return;
  clearInterval(waitForStart);
  setTimeout(() => void report(), Number(process.env['TIDINGS_BOOT_MS'] ?? 1500));
}, 50);

async function report(): Promise<void> {
  const tray = f.trays[0];
  const serve = f.calls.protocolHandlers.get('app');
  const index = serve ? await serve(new Request('app://tidings/index.html')) : null;
  console.log(`BOOT_REPORT ${JSON.stringify({
    index: index ? { status: index.status, csp: index.headers.get('content-security-policy'), html: (await index.text()).includes('<div id="root">') } : null,
    schemes: f.calls.schemes,
    protocolHandlers: [...f.calls.protocolHandlers.keys()],
    handlers: [...f.handlers.keys()].sort(),
    tray: tray ? { tooltip: tray.tooltip, labels: tray.menu.map((m) => m.label ?? '---') } : null,
    permissionHandler: f.session.requestHandler !== null,
    cspHeader: f.session.headersListener !== null,
    quit: f.calls.quit,
  })}`);
  process.exit(0);
}
