// Verified download (cases 26 and P6): progress, cancel, size and hash checks, Range resume, safe file names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { downloadAsset, safeFileName, DownloadError } from '../../electron/core/download.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';

const file = randomBytes(300_000);
const sha = createHash('sha256').update(file).digest('hex');

/** Serves `body` in small chunks with an optional Range honour. */
function serve(body: Buffer, opts: { ranges?: boolean; dropAt?: number } = {}) {
  return (q: IncomingMessage, r: ServerResponse) => {
    const m = /^bytes=(\d+)-$/.exec(String(q.headers.range ?? ''));
    const from = opts.ranges && m ? Number(m[1]) : 0;
    const slice = body.subarray(from);
    r.writeHead(from ? 206 : 200, { 'content-length': slice.length, ...(from ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
    if (opts.dropAt !== undefined && !from) {
      r.write(slice.subarray(0, opts.dropAt), () => r.socket?.end());
      return;
    }
    r.end(slice);
  };
}

test('a good download reports progress and is moved into place only after size and sha256 match', async (t) => {
  const srv = await startFaultServer(t, serve(file));
  const dir = tempDir(t);
  const seen: number[] = [];
  const { path } = await downloadAsset({ url: `${srv.url}/dl/Tidings-2.1.0.AppImage`, sha256: sha, size: file.length, dir, fileName: 'Tidings-2.1.0.AppImage', allowLoopbackHttp: true, onProgress: (p) => seen.push(p.received) });
  assert.deepEqual(readFileSync(path), file);
  assert.equal(seen.at(-1), file.length);
  assert.deepEqual(readdirSync(dir), ['Tidings-2.1.0.AppImage']);
});

test('case 26: a hash mismatch or a longer file deletes the temp file and reports the reason', async (t) => {
  const tampered = Buffer.from(file);
  tampered[1000] = tampered[1000]! ^ 1;
  const srv = await startFaultServer(t, serve(tampered));
  const dir = tempDir(t);
  const base = { url: `${srv.url}/a.bin`, size: file.length, dir, fileName: 'a.bin', allowLoopbackHttp: true };
  await assert.rejects(downloadAsset({ ...base, sha256: sha }), (e: unknown) => e instanceof DownloadError && e.kind === 'hash-mismatch');
  assert.deepEqual(readdirSync(dir), []);
  srv.handler = serve(Buffer.concat([file, Buffer.from('extra')]));
  await assert.rejects(downloadAsset({ ...base, sha256: sha }), (e: unknown) => e instanceof DownloadError && e.kind === 'size-mismatch');
  assert.deepEqual(readdirSync(dir), []);
  srv.handler = serve(file.subarray(0, 1000));
  await assert.rejects(downloadAsset({ ...base, sha256: sha }), (e: unknown) => e instanceof DownloadError && /network|size-mismatch/.test(e.kind));
  assert.ok(!existsSync(join(dir, 'a.bin')));
});

test('a dropped connection keeps the part; the next attempt resumes with Range and verifies the whole file', async (t) => {
  const srv = await startFaultServer(t, serve(file, { ranges: true, dropAt: 120_000 }));
  const dir = tempDir(t);
  const base = { url: `${srv.url}/a.bin`, sha256: sha, size: file.length, dir, fileName: 'a.bin', allowLoopbackHttp: true };
  await assert.rejects(downloadAsset(base), (e: unknown) => e instanceof DownloadError && e.kind === 'network');
  // How much of the 120,000 bytes sent arrives before the drop is up to the kernel; the resume must ask for
  // exactly what the part holds.
  const kept = statSync(join(dir, 'a.bin.part')).size;
  assert.ok(kept > 0 && kept <= 120_000, `part holds ${kept} bytes`);
  const { path } = await downloadAsset(base);
  assert.deepEqual(readFileSync(path), file);
  assert.equal(srv.requests.at(-1)?.headers.range, `bytes=${kept}-`);
});

test('a server that ignores Range restarts from zero; a stale part with bad bytes never passes', async (t) => {
  const srv = await startFaultServer(t, serve(file));
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.bin.part'), Buffer.alloc(5000, 1));
  const { path } = await downloadAsset({ url: `${srv.url}/a.bin`, sha256: sha, size: file.length, dir, fileName: 'a.bin', allowLoopbackHttp: true });
  assert.deepEqual(readFileSync(path), file);
});

test('cancel stops the transfer and removes the temp file', async (t) => {
  const srv = await startFaultServer(t, (_q, r) => {
    r.writeHead(200, { 'content-length': file.length });
    r.write(file.subarray(0, 1000));
  });
  const dir = tempDir(t);
  const ac = new AbortController();
  const p = downloadAsset({ url: `${srv.url}/a.bin`, sha256: sha, size: file.length, dir, fileName: 'a.bin', allowLoopbackHttp: true, signal: ac.signal, onProgress: () => ac.abort() });
  await assert.rejects(p, (e: unknown) => e instanceof DownloadError && e.kind === 'cancelled');
  assert.deepEqual(readdirSync(dir), []);
});

test('cancel before the server has answered: nothing is verified, nothing kept, the request is gone', async (t) => {
  let answer: (() => void) | null = null;
  const srv = await startFaultServer(t, (_q, r) => {
    // Holds the answer until the test lets it go (after the cancel).
    answer = () => { r.writeHead(200, { 'content-length': file.length }); r.end(file); };
  });
  const dir = tempDir(t);
  const ac = new AbortController();
  const p = downloadAsset({ url: `${srv.url}/a.bin`, sha256: sha, size: file.length, dir, fileName: 'a.bin', allowLoopbackHttp: true, signal: ac.signal });
  for (let i = 0; i < 100 && !answer; i++) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  (answer as (() => void) | null)?.();
  await assert.rejects(p, (e: unknown) => e instanceof DownloadError && e.kind === 'cancelled');
  assert.deepEqual(readdirSync(dir), []);
});

test('file names from URLs are plain names or the fallback; http to a public host is refused', async (t) => {
  assert.equal(safeFileName('https://x/dl/Tidings-2.1.0.AppImage?sig=1', 'f'), 'Tidings-2.1.0.AppImage');
  assert.equal(safeFileName('https://x/dl/..%2F..%2Fetc%2Fpasswd', 'Tidings-2.1.0-linux-x64'), 'Tidings-2.1.0-linux-x64');
  assert.equal(safeFileName('https://x/', 'Tidings-2.1.0-linux-x64'), 'Tidings-2.1.0-linux-x64');
  assert.equal(safeFileName('https://x/a%00b', 'f/../g'), 'f_.._g'.replace('..', '.'));
  const dir = tempDir(t);
  await assert.rejects(downloadAsset({ url: 'http://example.com/a', sha256: sha, size: 1, dir, fileName: 'a', allowLoopbackHttp: true }), /only https/);
});

test('case 54: a download whose server goes quiet is given up at the idle deadline of the injected clock, not before', async (t) => {
  const { FakeClock } = await import('./helpers/fake-clock.ts');
  const clock = new FakeClock();
  const body = randomBytes(64 * 1024);
  // Headers and the first half, then silence (the connection stays open).
  const srv = await startFaultServer(t, (_q: IncomingMessage, r: ServerResponse) => {
    r.writeHead(200, { 'content-length': body.length });
    r.write(body.subarray(0, body.length / 2));
  });
  const dir = tempDir(t);
  const state: { settled: unknown } = { settled: null };
  const p = downloadAsset({
    url: `${srv.url}/a.bin`, sha256: createHash('sha256').update(body).digest('hex'), size: body.length, dir, fileName: 'a.bin',
    allowLoopbackHttp: true, idleMs: 30_000, clock,
  }).then((v) => (state.settled = v), (e: unknown) => (state.settled = e));
  // Real time passes (the half arrives), the fake clock doesn't: nothing gives up.
  for (let i = 0; i < 50 && clock.pending() < 1; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  await clock.advance(29_000);
  assert.equal(state.settled === null, true, 'still waiting before the idle deadline');
  await clock.advance(1_500);
  await p;
  const settled = (state as { settled: unknown }).settled as DownloadError | Error;
  assert.ok(settled instanceof DownloadError && settled.kind === 'timeout', String(settled));
  assert.match(settled.message, /went quiet/);
});
