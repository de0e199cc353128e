// Size and SHA-256 of a release asset for the CLI: the shared streaming hash (shared/node/hash.ts, the same
// the companion's publisher page uses) with the CLI's progress line on stderr and its error type.
import { basename } from 'node:path';
import { AssetError, hashDownload, hashLocalFile, type Extra, type Hashed, type HashedExtra, type OnProgress } from '../../shared/node/hash.ts';
import { toBase64, type SigningKey } from '../../shared/protocol/signing.ts';
import { CliError } from './errors.ts';
import { progress } from './output.ts';

export type { Hashed, HashedExtra };

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

export async function hashFile(path: string, extra: Extra = {}): Promise<HashedExtra> {
  const { mtimeMs: _m, ...hashed } = await asCli((p) => hashLocalFile(path, p, extra), `hashing ${basename(path)}`);
  return hashed;
}

export function hashUrl(url: string, allowLoopbackHttp: boolean, extra: Extra = {}): Promise<HashedExtra> {
  let name = url;
  try {
    name = new URL(url).pathname.split('/').pop() || url;
  } catch { /* refused as not https by hashDownload */ }
  return asCli((p) => hashDownload(url, allowLoopbackHttp, p, undefined, extra), `downloading ${name}`);
}

/**
 * Sparkle's EdDSA archive signature: Ed25519 over the file's bytes (not a digest of them) with the publisher
 * key, standard base64, as Sparkle's sign_update writes it into sparkle:edSignature.
 */
export async function signArchive(bytes: Uint8Array, key: SigningKey): Promise<string> {
  const sig = await crypto.subtle.sign('Ed25519', key.privateKey, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Uint8Array<ArrayBuffer>);
  return toBase64(new Uint8Array(sig));
}
