// `tidings publish release --patch-from … --chunk-map` through the real CLI against a real feed service: the
// patch and chunk map are written beside the asset, their sha256 and size are in the signed record, and a
// client installed at the old version downloads only the patch from where the record says. Bad flags get one
// line and publish nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';
import { KeyRing } from '../../shared/protocol/signing.ts';
import { decodeChunkMap } from '../../shared/node/chunks.ts';
import { downloadUpdate, type DeltaAsset } from '../../electron/core/delta/index.ts';
import { cli, httpServer, oneLine } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidings-cli-delta-'));
const pub = join(dir, 'pub');
const keyFile = join(dir, 'publisher.key');
const oldFile = join(dir, 'Tidings-2.0.0.AppImage');
const newFile = join(pub, 'Tidings-2.1.0.AppImage');
const oldBytes = randomBytes(2 * 1024 * 1024);
const newBytes = Buffer.concat([oldBytes.subarray(0, 700_000), Buffer.from('new in 2.1.0'), oldBytes.subarray(700_000)]);
let feed: Awaited<ReturnType<typeof startServer>>;
let files: Awaited<ReturnType<typeof httpServer>>;
let env: Record<string, string> = {};
let publicKey = '';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  mkdirSync(pub);
  writeFileSync(oldFile, oldBytes);
  writeFileSync(newFile, newBytes);
  feed = await startServer({ db: join(dir, 'feed.db'), port: 0, host: '127.0.0.1', publicRead: true, allowLoopbackHttp: true, logger: false });
  // Where the publisher uploads: serves pub/ under /2.1.0/, with Range.
  files = await httpServer((req, res) => {
    const name = (req.url ?? '').replace(/^\/2\.1\.0\//, '');
    const file = join(pub, name);
    if (name.includes('/') || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (m) {
      const to = m[2] ? Number(m[2]) : body.length - 1;
      res.writeHead(206, { 'content-range': `bytes ${m[1]}-${to}/${body.length}`, 'content-length': to - Number(m[1]) + 1 });
      res.end(body.subarray(Number(m[1]), to + 1));
    } else {
      res.writeHead(200, { 'content-length': body.length }).end(body);
    }
  });
  const key = await cli(['keygen', '--out', keyFile, '--json']);
  publicKey = (JSON.parse(key.stdout) as { publicKey: string }).publicKey;
  assert.equal((await cli(['key', 'add', publicKey, '--db', join(dir, 'feed.db')])).code, 0);
  const tok = await cli(['token', 'create', '--db', join(dir, 'feed.db'), '--scope', 'publish', '--json']);
  env = { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: (JSON.parse(tok.stdout) as { token: string }).token, TIDINGS_KEY_FILE: keyFile };
});
after(async () => {
  await feed.close();
  await files.close();
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ['publish', 'release', '--channel', 'stable', '--version', '2.1.0', '--asset', `linux-x64=${newFile}`, '--url', `${files.url}/2.1.0/`, '--allow-insecure-loopback'];

async function published(): Promise<number> {
  const r = await cli(['list', '--channel', 'stable', '--json'], env);
  return (JSON.parse(r.stdout) as { messages: unknown[] }).messages.length;
}

test('bad --patch-from flags get one line and publish nothing', async () => {
  const cases: [string[], RegExp, number][] = [
    [['--patch-from', `2.1.0=${oldFile}`], /a patch must come from an earlier version than 2\.1\.0/, 2],
    [['--patch-from', `two=${oldFile}`], /"two" is not a semantic version/, 2],
    [['--patch-from', `darwin-arm64@2.0.0=${oldFile}`], /no --asset for darwin-arm64/, 2],
    [['--patch-from', oldFile], /must be \[platform@\]version=old file/, 2],
    [['--patch-from', `2.0.0=${join(dir, 'missing.AppImage')}`], /--patch-from 2\.0\.0: cannot read the old file .*missing\.AppImage/, 1],
  ];
  for (const [flags, message, code] of cases) {
    const r = await cli([...base(), ...flags], env);
    assert.equal(r.code, code, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(oneLine(r), message);
  }
  const url = await cli(['publish', 'release', '--channel', 'stable', '--version', '2.1.0', '--asset', `linux-x64=${files.url}/2.1.0/Tidings-2.1.0.AppImage`, '--allow-insecure-loopback', '--chunk-map'], env);
  assert.equal(url.code, 2);
  assert.match(oneLine(url), /need local asset files: linux-x64 is a URL/);
  assert.equal(await published(), 0);
  assert.ok(!existsSync(`${newFile}.from-2.0.0.patch`) && !existsSync(`${newFile}.chunks`), 'no stray files');
});

test('--patch-from writes the patch and chunk map beside the asset, signs them into the record, and a 2.0.0 install downloads only the patch', async () => {
  const r = await cli([...base(), '--patch-from', `linux-x64@2.0.0=${oldFile}`, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const stored = JSON.parse(r.stdout) as Record<string, unknown> & { release: { assets: DeltaAsset[] } };
  const asset = stored.release.assets[0] as DeltaAsset;
  const patchBytes = readFileSync(`${newFile}.from-2.0.0.patch`);
  const mapBytes = readFileSync(`${newFile}.chunks`);
  assert.deepEqual(asset.patches, [{ from: '2.0.0', url: `${files.url}/2.1.0/Tidings-2.1.0.AppImage.from-2.0.0.patch`, sha256: sha(patchBytes), size: patchBytes.length }]);
  assert.deepEqual(asset.chunks, { url: `${files.url}/2.1.0/Tidings-2.1.0.AppImage.chunks`, sha256: sha(mapBytes), size: mapBytes.length });
  assert.equal(decodeChunkMap(mapBytes).size, newBytes.length);
  assert.ok(patchBytes.length < 4096, `patch of ${patchBytes.length} bytes`);
  const ring = await KeyRing.from([publicKey]);
  assert.deepEqual(await ring.verify(stored as { sig?: unknown }), { ok: true, keyId: ring.ids()[0] });
  assert.match(r.stderr, /making the patch from 2\.0\.0/);

  const dl = join(dir, 'dl');
  mkdirSync(dl);
  const res = await downloadUpdate({ asset, installed: { version: '2.0.0', file: oldFile }, dir: dl, fileName: 'Tidings-2.1.0.AppImage', allowLoopbackHttp: true });
  assert.equal(res.method, 'patch');
  assert.equal(res.downloaded, patchBytes.length);
  assert.ok(readFileSync(res.path).equals(newBytes));

  // The plain output tells the publisher what to upload where.
  const text = await cli([...base(), '--patch-from', `2.0.0=${oldFile}`, '--id', 'again'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`upload ${newFile.replace(/[.]/g, '\\.')}\\.from-2\\.0\\.0\\.patch \\(\\d+ bytes\\) to http://127\\.0\\.0\\.1:\\d+/2\\.1\\.0/Tidings-2\\.1\\.0\\.AppImage\\.from-2\\.0\\.0\\.patch`));
  assert.match(text.stdout, /upload .*Tidings-2\.1\.0\.AppImage\.chunks \(\d+ bytes\) to /);
});
