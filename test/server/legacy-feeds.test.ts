// Files for updaters already in the field (docs/legacy-feeds.md), read from a real feed service on a loopback
// port as electron-updater and Sparkle read them: what each file says, which records are left out, ETags
// and 304s, auth, the static export, and records published by the real CLI.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeed, json, release, type Feed } from './helpers.ts';
import { cli, httpServer } from './cli-helpers.ts';
import { createToken } from '../../server/tokens.ts';
import { exportFeed } from '../../server/export.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import type { Asset, UnsignedRecord } from '../../shared/protocol/schemas.ts';
import type { SigningKey } from '../../shared/protocol/signing.ts';
import { SPARKLE_NS } from '../../server/legacy/sparkle.ts';
import { yamlString } from '../../server/legacy/yaml.ts';

// The YAML parser electron-updater itself uses (its own js-yaml), and a namespace-aware XML parser.
const requireFromUpdater = createRequire(createRequire(import.meta.url).resolve('electron-updater'));
const { load: yamlLoad } = requireFromUpdater('js-yaml') as { load(text: string): unknown };
interface XmlElement {
  getAttribute(n: string): string;
  getAttributeNS(ns: string, n: string): string;
  hasAttribute(n: string): boolean;
  getElementsByTagName(n: string): ArrayLike<XmlElement>;
  getElementsByTagNameNS(ns: string, n: string): ArrayLike<XmlElement>;
  textContent: string;
  childNodes: ArrayLike<XmlElement & { nodeType: number; namespaceURI: string | null; localName: string; attributes: ArrayLike<{ namespaceURI: string | null; localName: string }> }>;
  documentElement: XmlElement;
}
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as { DOMParser: new (o: object) => { parseFromString(t: string, type: string): XmlElement } };

function parseXml(text: string): XmlElement {
  const fail = (msg: string) => { throw new Error(`not well-formed XML: ${msg}`); };
  return new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(text, 'application/xml');
}

const feeds: Feed[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function feedFor(opts: Parameters<typeof startFeed>[0] = {}): Promise<Feed> {
  const f = await startFeed(opts);
  feeds.push(f);
  return f;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');

/** A release file: its bytes (distinct per name) and the asset that describes it. */
function file(platform: string, name: string, extra: Partial<Asset> = {}): { bytes: Buffer; asset: Asset } {
  const bytes = Buffer.from(`${name} `.repeat(50));
  return { bytes, asset: { platform, url: `https://downloads.example.com/${name}`, sha256: sha256(bytes), size: bytes.length, sha512: sha512(bytes), ...extra } };
}

async function edSign(bytes: Buffer, key: SigningKey): Promise<string> {
  return Buffer.from(await crypto.subtle.sign('Ed25519', key.privateKey, new Uint8Array(bytes))).toString('base64');
}

function edVerifies(bytes: Buffer, publicKeyB64: string, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyB64, 'base64').toString('base64url') }, format: 'jwk' });
  return verify(null, bytes, key, Buffer.from(signature, 'base64'));
}

function withAssets(channel: string, version: string, assets: Asset[], extra: Partial<UnsignedRecord> = {}) {
  const base = release(channel, version, extra);
  return { ...base, release: { version, ...(extra.release ?? {}), assets } };
}

async function publishOk(feed: Feed, record: Parameters<Feed['publish']>[0]): Promise<{ id: string; seq: number }> {
  const res = await feed.publish(record);
  assert.equal(res.status, 201, await res.clone().text());
  return json(res);
}

async function yamlOf(feed: Feed, name: string): Promise<Record<string, unknown>> {
  const res = await feed.get(`/electron-updater/${name}`);
  assert.equal(res.status, 200, `${name}: ${await res.clone().text()}`);
  return yamlLoad(await res.text()) as Record<string, unknown>;
}

