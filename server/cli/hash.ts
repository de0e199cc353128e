// Size and SHA-256 of a release asset for the CLI: the shared streaming hash (shared/node/hash.ts, the same
// the companion's publisher page uses) with the CLI's progress line on stderr and its error type.
import { basename } from 'node:path';
import { AssetError, hashDownload, hashLocalFile, type Hashed, type OnProgress } from '../../shared/node/hash.ts';
import { CliError } from './errors.ts';
import { progress } from './output.ts';

export type { Hashed };

/** A progress line created on the first report (that is when the total is known), ended after the work. */
function line(label: string): { onProgress: OnProgress; end(): void } {
  let report: ReturnType<typeof progress> | null = null;
  return {
    onProgress: (done, total) => {
      report ??= progress(label, total);
      report.update(done);
    },
    end: () => report?.end(),
  };
}

async function asCli<T>(work: (onProgress: OnProgress) => Promise<T>, label: string): Promise<T> {
  const l = line(label);
  try {
    return await work(l.onProgress);
  } catch (err) {
    if (err instanceof AssetError) throw new CliError(err.message, 'asset');
    throw err;
  } finally {
    l.end();
  }
}

export async function hashFile(path: string): Promise<Hashed> {
  const { sha256, size } = await asCli((p) => hashLocalFile(path, p), `hashing ${basename(path)}`);
  return { sha256, size };
}

export function hashUrl(url: string, allowLoopbackHttp: boolean): Promise<Hashed> {
  let name = url;
  try {
    name = new URL(url).pathname.split('/').pop() || url;
  } catch { /* refused as not https by hashDownload */ }
  return asCli((p) => hashDownload(url, allowLoopbackHttp, p), `downloading ${name}`);
}
