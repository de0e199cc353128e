// Size and SHA-256 of a release asset: streamed from a local file, or downloaded from a URL.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isAllowedUrl } from '../../shared/protocol/limits.ts';
import { CliError } from './errors.ts';
import { reason } from './http.ts';
import { progress } from './output.ts';

export interface Hashed {
  sha256: string;
  size: number;
}

/** A download that sends nothing for this long is abandoned. */
const IDLE_MS = 60_000;
const MAX_REDIRECTS = 10;

export async function hashFile(path: string): Promise<Hashed> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new CliError(`asset file not found or not readable: ${path}`, 'asset');
  }
  const hash = createHash('sha256');
  const report = progress(`hashing ${basename(path)}`, size);
  let done = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      done += (chunk as Buffer).length;
      report.update(done);
    }
  } catch (err) {
    report.end();
    throw new CliError(`cannot read asset file ${path}: ${(err as Error).message}`, 'asset');
  }
  report.end();
  if (done !== size) throw new CliError(`asset file ${path} changed while it was hashed (${done} of ${size} bytes); try again`, 'asset');
  return { sha256: hash.digest('hex'), size: done };
}

export async function hashUrl(url: string, allowLoopbackHttp: boolean): Promise<Hashed> {
  if (!isAllowedUrl(url, allowLoopbackHttp)) throw new CliError(`asset URL must be https: ${url}`, 'asset');
  const abort = new AbortController();
  let idle = setTimeout(() => abort.abort(), IDLE_MS);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(), IDLE_MS);
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
        throw new CliError(`could not download ${url}: ${abort.signal.aborted ? 'no answer in time' : reason(err)}`, 'asset');
      }
      const location = res.headers.get('location');
      if (res.status < 300 || res.status > 399 || !location) break;
      await res.body?.cancel();
      if (hops >= MAX_REDIRECTS) throw new CliError(`could not download ${url}: more than ${MAX_REDIRECTS} redirects`, 'asset');
      at = new URL(location, at).toString();
      if (!isAllowedUrl(at, allowLoopbackHttp)) throw new CliError(`asset URL redirected to a non-https address: ${at}`, 'asset');
      touch();
    }
    if (!res.ok || !res.body) throw new CliError(`could not download ${url}: HTTP ${res.status}`, 'asset');
    const total = Number(res.headers.get('content-length')) || null;
    const hash = createHash('sha256');
    const report = progress(`downloading ${new URL(url).pathname.split('/').pop() || url}`, total);
    let done = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        hash.update(chunk);
        done += chunk.length;
        report.update(done);
      }
    } catch (err) {
      throw new CliError(`download of ${url} failed after ${done} bytes: ${abort.signal.aborted ? 'stalled' : reason(err)}`, 'asset');
    } finally {
      report.end();
    }
    if (total !== null && done !== total) throw new CliError(`download of ${url} ended early (${done} of ${total} bytes)`, 'asset');
    return { sha256: hash.digest('hex'), size: done };
  } finally {
    clearTimeout(idle);
  }
}
