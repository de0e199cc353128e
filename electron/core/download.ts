// Verified download: the asset is streamed to "<name>.part" with progress and cancel, checked against the signed
// size and sha256, and renamed into place only when both match; otherwise deleted and reported. A partial file
// left by a dropped connection is resumed with Range when the server answers 206.
import http from 'node:http';
import https from 'node:https';
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isAllowedUrl } from '../../shared/protocol/limits.ts';
import { systemClock, type Clock } from './types.ts';

export type DownloadFailure = 'refused-url' | 'network' | 'disk' | 'timeout' | 'http' | 'size-mismatch' | 'hash-mismatch' | 'cancelled' | 'redirect';

export class DownloadError extends Error {
  readonly kind: DownloadFailure;
  constructor(kind: DownloadFailure, message: string) {
    super(message);
    this.name = 'DownloadError';
    this.kind = kind;
  }
}

export interface DownloadProgress {
  received: number;
  total: number;
}

export interface DownloadOptions {
  url: string;
  sha256: string;
  size: number;
  dir: string;
  fileName: string;
  allowLoopbackHttp: boolean;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  connectMs?: number;
  idleMs?: number;
  /** The connect and idle deadlines run on this clock (the companion's, so tests drive it; reliability.md case 54). */
  clock?: Clock;
}

/** The URL's last path segment when it is a plain safe name, else the fallback (never a separator or '..'). */
export function safeFileName(url: string, fallback: string): string {
  let last = '';
  try {
    last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    last = '';
  }
  const ok = (n: string) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(n) && !n.includes('..');
  return ok(last) ? last : fallback.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.\.+/g, '.');
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

export interface Opened {
  res: http.IncomingMessage;
  req: http.ClientRequest;
}

export type RequestOptions = Pick<DownloadOptions, 'allowLoopbackHttp' | 'signal' | 'connectMs' | 'idleMs' | 'clock'>;

/**
 * GET with redirects to https on any host (the signed hash decides, protocol.md), connect and idle deadlines.
 * `from` > 0 asks for the rest of the file; `to` too asks for bytes from..to (the chunk fetches of delta/).
 */
export function open(url: URL, opts: RequestOptions, from: number, hops = 0, to?: number): Promise<Opened> {
  return new Promise((resolve, reject) => {
    if (!isAllowedUrl(url.href, opts.allowLoopbackHttp)) return reject(new DownloadError('refused-url', `refusing ${url.protocol}//${url.host}: only https`));
    const mod = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'Tidings' };
    if (to !== undefined) headers.range = `bytes=${from}-${to}`;
    else if (from > 0) headers.range = `bytes=${from}-`;
    // The signal goes with the request: a Cancel before the server has answered aborts it too.
    const req = mod.request(url, { headers, agent: false, ...(opts.signal ? { signal: opts.signal } : {}) });
    const clock = opts.clock ?? systemClock;
    const connect = clock.setTimeout(() => req.destroy(new DownloadError('timeout', 'no connection')), opts.connectMs ?? 15_000);
    // Idle: re-armed on every byte from the server, dropped when the socket closes (one socket per request).
    let idle: unknown = null;
    const stopIdle = () => {
      if (idle !== null) clock.clearTimeout(idle);
      idle = null;
    };
    const rearm = () => {
      stopIdle();
      idle = clock.setTimeout(() => req.destroy(new DownloadError('timeout', 'the server went quiet')), opts.idleMs ?? 30_000);
    };
    req.on('socket', (s) => {
      s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clock.clearTimeout(connect);
        rearm();
      });
      s.on('data', rearm);
      s.once('close', () => {
        clock.clearTimeout(connect);
        stopIdle();
      });
    });
    req.on('error', (e) => {
      clock.clearTimeout(connect);
      reject(opts.signal?.aborted ? new DownloadError('cancelled', 'download cancelled') : e instanceof DownloadError ? e : new DownloadError('network', e.message));
    });
    req.on('response', (res) => {
      clock.clearTimeout(connect);
      const loc = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && loc) {
        res.resume();
        req.destroy();
        if (hops >= 5) return reject(new DownloadError('redirect', 'too many redirects'));
        return open(new URL(loc, url), opts, from, hops + 1, to).then(resolve, reject);
      }
      resolve({ res, req });
    });
    req.end();
  });
}

