// The publisher page's handlers (electron/core/publisher.ts) against a real feed service on loopback: what a
// publisher sees in the desktop app and the preview alike, and what the feed ends up holding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createPublisher, PickerError, type PublisherOptions } from '../../electron/core/publisher.ts';
import { desktopFilePicker, previewPublisher } from '../../preview/publisher.ts';
import { generateSigningKey } from '../../shared/protocol/signing.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import type { EventPayloads, InvokeArgs } from '../../shared/ipc/contract.ts';
import { startFeed, storedCount, type Feed } from '../server/helpers.ts';

let feed: Feed;
let dir: string;
let keyFile: string;
/** Release downloads on loopback: /a.bin and /b.bin (different bytes). */
let downloads: Server;
let dl = '';

before(async () => {
  feed = await startFeed({ allowLoopbackHttp: true });
  const bodies: Record<string, Buffer> = { '/a.bin': Buffer.from('first download'), '/b.bin': Buffer.from('second download') };
  downloads = createServer((req, res) => {
    const body = bodies[req.url ?? ''];
    if (body) res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => downloads.listen(0, '127.0.0.1', r));
  dl = `http://127.0.0.1:${(downloads.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'tidings-publisher-'));
  keyFile = join(dir, 'publisher.key');
  writeFileSync(keyFile, signingKeyPem((feed.key as unknown as { pkcs8: Uint8Array }).pkcs8), { mode: 0o600 });
});
after(async () => {
  downloads.closeAllConnections();
  downloads.close();
  await feed.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A publisher whose dialogs answer what the test says; hashProgress events and change calls recorded. */
function publisher(o: Partial<PublisherOptions> & { key?: string | null; files?: (string | null)[] } = {}) {
  const progress: EventPayloads['hashProgress'][] = [];
  const files = [...(o.files ?? [])];
  let changed = 0;
  const handlers = createPublisher({
    feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable', 'news'], allowLoopbackHttp: true,
    pickKeyFile: async () => (o.key === undefined ? keyFile : o.key),
    pickAssetFile: async () => files.shift() ?? null,
    onHashProgress: (p) => progress.push(p),
    changed: () => { changed++; },
    ...o,
  });
  return { h: handlers, progress, changes: () => changed };
}

const newsInput = (title: string): InvokeArgs<'publish'> => ({ kind: 'news', channel: 'news', title, body: 'Join us **live**.' });
const releaseInput = (version: string, assets: { platform: string; handle?: string; url?: string }[]): InvokeArgs<'publish'> => ({
  kind: 'release', channel: 'stable', version, title: '', notes: '## New', assets, critical: false, rollout: 100, platforms: [],
});

async function messages(channel: string) {
  const res = await feed.get(`/v1/channels/${channel}/messages?after=0`);
  if (res.status === 404) return [];
  return ((await res.json()) as { messages: Record<string, unknown>[] }).messages;
}

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('chooseKey reads the PEM tidings keygen writes and shows its file name and key id; other files are refused at the key field', async () => {
  assert.deepEqual(await publisher().h.chooseKey({}), { ok: true, key: { keyId: feed.key.keyId, fileName: 'publisher.key' } });

  const rsa = file('rsa.pem', Buffer.from(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
  const text = file('notes.txt', Buffer.from('not a key\n'));
  for (const wrong of [rsa, text]) {
    const r = await publisher({ key: wrong }).h.chooseKey({});
    assert.equal(r.ok, false);
    if (r.ok) continue;
    assert.equal(r.error.field, 'key');
    assert.match(r.error.message, /isn’t a signing key Tidings can use\. Choose the private key file tidings keygen wrote/);
    assert.ok(!r.error.message.includes(dir), 'no path in the message');
  }
  const missing = await publisher({ key: join(dir, 'gone.key') }).h.chooseKey({});
  assert.deepEqual(missing, { ok: false, error: { field: 'key', message: 'Tidings couldn’t read gone.key.' } });
  // Cancelling the dialog keeps the key already chosen; a wrong file does not replace it either.
  const answers = [keyFile, null, text];
  const p = publisher({ pickKeyFile: async () => answers.shift() ?? null });
  assert.deepEqual(await p.h.chooseKey({}), { ok: true, key: { keyId: feed.key.keyId, fileName: 'publisher.key' } });
  assert.deepEqual(await p.h.chooseKey({}), { ok: true, key: { keyId: feed.key.keyId, fileName: 'publisher.key' } });
  assert.equal((await p.h.chooseKey({})).ok, false);
  assert.equal((await p.h.publish(newsInput('Still signed with publisher.key'))).ok, true);
  assert.deepEqual(await publisher({ key: null }).h.chooseKey({}), { ok: true, key: null });
});

test('publishing without a chosen key is refused at the key field and sends nothing; with the key the news is on the feed', async () => {
  const { h, changes } = publisher();
  const before = await storedCount(feed);
  const r = await h.publish(newsInput('Office hours'));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.field, 'key');
    assert.match(r.error.message, /^Choose your signing key first/);
  }
  assert.equal(await storedCount(feed), before, 'nothing was sent');
  const retract = await h.retract({ id: 'whatever', channel: 'news' });
  assert.equal(retract.ok ? '' : retract.error.field, 'key');

  await h.chooseKey({});
  const ok = await h.publish(newsInput('Office hours'));
  assert.equal(ok.ok, true, JSON.stringify(ok));
  if (!ok.ok) return;
  assert.match(ok.item.id, /^news-[0-9a-f]{10}$/);
  assert.equal(changes(), 1);
  const stored = (await messages('news')).find((m) => m.id === ok.item.id);
  assert.equal(stored?.title, 'Office hours');
  assert.deepEqual((stored?.sig as { key: string }).key, feed.key.keyId);
});

test('a release with a local file: hashed by streaming with progress events, published with that hash and size under the https URL given with it', async (t) => {
  const bytes = randomBytes(3 * 1024 * 1024 + 17);
  const path = file('Tidings-3.0.0.AppImage', bytes);
  const served = randomBytes(200_000);
  const assets: Server = createServer((req, res) => res.writeHead(req.url === '/win.exe' ? 200 : 404, { 'content-length': String(served.length) }).end(served));
  await new Promise<void>((r) => assets.listen(0, '127.0.0.1', r));
  t.after(() => assets.close());
  const { h, progress } = publisher({ files: [path] });
  await h.chooseKey({});

  const chosen = await h.hashFile({});
  assert.equal(chosen.ok, true, JSON.stringify(chosen));
  if (!chosen.ok || !chosen.file) return;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  assert.equal(chosen.file.fileName, 'Tidings-3.0.0.AppImage');
  assert.equal(chosen.file.sha256, sha256);
  assert.equal(chosen.file.size, bytes.length);
  assert.ok(!JSON.stringify(chosen).includes(dir), 'the renderer never sees the path');
  assert.ok(progress.length >= 2, `progress events: ${progress.length}`);
  assert.deepEqual(progress[0], { fileName: 'Tidings-3.0.0.AppImage', done: 0, total: bytes.length });
  assert.deepEqual(progress.at(-1), { fileName: 'Tidings-3.0.0.AppImage', done: bytes.length, total: bytes.length });
  assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1]!.done));

  const url = 'https://downloads.example.com/3.0.0/Tidings-3.0.0.AppImage';
  const winUrl = `http://127.0.0.1:${(assets.address() as AddressInfo).port}/win.exe`;
  const r = await h.publish(releaseInput('3.0.0', [{ platform: 'linux-x64', handle: chosen.file.handle, url }, { platform: 'win32-x64', url: winUrl }]));
  assert.equal(r.ok, true, JSON.stringify(r));
  if (!r.ok) return;
  assert.equal(r.item.version, '3.0.0');
  const stored = (await messages('stable')).find((m) => m.id === r.item.id) as { title: string; release: { assets: unknown[] } } | undefined;
  assert.equal(stored?.title, 'Version 3.0.0');
  assert.deepEqual(stored?.release.assets, [
    { platform: 'linux-x64', url, sha256, size: bytes.length },
    { platform: 'win32-x64', url: winUrl, sha256: createHash('sha256').update(served).digest('hex'), size: served.length },
  ]);
});

test('a chosen file without a download address: the form is asked for one, or it goes under the asset base URL as with the CLI\'s --url', async () => {
  const path = file('app.zip', Buffer.from('zip bytes'));
  const { h } = publisher({ files: [path] });
  await h.chooseKey({});
  const chosen = await h.hashFile({});
  assert.ok(chosen.ok && chosen.file);
  const r = await h.publish(releaseInput('3.1.0', [{ platform: 'linux-x64', handle: chosen.file.handle }]));
  assert.deepEqual(r, { ok: false, error: { field: 'assets.0.url', message: 'Enter the https address clients will download app.zip from.' } });
  const plain = await h.publish(releaseInput('3.1.0', [{ platform: 'linux-x64', handle: chosen.file.handle, url: 'ftp://example.com/app.zip' }]));
  assert.equal(plain.ok ? '' : plain.error.field, 'assets.0.url');

  const based = publisher({ files: [path], assetBaseUrl: 'https://cdn.example.com/3.1.0/' });
  await based.h.chooseKey({});
  const again = await based.h.hashFile({});
  assert.ok(again.ok && again.file);
  const ok = await based.h.publish(releaseInput('3.1.0', [{ platform: 'linux-x64', handle: again.file.handle }]));
  assert.equal(ok.ok, true, JSON.stringify(ok));
  const stored = (await messages('stable')).find((m) => ok.ok && m.id === ok.item.id) as { release: { assets: { url: string }[] } };
  assert.equal(stored.release.assets[0]!.url, 'https://cdn.example.com/3.1.0/app.zip');
});

test('a chosen file that vanished before publishing is refused at its asset, and nothing is published', async () => {
  const path = file('gone.AppImage', Buffer.from('soon gone'));
  const { h } = publisher({ files: [path] });
  await h.chooseKey({});
  const chosen = await h.hashFile({});
  assert.ok(chosen.ok && chosen.file);
  unlinkSync(path);
  const before = await storedCount(feed);
  const r = await h.publish(releaseInput('3.2.0', [{ platform: 'linux-x64', handle: chosen.file.handle, url: 'https://cdn.example.com/gone.AppImage' }]));
  assert.deepEqual(r, { ok: false, error: { field: 'assets.0', message: 'gone.AppImage is no longer there: it was moved or deleted after it was hashed. Choose it again.' } });
  assert.equal(await storedCount(feed), before);
  const unknown = await h.publish(releaseInput('3.2.0', [{ platform: 'linux-x64', handle: 'not-a-handle', url: 'https://cdn.example.com/x' }]));
  assert.equal(unknown.ok ? '' : unknown.error.field, 'assets.0');
});

test('the same form confirmed twice at once and once more afterwards publishes exactly one message', async () => {
  const { h } = publisher();
  await h.chooseKey({});
  const input = releaseInput('3.3.0', [{ platform: 'linux-x64', url: `${dl}/a.bin` }]);
  const before = (await messages('stable')).length;
  const [a, b] = await Promise.all([h.publish(input), h.publish(input)]);
  assert.equal(a.ok && b.ok, true, JSON.stringify([a, b]));
  if (!a.ok || !b.ok) return;
  assert.equal(a.item.id, b.item.id, 'one message id for both');
  const third = await h.publish(input);
  assert.equal(third.ok, false);
  if (!third.ok) {
    assert.equal(third.error.field, 'form');
    assert.match(third.error.message, /^Already published: 3\.3\.0 on stable \(seq \d+\)\. Nothing was sent again/);
  }
  const after = await messages('stable');
  assert.equal(after.length, before + 1);
  assert.equal(after.filter((m) => (m.release as { version: string }).version === '3.3.0').length, 1);
});

test('an answer lost on the way back: the retry re-sends the same signed record, the feed answers "already there", one message', async (t) => {
  // A proxy that lets the first POST reach the feed and then cuts the connection before the answer.
  let posts = 0;
  const target = new URL(feed.url);
  const proxy = createServer((req, res) => {
    const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (req.method === 'POST' && ++posts === 1) {
        up.resume();
        up.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => { proxy.closeAllConnections(); proxy.close(); });
  const { h } = publisher({ feedUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1/` });
  await h.chooseKey({});
  const r = await h.publish(newsInput('Through a flaky network'));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(posts, 2);
  assert.equal((await messages('news')).filter((m) => m.title === 'Through a flaky network').length, 1);
});

test('a key the feed does not trust: the feed\'s refusal is shown at the key field in plain words', async () => {
  const stranger = await generateSigningKey();
  const strangerFile = file('stranger.key', Buffer.from(signingKeyPem(stranger.pkcs8)));
  const { h } = publisher({ key: strangerFile });
  assert.deepEqual(await h.chooseKey({}), { ok: true, key: { keyId: stranger.keyId, fileName: 'stranger.key' } });
  const before = await storedCount(feed);
  const r = await h.publish(newsInput('Signed by a stranger'));
  assert.deepEqual(r, { ok: false, error: { field: 'key', message: `The feed doesn’t trust this signing key (key id ${stranger.keyId}). Choose the key the feed trusts or trust it on the feed service: tidings key add ${stranger.publicKey}.` } });
  assert.equal(await storedCount(feed), before);
});

test('refusals come back at the form field they are about: the schema\'s before sending, the feed\'s after', async () => {
  const { h } = publisher();
  await h.chooseKey({});
  const pre = await h.publish(releaseInput('4.0.0-beta.1', [{ platform: 'linux-x64', url: 'https://cdn.example.com/a' }]));
  assert.deepEqual(pre, { ok: false, error: { field: 'version', message: 'A pre-release version cannot be published on the stable channel.' } });
  const first = await h.publish(releaseInput('4.0.0', [{ platform: 'linux-x64', url: `${dl}/a.bin` }]));
  assert.equal(first.ok, true, JSON.stringify(first));
  // The same version again with other downloads: the feed's 409 names release.version.
  const conflict = await h.publish(releaseInput('4.0.0', [{ platform: 'linux-x64', url: `${dl}/b.bin` }]));
  assert.deepEqual(conflict, { ok: false, error: { field: 'version', message: '4.0.0 is already published on stable with other downloads. Use a new version number, or retract the old release first.' } });
  const badUrl = await h.publish(releaseInput('4.0.1', [{ platform: 'linux-x64', url: `${dl}/missing.bin` }]));
  assert.equal(badUrl.ok ? '' : badUrl.error.field, 'assets.0.url');
  assert.match(badUrl.ok ? '' : badUrl.error.message, /couldn’t download this file to compute its hash: .* answered HTTP 404/);
});

test('listPublished shows what was published; a retraction (one for a double click) takes it off the list', async () => {
  const { h, changes } = publisher();
  await h.chooseKey({});
  const posted = await h.publish(newsInput('To be retracted'));
  assert.ok(posted.ok);
  const listed = await h.listPublished({});
  assert.ok(listed.ok);
  assert.deepEqual(listed.items.find((i) => i.id === posted.item.id), { ...posted.item, retracted: false });
  const [r1, r2] = await Promise.all([h.retract({ id: posted.item.id, channel: 'news' }), h.retract({ id: posted.item.id, channel: 'news' })]);
  assert.deepEqual([r1, r2], [{ ok: true }, { ok: true }]);
  assert.equal((await messages('news')).filter((m) => m.retracts === posted.item.id).length, 1, 'one retraction for a double click');
  const after = await h.listPublished({ channel: 'news' });
  assert.ok(after.ok);
  // The feed stops serving a retracted post: the list shows it marked retracted, or not at all.
  assert.equal(after.items.filter((i) => i.id === posted.item.id && !i.retracted).length, 0);
  assert.ok(after.items.some((i) => i.kind === 'retraction'));
  assert.equal(changes(), 2);
});

test('a picker that cannot show a dialog says why at the field; a second dialog is not opened while one is', async () => {
  let release: (v: string | null) => void = () => {};
  const { h } = publisher({
    pickAssetFile: () => new Promise((r) => { release = r; }),
    pickKeyFile: async () => { throw new PickerError('No file dialog here; enter an https address instead.'); },
  });
  assert.deepEqual(await h.chooseKey({}), { ok: false, error: { field: 'key', message: 'No file dialog here; enter an https address instead.' } });
  const first = h.hashFile({});
  assert.deepEqual(await h.hashFile({}), { ok: false, error: { field: 'assets', message: 'A file dialog is already open.' } });
  release(null);
  assert.deepEqual(await first, { ok: true, file: null });
});

test('the preview publishes with the demo key and files its starter injects; without a file picker it says so', async (t) => {
  const previewDir = mkdtempSync(join(tmpdir(), 'tidings-preview-pub-'));
  t.after(() => rmSync(previewDir, { recursive: true, force: true }));
  const key = feed.key as unknown as { pkcs8: Uint8Array; publicKey: string; keyId: string };
  const bytes = randomBytes(70_000);
  const path = file('preview.bin', bytes);
  const events: EventPayloads['hashProgress'][] = [];
  const base = { feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable'], allowLoopbackHttp: true, dir: previewDir };
  const demoKey = { pkcs8: key.pkcs8, publicKey: key.publicKey, keyId: key.keyId, fileName: 'demo-publisher.key' };
  const pub = previewPublisher({ ...base, key: demoKey, pickAssetFile: async () => path });
  const topics: string[] = [];
  pub.subscribe((name, payload) => {
    if (name === 'hashProgress') events.push(payload as EventPayloads['hashProgress']);
    if (name === 'changed') topics.push(...(payload as EventPayloads['changed']).topics);
  });
  const h = pub.handlers;
  assert.deepEqual(await h.chooseKey({}), { ok: true, key: { keyId: key.keyId, fileName: 'demo-publisher.key' } });
  const chosen = await h.hashFile({});
  assert.ok(chosen.ok && chosen.file);
  assert.equal(chosen.file.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(events.at(-1)?.done, bytes.length);
  const r = await h.publish(releaseInput('5.0.0', [{ platform: 'linux-x64', handle: chosen.file.handle, url: 'https://cdn.example.com/preview.bin' }]));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(topics, ['publisher']);

  const refused = await previewPublisher({ ...base, key: demoKey }).handlers.hashFile({});
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.match(refused.error.message, /enter its https address/);
});

test('npm run preview\'s file picker: zenity\'s answer, null on Cancel, and a plain refusal where there is no dialog program', { skip: process.platform !== 'linux' && 'zenity/kdialog are Linux desktop programs' }, async (t) => {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const saved = { PATH: process.env.PATH, DISPLAY: process.env.DISPLAY };
  t.after(() => { process.env.PATH = saved.PATH; if (saved.DISPLAY === undefined) delete process.env.DISPLAY; else process.env.DISPLAY = saved.DISPLAY; });
  process.env.PATH = bin;
  process.env.DISPLAY = ':0';
  await assert.rejects(desktopFilePicker()(), (err: Error) => err instanceof PickerError && /can’t open a file dialog on this computer .* enter its https address/.test(err.message));
  // A stand-in zenity: answers the path it is told to, or exits 1 as Cancel does.
  writeFileSync(join(bin, 'zenity'), '#!/bin/sh\nif [ -n "$ANSWER" ]; then echo "$ANSWER"; else exit 1; fi\n');
  chmodSync(join(bin, 'zenity'), 0o755);
  process.env.ANSWER = '/home/me/Tidings 3.0.0.AppImage';
  t.after(() => { delete process.env.ANSWER; });
  assert.equal(await desktopFilePicker()(), '/home/me/Tidings 3.0.0.AppImage');
  process.env.ANSWER = '';
  assert.equal(await desktopFilePicker()(), null);
});
