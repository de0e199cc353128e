// Size and SHA-256 of a release asset, for every publisher (the CLI and the companion's publisher page):
// a local file read as a stream (never whole into memory), or a download from an https URL (loopback http
// only when allowed), with progress callbacks. Node-only (node:fs, node:crypto): shared/node/ is the
// sublayer server/, electron/core and preview/ may use and the renderer and preload may not.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAllowedUrl } from '../protocol/limits.ts';
import { fetchFailure } from '../publish/feed.ts';

export interface Hashed {
  sha256: string;
  size: number;
}

/**
 * What else a caller wants from the same pass over the bytes: SHA-512 (base64, for electron-updater), and
 * the whole file in memory (to sign it for Sparkle: Ed25519 needs the complete message).
 */
export interface Extra {
  sha512?: boolean;
  keepBytes?: boolean;
}

export interface HashedExtra extends Hashed {
  sha512?: string;
  bytes?: Buffer;
}

/** One pass feeding every digest asked for. */
function digests(extra: Extra) {
  const sha256 = createHash('sha256');
  const sha512 = extra.sha512 ? createHash('sha512') : null;
  const chunks: Buffer[] | null = extra.keepBytes ? [] : null;
  return {
    update(chunk: Uint8Array) {
      sha256.update(chunk);
      sha512?.update(chunk);
      chunks?.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    },
    result(size: number): HashedExtra {
      return {
        sha256: sha256.digest('hex'), size,
        ...(sha512 ? { sha512: sha512.digest('base64') } : {}),
        ...(chunks ? { bytes: Buffer.concat(chunks) } : {}),
      };
    },
  };
}

/** Bytes done so far, and the total when it is known in advance (a download may not say). */
export type OnProgress = (done: number, total: number | null) => void;

export type AssetFailure =
  | 'missing' | 'unreadable' | 'changed' // a local file
  | 'not-https' | 'redirect-http' | 'redirects' | 'unreachable' | 'http' | 'stalled' | 'short'; // a download

/** Why an asset could not be hashed. `message` is one technical line naming the file or URL, as the CLI prints it. */
export class AssetError extends Error {
  readonly reason: AssetFailure;
  readonly status: number | undefined;
  constructor(reason: AssetFailure, message: string, status?: number) {
    super(message);
    this.reason = reason;
    this.status = status;
  }
}

/** A download that sends nothing for this long is abandoned. */
const IDLE_MS = 60_000;
const MAX_REDIRECTS = 10;

/** Streams a local file through SHA-256. Its modification time is returned too, to notice a later change. */
export async function hashLocalFile(path: string, onProgress?: OnProgress, extra: Extra = {}): Promise<HashedExtra & { mtimeMs: number }> {
  let size: number;
  let mtimeMs: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
    mtimeMs = st.mtimeMs;
  } catch {
    throw new AssetError('missing', `asset file not found or not readable: ${path}`);
  }
  const hash = digests(extra);
  let done = 0;
  onProgress?.(0, size);
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      done += (chunk as Buffer).length;
      onProgress?.(done, size);
    }
  } catch (err) {
    throw new AssetError('unreadable', `cannot read asset file ${path}: ${(err as Error).message}`);
  }
  if (done !== size) throw new AssetError('changed', `asset file ${path} changed while it was hashed (${done} of ${size} bytes); try again`);
  return { ...hash.result(done), mtimeMs };
}

/** Downloads a URL through SHA-256, following redirects only to https (or allowed loopback http). */
export async function hashDownload(url: string, allowLoopbackHttp: boolean, onProgress?: OnProgress, idleMs = IDLE_MS, extra: Extra = {}): Promise<HashedExtra> {
  if (!isAllowedUrl(url, allowLoopbackHttp)) throw new AssetError('not-https', `asset URL must be https: ${url}`);
  const abort = new AbortController();
  let idle = setTimeout(() => abort.abort(), idleMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(), idleMs);
  };
  try {
    // Redirects are followed by hand, so a hop to plain http is refused before it is requested
    // (https redirects to any host are fine: CDNs; the hash decides).
    let res: Response;
    let at = url;
    for (let hops = 0; ; hops++) {
      try {
        res = await fetch(at, { redirect: 'manual', signal: abort.signal });
      } catch (err) {
        throw new AssetError('unreachable', `could not download ${url}: ${abort.signal.aborted ? 'no answer in time' : fetchFailure(err)}`);
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status > 399 || !location) break;
      await res.body?.cancel();
      if (hops >= MAX_REDIRECTS) throw new AssetError('redirects', `could not download ${url}: more than ${MAX_REDIRECTS} redirects`);
      at = new URL(location, at).toString();
      if (!isAllowedUrl(at, allowLoopbackHttp)) throw new AssetError('redirect-http', `asset URL redirected to a non-https address: ${at}`);
      touch();
    }
    if (!res.ok || !res.body) throw new AssetError('http', `could not download ${url}: HTTP ${res.status}`, res.status);
    const total = Number(res.headers.get('content-length')) || null;
    const hash = digests(extra);
    let done = 0;
    onProgress?.(0, total);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        hash.update(chunk);
        done += chunk.length;
        onProgress?.(done, total);
      }
    } catch (err) {
      throw new AssetError('stalled', `download of ${url} failed after ${done} bytes: ${abort.signal.aborted ? 'stalled' : fetchFailure(err)}`);
    }
    if (total !== null && done !== total) throw new AssetError('short', `download of ${url} ended early (${done} of ${total} bytes)`);
    return hash.result(done);
  } finally {
    clearTimeout(idle);
  }
}
