// The delta download against a real HTTP server on loopback that honours Range (docs/delta.md): patch from the
// installed version, else chunk reuse, else the full file; a corrupt patch, a patch that yields other bytes, a
// missing installed file and a server without Range each still end with the right file; an interrupted
// assembly resumes after its last good chunk; progress counts the bytes really received.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { downloadUpdate, type DeltaAsset, type DeltaProgress } from '../../electron/core/delta/index.ts';
import { DownloadError } from '../../electron/core/download.ts';
import { makePatch } from '../../shared/node/patch.ts';
import { writeChunkMap } from '../../shared/node/chunks.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Host {
  ranges: boolean;
  /** Called per request; return true when it answered (a fault). */
  fault?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Response body bytes sent, per path. */
  sent: Map<string, number>;
}

/** Files from a folder; `Range: bytes=a-b` and `bytes=a-` answered with 206 unless ranges is off. */
function rangeHost(dir: string, host: Host) {
  const root = resolve(dir);
  return (req: IncomingMessage, res: ServerResponse) => {
    if (host.fault?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = resolve(join(root, path));
    if (!file.startsWith(root + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    let slice = body;
    if (host.ranges && m) {
      const from = Number(m[1]);
      const to = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      slice = body.subarray(from, to + 1);
      res.writeHead(206, { 'content-length': slice.length, 'content-range': `bytes ${from}-${to}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    host.sent.set(path, (host.sent.get(path) ?? 0) + slice.length);
    res.end(slice);
  };
}

interface Release {
  old: Buffer;
  neu: Buffer;
  installed: string;
  asset: DeltaAsset;
  pub: string;
  dl: string;
  host: Host;
  url: string;
}

/** 2.0.0 installed; 2.1.0 published with a patch from 2.0.0 and a chunk map, on a loopback server. */
async function release(t: TestContext, opts: { patch?: boolean; chunks?: boolean; otherBuild?: boolean } = {}): Promise<Release> {
  const root = tempDir(t);
  const pub = join(root, 'pub');
  const dl = join(root, 'dl');
  for (const d of [pub, dl]) mkdirSync(d);
  const old = randomBytes(3 * 1024 * 1024);
  // Three edits far apart: a few chunks differ, in separate runs.
  const neu = Buffer.concat([old.subarray(0, 500_000), Buffer.from('inserted in 2.1.0'), old.subarray(500_000)]);
  neu.write('changed', 1_500_000);
  randomBytes(1000).copy(neu, 2_600_000);
  const installed = join(root, 'App-2.0.0.AppImage');
  // Another build of 2.0.0: one region the new version keeps differs, so the patch yields wrong bytes.
  const mine = Buffer.from(old);
  if (opts.otherBuild) mine.write('another build', 2_000_000);
  writeFileSync(installed, mine);
  writeFileSync(join(pub, 'App-2.1.0.AppImage'), neu);
  const host: Host = { ranges: true, sent: new Map() };
  const srv = await startFaultServer(t, rangeHost(pub, host));
  const asset: DeltaAsset = { url: `${srv.url}/App-2.1.0.AppImage`, sha256: sha(neu), size: neu.length };
  if (opts.patch !== false) {
    const base = join(root, 'patch-base');
    writeFileSync(base, old);
    const p = await makePatch(base, join(pub, 'App-2.1.0.AppImage'), join(pub, 'App-2.1.0.AppImage.from-2.0.0.patch'));
    asset.patches = [{ from: '2.0.0', url: `${srv.url}/App-2.1.0.AppImage.from-2.0.0.patch`, ...p }];
  }
  if (opts.chunks !== false) {
    const c = await writeChunkMap(join(pub, 'App-2.1.0.AppImage'), join(pub, 'App-2.1.0.AppImage.chunks'));
    asset.chunks = { url: `${srv.url}/App-2.1.0.AppImage.chunks`, sha256: c.sha256, size: c.size };
  }
  return { old, neu, installed, asset, pub, dl, host, url: srv.url };
}

function run(r: Release, progress: DeltaProgress[] = [], installedFile: string | null = r.installed) {
  return downloadUpdate({
    asset: r.asset, installed: { version: '2.0.0', file: installedFile }, dir: r.dl, fileName: 'App-2.1.0.AppImage',
    allowLoopbackHttp: true, onProgress: (p) => progress.push(p),
  });
}

const sentTotal = (h: Host) => [...h.sent.values()].reduce((a, b) => a + b, 0);

test('a patch from the installed version is all that is downloaded; progress ends at the bytes received', async (t) => {
  const r = await release(t);
  const seen: DeltaProgress[] = [];
  const res = await run(r, seen);
  assert.equal(res.method, 'patch');
  assert.deepEqual(res.fellBack, []);
  assert.ok(readFileSync(res.path).equals(r.neu));
  const patchSize = (r.asset.patches?.[0] as { size: number }).size;
  assert.equal(res.downloaded, patchSize);
  assert.equal(sentTotal(r.host), patchSize);
  assert.ok(patchSize < r.neu.length * 0.01, `patch ${patchSize} bytes`);
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
  const last = seen.at(-1) as DeltaProgress;
  assert.equal(last.received, patchSize);
  assert.equal(last.total, patchSize);
  for (let i = 1; i < seen.length; i++) assert.ok((seen[i] as DeltaProgress).received >= (seen[i - 1] as DeltaProgress).received);
});

test('a patch damaged on the server (hash mismatch) falls back to chunk reuse in the same call', async (t) => {
  const r = await release(t);
  const p = join(r.pub, 'App-2.1.0.AppImage.from-2.0.0.patch');
  const bad = readFileSync(p);
  bad[bad.length >> 1] = (bad[bad.length >> 1] as number) ^ 1;
  writeFileSync(p, bad);
  const res = await run(r);
  assert.equal(res.method, 'chunks');
  assert.match(res.fellBack[0] as string, /patch from 2\.0\.0: .*sha256/);
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
  // The chunk step fetched the map and a few chunks, not the file.
  const full = r.host.sent.get('/App-2.1.0.AppImage') ?? 0;
  assert.ok(full > 0 && full < r.neu.length / 4, `fetched ${full} bytes of the full file by Range`);
});

test('a correctly signed patch that produces the wrong bytes (the installed file is another build) falls back to the full file', async (t) => {
  const r = await release(t, { chunks: false, otherBuild: true });
  const seen: DeltaProgress[] = [];
  const res = await run(r, seen);
  assert.equal(res.method, 'full');
  assert.equal(res.fellBack.length, 1);
  assert.match(res.fellBack[0] as string, /patch from 2\.0\.0: (the patch does not apply|the patched file does not match)/);
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
  // Progress counts the patch that was thrown away too: it was really downloaded.
  const patchSize = (r.asset.patches?.[0] as { size: number }).size;
  assert.equal(res.downloaded, patchSize + r.neu.length);
  assert.equal((seen.at(-1) as DeltaProgress).received, patchSize + r.neu.length);
  assert.equal((seen.at(-1) as DeltaProgress).method, 'full');
});

test('no patch from the installed version: chunks it already has are reused, the rest fetched by Range', async (t) => {
  const r = await release(t, { patch: false });
  const seen: DeltaProgress[] = [];
  const res = await run(r, seen);
  assert.equal(res.method, 'chunks');
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.equal(res.downloaded, sentTotal(r.host));
  assert.ok(res.downloaded < r.neu.length / 4, `downloaded ${res.downloaded} of ${r.neu.length}`);
  assert.equal((seen.at(-1) as DeltaProgress).received, res.downloaded);
  assert.equal((seen.at(-1) as DeltaProgress).total, res.downloaded);
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
});

test('a missing installed file skips patch and chunks: the full file', async (t) => {
  const r = await release(t);
  const res = await run(r, [], join(r.dl, 'gone.AppImage'));
  assert.equal(res.method, 'full');
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.deepEqual([...r.host.sent.keys()], ['/App-2.1.0.AppImage']);
  const none = await downloadUpdate({ asset: r.asset, installed: null, dir: r.dl, fileName: 'again.AppImage', allowLoopbackHttp: true });
  assert.equal(none.method, 'full');
});

test('a server that ignores Range: chunk reuse gives up at once and the full file is downloaded', async (t) => {
  const r = await release(t, { patch: false });
  r.host.ranges = false;
  const res = await run(r);
  assert.equal(res.method, 'full');
  assert.match(res.fellBack[0] as string, /chunk reuse: the server does not answer Range requests/);
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
});

test('an assembly cut off mid-way resumes after its last good chunk; chunks already written are not fetched again', async (t) => {
  const r = await release(t, { patch: false });
  let ranges = 0;
  const asked: string[] = [];
  r.host.fault = (req, res) => {
    if (!req.headers.range || !req.url?.endsWith('.AppImage')) return false;
    asked.push(String(req.headers.range));
    if (++ranges === 2) {
      const [from, to] = String(req.headers.range).slice(6).split('-').map(Number) as [number, number];
      res.writeHead(206, { 'content-length': to - from + 1, 'content-range': `bytes ${from}-${to}/${r.neu.length}` });
      res.write(Buffer.alloc(10), () => res.socket?.destroy());
      return true;
    }
    return false;
  };
  await assert.rejects(run(r), (e: unknown) => e instanceof DownloadError && e.kind === 'network');
  assert.equal(asked.length, 2);
  const part = join(r.dl, 'App-2.1.0.AppImage.assembling');
  assert.ok(existsSync(part) && statSync(part).size > 0, 'the part file is kept for the resume');
  const firstRange = asked[0] as string;
  r.host.fault = (req) => {
    if (req.headers.range && req.url?.endsWith('.AppImage')) asked.push(`again ${String(req.headers.range)}`);
    return false;
  };
  const res = await run(r);
  assert.equal(res.method, 'chunks');
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.ok(!asked.includes(`again ${firstRange}`), `the first run's chunks were fetched again: ${asked.join(', ')}`);
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
});

test('a chunk the server sends wrong is caught by its hash: fall back to the full file', async (t) => {
  const r = await release(t, { patch: false });
  r.host.fault = (req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range ?? ''));
    if (!m || !req.url?.endsWith('.AppImage')) return false;
    const len = Number(m[2]) - Number(m[1]) + 1;
    res.writeHead(206, { 'content-length': len, 'content-range': `bytes ${m[1]}-${m[2]}/${r.neu.length}` });
    res.end(randomBytes(len));
    return true;
  };
  const res = await run(r);
  assert.equal(res.method, 'full');
  assert.match(res.fellBack[0] as string, /chunk reuse: chunk at \d+ does not match the signed chunk map/);
  assert.ok(readFileSync(res.path).equals(r.neu));
  assert.deepEqual(readdirSync(r.dl), ['App-2.1.0.AppImage']);
});

test('cancel during chunk fetches stops with cancelled', async (t) => {
  const r = await release(t, { patch: false });
  const ac = new AbortController();
  r.host.fault = (req) => {
    if (req.headers.range && req.url?.endsWith('.AppImage')) ac.abort();
    return false;
  };
  await assert.rejects(downloadUpdate({
    asset: r.asset, installed: { version: '2.0.0', file: r.installed }, dir: r.dl, fileName: 'App-2.1.0.AppImage', allowLoopbackHttp: true, signal: ac.signal,
  }), (e: unknown) => e instanceof DownloadError && e.kind === 'cancelled');
  assert.equal(existsSync(join(r.dl, 'App-2.1.0.AppImage')), false);
});