test('latest-linux.yml is the newest stable release with a linux-x64 AppImage and sha512, written as electron-builder lays it out', async () => {
  const feed = await feedFor();
  const app100 = file('linux-x64', 'Tidings-1.0.0.AppImage');
  await publishOk(feed, withAssets('stable', '1.0.0', [app100.asset], { title: 'Tidings 1.0.0', body: 'First.' }));
  // 1.1.0 has no Linux asset: left out of the Linux file, which keeps describing 1.0.0.
  const exe110 = file('win32-x64', 'Tidings-Setup-1.1.0.exe');
  await publishOk(feed, withAssets('stable', '1.1.0', [exe110.asset]));

  const res = await feed.get('/electron-updater/latest-linux.yml');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/yaml; charset=utf-8');
  const text = await res.text();
  const created = (yamlLoad(text) as { releaseDate: string }).releaseDate;
  assert.equal(text, [
    'version: "1.0.0"',
    'files:',
    `  - url: "${app100.asset.url}"`,
    `    sha512: "${app100.asset.sha512}"`,
    `    size: ${app100.bytes.length}`,
    `path: "${app100.asset.url}"`,
    `sha512: "${app100.asset.sha512}"`,
    `releaseDate: "${created}"`,
    'releaseName: "Tidings 1.0.0"',
    'releaseNotes: "First."',
    '',
  ].join('\n'));
  assert.ok(Math.abs(Date.parse(created) / 1000 - Date.now() / 1000) < 60, 'releaseDate is the publish time');

  const win = await yamlOf(feed, 'latest.yml');
  assert.equal(win.version, '1.1.0');
  assert.deepEqual(win.files, [{ url: exe110.asset.url, sha512: exe110.asset.sha512, size: exe110.bytes.length }]);
  // Nothing for macOS at all: a plain JSON 404, not an empty or half-filled file.
  const mac = await feed.get('/electron-updater/latest-mac.yml');
  assert.equal(mac.status, 404);
  assert.equal(mac.headers.get('content-type'), 'application/json; charset=utf-8');
  const err = await json<{ error: { code: string; message: string } }>(mac);
  assert.equal(err.error.code, 'no_release');
  assert.match(err.error.message, /latest-mac\.yml.*darwin \.zip asset with a sha512/);
});

test('an asset without sha512, or whose URL does not end the way the updater picks files, is left out', async () => {
  const feed = await feedFor();
  const good = file('linux-x64', 'Tidings-1.0.0.AppImage');
  await publishOk(feed, withAssets('stable', '1.0.0', [good.asset]));
  const { sha512: _drop, ...noSha } = file('linux-x64', 'Tidings-1.1.0.AppImage').asset;
  await publishOk(feed, withAssets('stable', '1.1.0', [noSha]));
  // A package kind that disagrees with the URL's extension: electron-updater would pick it by extension.
  await publishOk(feed, withAssets('stable', '1.2.0', [file('linux-x64', 'Tidings-1.2.0.bin', { package: 'appimage' }).asset]));
  assert.equal((await yamlOf(feed, 'latest-linux.yml')).version, '1.0.0');
  // Linux arm64 has its own file name (electron-updater adds "-arm64"); nothing is published for it.
  assert.equal((await feed.get('/electron-updater/latest-linux-arm64.yml')).status, 404);
});

test('rollout becomes stagingPercentage; an installed-version range is left out; a retraction falls back', async () => {
  const feed = await feedFor();
  await publishOk(feed, withAssets('stable', '1.0.0', [file('linux-x64', 'T-1.0.0.AppImage').asset]));
  const staged = await publishOk(feed, withAssets('stable', '1.1.0', [file('linux-x64', 'T-1.1.0.AppImage').asset], { target: { rollout: 25 } }));
  const info = await yamlOf(feed, 'latest-linux.yml');
  assert.equal(info.version, '1.1.0');
  assert.equal(info.stagingPercentage, 25);

  // electron-updater cannot tell installs apart by version: a record limited to some installs is not offered to all.
  await publishOk(feed, withAssets('stable', '1.2.0', [file('linux-x64', 'T-1.2.0.AppImage').asset], { target: { minVersion: '1.1.0' } }));
  assert.equal((await yamlOf(feed, 'latest-linux.yml')).version, '1.1.0');

  await publishOk(feed, { channel: 'stable', kind: 'retraction', title: '', body: '', retracts: staged.id });
  const after = await yamlOf(feed, 'latest-linux.yml');
  assert.equal(after.version, '1.0.0');
  assert.equal(after.stagingPercentage, undefined);
});