export async function downloadAsset(opts: DownloadOptions): Promise<{ path: string }> {
  const final = join(opts.dir, opts.fileName);
  const part = `${final}.part`;
  let hash = createHash('sha256');
  let from = existsSync(part) ? statSync(part).size : 0;
  if (from >= opts.size) {
    rmSync(part, { force: true });
    from = 0;
  }
  if (opts.signal?.aborted) throw new DownloadError('cancelled', 'download cancelled');
  // Hash what we already have before asking, so the answer's listeners attach in the same tick it arrives.
  if (from > 0) await hashFile(part, hash);
  let { res, req } = await open(new URL(opts.url), opts, from);
  const resumed = from > 0 && res.statusCode === 206 && new RegExp(`^bytes ${from}-`).test(String(res.headers['content-range'] ?? ''));
  if (from > 0 && !resumed) {
    // The server ignored the Range (or the part is stale): start over.
    res.resume();
    req.destroy();
    rmSync(part, { force: true });
    from = 0;
    hash = createHash('sha256');
    ({ res, req } = await open(new URL(opts.url), opts, 0));
  }
  if (opts.signal?.aborted) {
    res.resume();
    req.destroy();
    throw new DownloadError('cancelled', 'download cancelled');
  }
  if (res.statusCode !== 200 && res.statusCode !== 206) {
    res.resume();
    req.destroy();
    throw new DownloadError('http', `the download answered HTTP ${res.statusCode}`);
  }
  const out = createWriteStream(part, { fd: openSync(part, from > 0 ? 'a' : 'w') });
  let received = from;
  let lastEmit = 0;
  const emit = (force = false) => {
    const now = Date.now();
    if (force || now - lastEmit >= 100) {
      lastEmit = now;
      opts.onProgress?.({ received, total: opts.size });
    }
  };
  // The first reason wins: destroying the request also fires generic errors we must not report instead.
  let failure: DownloadError | null = null;
  const stop = (e: DownloadError) => {
    failure ??= e;
    req.destroy();
  };
  const onAbort = () => stop(new DownloadError('cancelled', 'download cancelled'));
  opts.signal?.addEventListener('abort', onAbort);
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (e: DownloadError) => reject(failure ?? e);
      let ended = false;
      res.on('close', () => ended || fail(new DownloadError('network', 'the connection dropped')));
      out.on('error', (e) => stop(new DownloadError('disk', `cannot write the download: ${e.message}`)));
      res.on('data', (chunk: Buffer) => {
        if (failure || out.destroyed) return;
        received += chunk.length;
        if (received > opts.size) return stop(new DownloadError('size-mismatch', `the file is longer than the signed ${opts.size} bytes`));
        hash.update(chunk);
        if (!out.write(chunk)) res.pause();
        emit();
      });
      out.on('drain', () => res.resume());
      res.on('error', (e) => fail(e instanceof DownloadError ? e : new DownloadError('network', e.message)));
      req.on('error', (e) => fail(e instanceof DownloadError ? e : new DownloadError('network', e.message)));
      res.on('aborted', () => fail(new DownloadError('network', 'the connection dropped')));
      res.on('end', () => {
        ended = true;
        if (res.complete && !failure) resolve();
        else fail(new DownloadError('network', 'the connection dropped'));
      });
    });
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  } catch (err) {
    res.destroy();
    req.destroy();
    if (!out.closed) await new Promise<void>((r) => {
      out.once('close', () => r());
      out.destroy();
    });
    const kind = (err as DownloadError).kind;
    // A dropped connection keeps the part for a resume; anything else deletes it.
    if (kind !== 'network' && kind !== 'timeout') rmSync(part, { force: true });
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  emit(true);
  if (received !== opts.size) {
    rmSync(part, { force: true });
    throw new DownloadError('size-mismatch', `got ${received} bytes, the signed record says ${opts.size}`);
  }
  if (hash.digest('hex') !== opts.sha256) {
    rmSync(part, { force: true });
    throw new DownloadError('hash-mismatch', 'the file does not match the signed sha256');
  }
  renameSync(part, final);
  return { path: final };
}
