// A host app's own window showing tidings/react components (issue 14): tidings.allowWindow(win) lets that
// window's main frame, at its page, call the contract and get its events, against the Electron fake and a real
// feed on loopback. A window not allowed, a subframe, the window after it navigated away and after it closed
// are refused and get no events.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { attachTidings, TidingsConfigError, preloadPath } from '../../electron/lib/electron.ts';
import { ipcChannel } from '../../shared/ipc/contract.ts';
import { fakeElectron, FakeFrame, type FakeWindow } from '../main/fake-electron.ts';
import { startUpdateWorld, until } from './helpers.ts';
import { tempDir } from '../core/helpers/tmp.ts';

const quiet = { info() {}, warn() {}, error() {} };
// What a refused page is told (electron/main/ipc.ts).
const FOREIGN_SENDER = { field: '', message: 'This request did not come from the Tidings window.' };
const PAGE = 'file:///opt/notes/resources/app/index.html';

async function attachWithHostWindows(t: TestContext) {
  const w = await startUpdateWorld(t);
  const fake = fakeElectron({ packaged: false });
  const tidings = await attachTidings(fake.api, {
    feed: { url: w.feed.url, token: w.feed.readToken }, publisherKeys: [w.feed.key.publicKey], productName: 'Notes',
    dataDir: tempDir(t), version: '1.0.0', platform: 'linux-x64', allowLoopbackHttp: true, install: false, logger: quiet, notifications: false,
  });
  t.after(() => tidings.close());
  const hostWindow = async (url = PAGE) => {
    const win = new fake.api.BrowserWindow({ webPreferences: { preload: tidings.preloadPath, sandbox: true, contextIsolation: true } }) as FakeWindow;
    await win.loadURL(url);
    return win;
  };
  const counts = (frame: FakeFrame | null) => fake.invoke(ipcChannel('getCounts'), frame, {}) as Promise<{ ok: boolean; error?: unknown }>;
  const events = (win: FakeWindow) => win.webContents.sent.filter((s) => s.channel === ipcChannel('changed')).length;
  return { w, fake, tidings, hostWindow, counts, events };
}

test('an allowed host window is answered and gets events; another window, a subframe and a navigated-away page are refused', async (t) => {
  const { w, fake, tidings, hostWindow, counts, events } = await attachWithHostWindows(t);
  const mine = await hostWindow();
  const other = await hostWindow();
  assert.equal(fake.handlers.size, 0, 'no IPC until the host allows a window');
  tidings.allowWindow(mine);
  assert.ok(fake.handlers.size > 10, 'the contract’s handlers are registered');

  const main = mine.webContents.mainFrame;
  const answer = await counts(main);
  assert.equal(answer.ok, true, JSON.stringify(answer));
  // The same frame under a fresh wrapper object (Electron may hand out a new one) is still the allowed frame.
  assert.equal((await counts(new FakeFrame(main.url, main.processId, main.routingId))).ok, true);

  const refused = { ok: false, error: FOREIGN_SENDER };
  assert.deepEqual(await counts(other.webContents.mainFrame), refused, 'a window the host did not allow');
  assert.deepEqual(await counts(new FakeFrame(PAGE, main.processId, main.routingId + 1000)), refused, 'a subframe of the allowed window');
  assert.deepEqual(await counts(null), refused, 'a destroyed frame');

  // A new release: the core says 'changed', and the allowed window hears it; the other window does not.
  await w.publish('1.1.0');
  await tidings.companion.checkAll();
  await until('a changed event in the allowed window', () => events(mine) > 0);
  assert.equal(events(other), 0);

  // The allowed window navigates to another file (or site): neither calls nor events for that page.
  mine.webContents.mainFrame.url = 'file:///tmp/downloaded.html';
  assert.deepEqual(await counts(mine.webContents.mainFrame), refused, 'the allowed window after it navigated away');
  mine.webContents.mainFrame.url = 'https://evil.example/';
  assert.deepEqual(await counts(mine.webContents.mainFrame), refused);
  const before = events(mine);
  await w.post({ title: 'Maintenance' });
  await tidings.companion.checkAll();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(events(mine), before, 'no events to a page that is not the allowed one');
  // Back at the allowed page (a reload), it is answered again.
  mine.webContents.mainFrame.url = `${PAGE}#inbox`;
  assert.equal((await counts(mine.webContents.mainFrame)).ok, true);
});

test('after the allowed window closes its frame is refused and gets nothing; an unloaded window needs its page', async (t) => {
  const { w, tidings, hostWindow, counts, events } = await attachWithHostWindows(t);
  const win = await hostWindow('http://localhost:5173/settings');
  tidings.allowWindow(win);
  const frame = win.webContents.mainFrame;
  assert.equal((await counts(frame)).ok, true);
  win.close();
  assert.deepEqual(await counts(frame), { ok: false, error: FOREIGN_SENDER });
  const sent = win.webContents.sent.length;
  await w.publish('1.1.0');
  await tidings.companion.checkAll();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(win.webContents.sent.length, sent, 'a closed window is sent nothing');
  assert.equal(events(win), 0);

  // Allowed before its page loaded: about:blank pins nothing, so the host must say which page.
  const early = await hostWindow('about:blank');
  assert.throws(() => tidings.allowWindow(early), (e: unknown) => e instanceof TidingsConfigError && e.option === 'allowWindow' && /load the page first, or pass its URL/.test(e.message));
  tidings.allowWindow(early, { page: 'http://localhost:5173/' });
  assert.deepEqual(await counts(early.webContents.mainFrame), { ok: false, error: FOREIGN_SENDER }, 'still about:blank');
  await early.loadURL('http://localhost:5173/inbox');
  assert.equal((await counts(early.webContents.mainFrame)).ok, true);
  assert.deepEqual(await counts(new FakeFrame('http://localhost:5174/inbox', early.webContents.mainFrame.processId, early.webContents.mainFrame.routingId)), { ok: false, error: FOREIGN_SENDER }, 'another port is another origin');
});

test('preloadPath names the compiled preload (test/lib/package.test.ts checks it exists in the packed package)', () => {
  assert.match(preloadPath, /[/\\]preload[/\\]index\.cjs$/);
});