test('beta*.yml is the highest of stable and experimental; latest*.yml never shows an experimental release', async () => {
  const feed = await feedFor();
  await publishOk(feed, withAssets('stable', '1.0.0', [file('linux-x64', 'T-1.0.0.AppImage').asset]));
  await publishOk(feed, withAssets('experimental', '1.1.0-beta.1', [file('linux-x64', 'T-1.1.0-beta.1.AppImage').asset]));
  assert.equal((await yamlOf(feed, 'beta-linux.yml')).version, '1.1.0-beta.1');
  assert.equal((await yamlOf(feed, 'latest-linux.yml')).version, '1.0.0');
  await publishOk(feed, withAssets('stable', '1.1.0', [file('linux-x64', 'T-1.1.0.AppImage').asset]));
  assert.equal((await yamlOf(feed, 'beta-linux.yml')).version, '1.1.0', 'a stable release above the beta reaches beta users');
  assert.equal((await feed.get('/electron-updater/alpha-linux.yml')).status, 404, 'only latest and beta exist');
});

test('strong ETag from the content, 304 on If-None-Match with the same validators, a publish changes it', async () => {
  const feed = await feedFor({ maxAge: 90 });
  await publishOk(feed, withAssets('stable', '1.0.0', [file('linux-x64', 'T-1.0.0.AppImage').asset]));
  const first = await feed.get('/electron-updater/latest-linux.yml');
  const etag = first.headers.get('etag') as string;
  assert.match(etag, /^"[A-Za-z0-9_-]{27}"$/);
  assert.equal(first.headers.get('cache-control'), 'max-age=90');
  const again = await feed.get('/electron-updater/latest-linux.yml', { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), '');
  assert.equal(again.headers.get('etag'), etag);
  assert.equal(again.headers.get('cache-control'), 'max-age=90');
  assert.equal((await feed.get('/electron-updater/latest-linux.yml', { 'if-none-match': `W/${etag}` })).status, 200, 'a weak validator never matches');

  // News on another channel changes nothing here; a new stable release does.
  await publishOk(feed, { channel: 'news', kind: 'news', title: 'Hello', body: '' });
  assert.equal((await feed.get('/electron-updater/latest-linux.yml', { 'if-none-match': etag })).status, 304);
  await publishOk(feed, withAssets('stable', '1.0.1', [file('linux-x64', 'T-1.0.1.AppImage').asset]));
  const changed = await feed.get('/electron-updater/latest-linux.yml', { 'if-none-match': etag });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
  await changed.body?.cancel();

  // The appcast too.
  const mac = file('darwin-universal', 'T-1.0.1.zip');
  await publishOk(feed, withAssets('stable', '1.0.2', [{ ...mac.asset, edSignature: await edSign(mac.bytes, feed.key) }]));
  const cast = await feed.get('/appcast/stable.xml');
  assert.equal(cast.status, 200);
  assert.equal(cast.headers.get('content-type'), 'application/xml; charset=utf-8');
  await cast.body?.cancel();
  assert.equal((await feed.get('/appcast/stable.xml', { 'if-none-match': cast.headers.get('etag') as string })).status, 304);
});

