// Size and SHA-256 of a release asset: streamed from a local file, or downloaded from a URL.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isAllowedUrl } from '../../shared/protocol/limits.ts';
import { CliError } from './errors.ts';
import { progress } from './output.ts';

export interface Hashed {
  sha256: string;
  size: number;
}

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
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    report(done);
  }
  return { sha256: hash.digest('hex'), size: done };
}

export async function hashUrl(url: string, allowLoopbackHttp: boolean): Promise<Hashed> {
  if (!isAllowedUrl(url, allowLoopbackHttp)) throw new CliError(`asset URL must be https: ${url}`, 'asset');
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new CliError(`could not download ${url}: ${(err as Error).message}`, 'asset');
  }
  if (!res.ok || !res.body) throw new CliError(`could not download ${url}: HTTP ${res.status}`, 'asset');
  if (!isAllowedUrl(res.url, allowLoopbackHttp)) throw new CliError(`asset URL redirected to a non-https address: ${res.url}`, 'asset');
  const total = Number(res.headers.get('content-length')) || null;
  const hash = createHash('sha256');
  const report = progress(`downloading ${new URL(url).pathname.split('/').pop() || url}`, total);
  let done = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    done += chunk.length;
    report(done);
  }
  if (total !== null && done !== total) throw new CliError(`download of ${url} ended early (${done} of ${total} bytes)`, 'asset');
  return { sha256: hash.digest('hex'), size: done };
}