test('read-token auth as on the feed routes: none → 401, a token for other channels → 403, public feeds need none', async () => {
  const feed = await feedFor();
  await publishOk(feed, withAssets('stable', '1.0.0', [file('linux-x64', 'T-1.0.0.AppImage').asset]));
  assert.equal((await fetch(`${feed.url}/electron-updater/latest-linux.yml`)).status, 401);
  const onlyBeta = (await createToken(feed.server.store, { name: 'beta', scopes: ['read'], channels: ['experimental'], now: 1 })).token;
  const asBeta = (path: string) => fetch(`${feed.url}${path}`, { headers: { authorization: `Bearer ${onlyBeta}` } });
  assert.equal((await asBeta('/electron-updater/latest-linux.yml')).status, 403);
  assert.equal((await asBeta('/electron-updater/beta-linux.yml')).status, 403, 'beta files include stable releases');
  assert.equal((await asBeta('/appcast/stable.xml')).status, 403);

  const open = await feedFor({ publicRead: true });
  await publishOk(open, withAssets('stable', '1.0.0', [file('linux-x64', 'T-1.0.0.AppImage').asset]));
  const res = await fetch(`${open.url}/electron-updater/latest-linux.yml`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
  await res.body?.cancel();
});

test('publisher text cannot break the YAML: titles and notes round-trip through electron-updater\'s parser', async () => {
  const nasty = ['yes', '2.1', 'a: b', '- x', '# not a comment', "it's \"quoted\"", 'tab\there', 'line\nbreak\r\n', '\u0085 NEL \u2028 LS', '日本語 🎉', '{ [ ] }', '~', '@at', '*star', '&amp', '!tag', '%percent', '`tick`', '\\back\\slash', ''];
  for (const s of nasty) assert.equal((yamlLoad(`v: ${yamlString(s)}\n`) as { v: string }).v, s, JSON.stringify(s));
  const feed = await feedFor();
  const title = 'Tidings: "2.0" # yes\n- no';
  const body = "## What's new\n\n- key: value\n- 'quoted' and \"double\"\n\ttabbed \u2028 separated\n\n---\n...\n";
  await publishOk(feed, withAssets('stable', '2.0.0', [file('linux-x64', 'T-2.0.0.AppImage').asset], { title, body }));
  const info = await yamlOf(feed, 'latest-linux.yml');
  assert.equal(info.releaseName, title);
  assert.equal(info.releaseNotes, body);
});

test('appcast: Sparkle\'s documented elements, the archive signature verifies with the publisher key over the file', async () => {
  const feed = await feedFor();
  const arm = file('darwin-arm64', 'Tidings-2.0.0-arm64.zip');
  const uni = file('darwin-universal', 'Tidings-2.0.0-universal.dmg');
  const linux = file('linux-x64', 'Tidings-2.0.0.AppImage');
  const body = 'Fixes <script>alert(1)</script> & more';
  await publishOk(feed, withAssets('stable', '1.9.0', [{ ...uni.asset, url: 'https://downloads.example.com/Tidings-1.9.0.dmg', edSignature: await edSign(uni.bytes, feed.key) }], { title: 'Tidings 1.9.0' }));
  await publishOk(feed, withAssets('stable', '2.0.0', [
    { ...arm.asset, edSignature: await edSign(arm.bytes, feed.key) },
    { ...uni.asset, edSignature: await edSign(uni.bytes, feed.key) },
    linux.asset,
  ], { title: 'Tidings 2.0.0', body, release: { version: '2.0.0', critical: true, assets: [] }, target: { minVersion: '1.5.0' } }));
  // Partial rollouts cannot be expressed (Sparkle phases by time): left out of every appcast.
  await publishOk(feed, withAssets('stable', '2.1.0', [{ ...uni.asset, url: 'https://downloads.example.com/T-2.1.0.dmg', edSignature: await edSign(uni.bytes, feed.key) }], { target: { rollout: 50 } }));
  // Unsigned for Sparkle: left out.
  await publishOk(feed, withAssets('stable', '2.2.0', [{ ...uni.asset, url: 'https://downloads.example.com/T-2.2.0.dmg' }]));

  const res = await feed.get('/appcast/stable-arm64.xml');
  assert.equal(res.status, 200);
  const doc = parseXml(await res.text());
  const rss = doc.documentElement;
  assert.equal(rss.getAttribute('version'), '2.0');
  assert.equal(rss.getAttribute('xmlns:sparkle'), SPARKLE_NS);
  const items = Array.from(doc.getElementsByTagName('item'));
  assert.deepEqual(items.map((i) => i.getElementsByTagNameNS(SPARKLE_NS, 'version')[0]?.textContent), ['2.0.0', '1.9.0'], 'newest first, unexpressible ones left out');

  const [newest, older] = items as [XmlElement, XmlElement];
  const one = (el: XmlElement, ns: string | null, name: string) => {
    const found = ns ? el.getElementsByTagNameNS(ns, name) : el.getElementsByTagName(name);
    assert.equal(found.length, 1, `one <${name}>`);
    return found[0] as XmlElement;
  };
  assert.equal(one(newest, null, 'title').textContent, 'Tidings 2.0.0');
  assert.equal(one(newest, SPARKLE_NS, 'shortVersionString').textContent, '2.0.0');
  assert.match(one(newest, null, 'pubDate').textContent, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, 'RFC 822 date');
  assert.ok(Math.abs(Date.parse(one(newest, null, 'pubDate').textContent) / 1000 - Date.now() / 1000) < 60);
  one(newest, SPARKLE_NS, 'criticalUpdate');
  assert.equal(older.getElementsByTagNameNS(SPARKLE_NS, 'criticalUpdate').length, 0);
  assert.equal(one(newest, SPARKLE_NS, 'minimumUpdateVersion').textContent, '1.5.0');
  assert.equal(one(newest, SPARKLE_NS, 'minimumAutoupdateVersion').textContent, '1.5.0');
  assert.equal(newest.getElementsByTagNameNS(SPARKLE_NS, 'minimumSystemVersion').length, 0, 'that one is the macOS version: nothing in the record says it');
  // The notes are shown as written, escaped: never rendered as HTML.
  const notes = one(newest, null, 'description').textContent;
  assert.ok(notes.includes('Fixes &lt;script&gt;alert(1)&lt;/script&gt; &amp; more'), notes);
  assert.ok(!notes.includes('<script>'));

  // The arm64 appcast takes the arm64 zip; the enclosure has what Sparkle verifies.
  const enc = one(newest, null, 'enclosure');
  assert.equal(enc.getAttribute('url'), arm.asset.url);
  assert.equal(enc.getAttribute('length'), String(arm.bytes.length));
  assert.equal(enc.getAttribute('type'), 'application/octet-stream');
  const sig = enc.getAttributeNS(SPARKLE_NS, 'edSignature');
  assert.ok(edVerifies(arm.bytes, feed.key.publicKey, sig), 'verifies as Sparkle does with SUPublicEDKey = the publisher key');
  assert.ok(!edVerifies(uni.bytes, feed.key.publicKey, sig), 'and only over that file');
  // The older release has only a universal build: the arm64 appcast falls back to it.
  assert.equal(one(older, null, 'enclosure').getAttribute('url'), 'https://downloads.example.com/Tidings-1.9.0.dmg');

  // Every sparkle: name used is one Sparkle documents (fixture: its SUConstants element and attribute names).
  const documented = (JSON.parse(readFileSync(new URL('./fixtures/sparkle-names.json', import.meta.url), 'utf8')) as { names: string[] }).names;
  const used = new Set<string>();
  const walk = (el: XmlElement) => {
    for (const child of Array.from(el.childNodes)) {
      if (child.nodeType !== 1) continue;
      if (child.namespaceURI === SPARKLE_NS) used.add(`sparkle:${child.localName}`);
      for (const a of Array.from(child.attributes)) if (a.namespaceURI === SPARKLE_NS) used.add(`sparkle:${a.localName}`);
      walk(child);
    }
  };
  walk(doc as unknown as XmlElement);
  assert.deepEqual([...used].filter((n) => !documented.includes(n)), []);

  // The universal appcast has only universal archives; x64 falls back to them too.
  const universal = parseXml(await (await feed.get('/appcast/stable.xml')).text());
  assert.deepEqual(Array.from(universal.getElementsByTagName('enclosure')).map((e) => e.getAttribute('url')), [uni.asset.url, 'https://downloads.example.com/Tidings-1.9.0.dmg']);
  assert.equal((await feed.get('/appcast/experimental-x64.xml')).status, 200, 'experimental also lists stable releases');
  assert.equal((await feed.get('/appcast/beta.xml')).status, 404);
});

test('the real CLI computes sha512 and the Sparkle signature at publish time, for local files and downloaded URLs; the files carry them', async () => {
  const feed = await feedFor({ allowLoopbackHttp: true });
  const armBytes = Buffer.alloc(250_007, 9);
  const served = await httpServer((req, res) => {
    if (req.url !== '/Tidings-3.0.0-arm64.zip') { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-length': armBytes.length });
    res.end(armBytes);
  });
  const dir = mkdtempSync(join(tmpdir(), 'tidings-legacy-cli-'));
  dirs.push(dir);
  const keyFile = join(dir, 'publisher.key');
  writeFileSync(keyFile, signingKeyPem((feed.key as SigningKey & { pkcs8: Uint8Array }).pkcs8), { mode: 0o600 });
  const zip = join(dir, 'Tidings-3.0.0-mac.zip');
  const appimage = join(dir, 'Tidings-3.0.0.AppImage');
  const zipBytes = Buffer.alloc(300_001, 3);
  const appBytes = Buffer.alloc(200_003, 5);
  writeFileSync(zip, zipBytes);
  writeFileSync(appimage, appBytes);
  const armUrl = `${served.url}/Tidings-3.0.0-arm64.zip`;
  const r = await cli(['publish', 'release', '--channel', 'stable', '--version', '3.0.0', '--asset', `darwin-universal=${zip}`, '--asset', `linux-x64=${appimage}`,
    '--asset', `darwin-arm64=${armUrl}`, '--allow-insecure-loopback',
    '--url', 'https://downloads.example.com/3.0.0/', '--json'], { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: feed.publishToken, TIDINGS_KEY_FILE: keyFile });
  await served.close();
  assert.equal(r.code, 0, r.stderr);
  const stored = JSON.parse(r.stdout) as { release: { assets: Asset[] } };
  const [mac, linux, arm] = stored.release.assets as [Asset, Asset, Asset];
  assert.equal(arm.sha512, sha512(armBytes));
  assert.ok(arm.edSignature && edVerifies(armBytes, feed.key.publicKey, arm.edSignature), 'a downloaded archive is signed over the bytes downloaded');
  assert.equal(mac.sha512, sha512(zipBytes));
  assert.equal(linux.sha512, sha512(appBytes));
  assert.equal(linux.edSignature, undefined, 'only macOS archives are signed for Sparkle');
  assert.ok(mac.edSignature && edVerifies(zipBytes, feed.key.publicKey, mac.edSignature));

  const info = await yamlOf(feed, 'latest-linux.yml');
  assert.deepEqual(info.files, [{ url: 'https://downloads.example.com/3.0.0/Tidings-3.0.0.AppImage', sha512: sha512(appBytes), size: appBytes.length }]);
  assert.equal((await yamlOf(feed, 'latest-mac.yml')).sha512, sha512(zipBytes));
  const cast = parseXml(await (await feed.get('/appcast/stable.xml')).text());
  const enc = cast.getElementsByTagName('enclosure')[0] as XmlElement;
  assert.ok(edVerifies(zipBytes, feed.key.publicKey, enc.getAttributeNS(SPARKLE_NS, 'edSignature')));
  const armCast = parseXml(await (await feed.get('/appcast/stable-arm64.xml')).text());
  const armEnc = armCast.getElementsByTagName('enclosure')[0] as XmlElement;
  assert.equal(armEnc.getAttribute('url'), armUrl);
  assert.ok(edVerifies(armBytes, feed.key.publicKey, armEnc.getAttributeNS(SPARKLE_NS, 'edSignature')));
});

test('static export: the same files at the same paths, byte for byte; one that can no longer be built is removed', async () => {
  const feed = await feedFor();
  const out = mkdtempSync(join(tmpdir(), 'tidings-legacy-static-'));
  dirs.push(out);
  const mac = file('darwin-universal', 'T-1.0.0.zip');
  const only = await publishOk(feed, withAssets('stable', '1.0.0', [file('linux-x64', 'T-1.0.0.AppImage').asset, { ...mac.asset, edSignature: await edSign(mac.bytes, feed.key) }]));
  const first = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) });
  assert.deepEqual(first.legacy.files.sort(), [
    'appcast/experimental-arm64.xml', 'appcast/experimental-x64.xml', 'appcast/experimental.xml',
    'appcast/stable-arm64.xml', 'appcast/stable-x64.xml', 'appcast/stable.xml',
    'electron-updater/beta-linux.yml', 'electron-updater/beta-mac.yml', 'electron-updater/latest-linux.yml', 'electron-updater/latest-mac.yml',
  ]);
  for (const path of first.legacy.files) {
    assert.equal(readFileSync(join(out, path), 'utf8'), await (await feed.get(`/${path}`)).text(), path);
  }
  const again = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) });
  assert.deepEqual([again.legacy.written, again.legacy.unchanged], [0, first.legacy.files.length]);

  await publishOk(feed, { channel: 'stable', kind: 'retraction', title: '', body: '', retracts: only.id });
  const third = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) });
  assert.deepEqual(third.legacy.files, []);
  assert.equal(third.legacy.removed, first.legacy.files.length);
  assert.ok(!existsSync(join(out, 'electron-updater', 'latest-linux.yml')), 'a static host no longer offers a retracted release');
});

test('unknown legacy paths are a plain 404', async () => {
  const feed = await feedFor();
  for (const path of ['/electron-updater/latest-windows.yml', '/electron-updater/..%2Fv1%2Fheads', '/appcast/stable.rss', '/appcast/news.xml']) {
    const res = await feed.get(path);
    assert.equal(res.status, 404, path);
    assert.equal((await json<{ error: { code: string } }>(res)).error.code, 'not_found', path);
  }
});
