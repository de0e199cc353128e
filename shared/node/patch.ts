// Binary patches between two versions of a release asset (docs/delta.md): zstd "patch-from", through Node's
// own zlib (no native add-on to build or trust). The old file is the compression dictionary, so every part of
// the new file that already exists in the old one (at any offset: long-distance matching) costs a few bytes.
// The patch is one plain zstd frame: `zstd -d --patch-from=old patch -o new` applies it too.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const C = zlib.constants;

/** The old file is held in memory as the dictionary, and zstd's window is capped at 2 GiB (windowLog 31). */
export const MAX_PATCH_INPUT = 1024 * 1024 * 1024;

/** zstd's largest window on 64-bit builds; the decoder must be allowed to reach it (its default is 27). */
const MAX_WINDOW_LOG = 31;

export type PatchFailure = 'too-large' | 'unreadable' | 'corrupt' | 'wrong-bytes' | 'disk';

/** Why a patch could not be made or applied; `message` is one plain sentence. */
export class PatchError extends Error {
  readonly kind: PatchFailure;
  constructor(kind: PatchFailure, message: string) {
    super(message);
    this.name = 'PatchError';
    this.kind = kind;
  }
}

export interface PatchParams {
  /** zstd level. 19 finds the matches; level 3 misses most of a large dictionary (docs/delta.md). */
  level: number;
}

/** Measured on the model app (docs/delta.md). */
export const DEFAULT_PATCH_PARAMS: PatchParams = { level: 19 };

/** A window that covers the old file and the new one, so a match may point anywhere in either. */
export function windowLogFor(oldSize: number, newSize: number): number {
  return Math.min(MAX_WINDOW_LOG, Math.max(20, Math.ceil(Math.log2(oldSize + newSize + 1))));
}

/**
 * Match-finder tables as large as the window: the binary tree of level 19 reaches back 2^(chainLog-1) bytes,
 * and a changed payload's old copy sits a whole file behind it. Smaller tables leave only long-distance
 * matching, which skips the short matches of an asar header (0.070 % instead of 0.010 % on the model app).
 */
export function tableLogsFor(windowLog: number): { hashLog: number; chainLog: number } {
  const chainLog = Math.min(30, Math.max(24, windowLog));
  return { chainLog, hashLog: Math.min(26, chainLog - 2) };
}

async function sizeOf(path: string, what: string): Promise<number> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new PatchError('unreadable', `cannot read the ${what} ${path}`);
  }
  if (size > MAX_PATCH_INPUT) throw new PatchError('too-large', `the ${what} ${path} is larger than ${MAX_PATCH_INPUT} bytes; publish it without a patch`);
  return size;
}

async function readOld(oldFile: string): Promise<Buffer> {
  await sizeOf(oldFile, 'old file');
  try {
    return await readFile(oldFile);
  } catch {
    throw new PatchError('unreadable', `cannot read the old file ${oldFile}`);
  }
}

/** Passes bytes through while hashing and counting them. */
function tally(): Transform & { sha256(): string; bytes: number } {
  const hash = createHash('sha256');
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      t.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { sha256(): string; bytes: number };
  t.bytes = 0;
  t.sha256 = () => hash.digest('hex');
  return t;
}

/** Writes the patch that turns `oldFile` into `newFile`; returns its size and sha256 (for the signed record). */
export async function makePatch(oldFile: string, newFile: string, patchFile: string, params: PatchParams = DEFAULT_PATCH_PARAMS): Promise<{ size: number; sha256: string }> {
  const newSize = await sizeOf(newFile, 'new file');
  const dictionary = await readOld(oldFile);
  const windowLog = windowLogFor(dictionary.length, newSize);
  const { hashLog, chainLog } = tableLogsFor(windowLog);
  const compress = zlib.createZstdCompress({
    dictionary,
    pledgedSrcSize: newSize,
    params: {
      [C.ZSTD_c_compressionLevel]: params.level,
      [C.ZSTD_c_windowLog]: windowLog,
      [C.ZSTD_c_enableLongDistanceMatching]: 1,
      [C.ZSTD_c_hashLog]: hashLog,
      [C.ZSTD_c_chainLog]: chainLog,
      [C.ZSTD_c_checksumFlag]: 1,
    },
  });
  const out = tally();
  try {
    await pipeline(createReadStream(newFile), compress, out, createWriteStream(patchFile));
  } catch (err) {
    await rm(patchFile, { force: true });
    throw new PatchError('disk', `cannot write the patch ${patchFile}: ${(err as Error).message}`);
  }
  return { size: out.bytes, sha256: out.sha256() };
}

export interface Expected {
  sha256: string;
  size: number;
}

/**
 * Applies a patch made by makePatch, streaming the result to `outFile` while hashing it. A patch that is not a
 * zstd frame for this old file, or that yields other bytes than the signed size and sha256, throws a PatchError
 * ('corrupt' or 'wrong-bytes') and leaves no `outFile` behind.
 */
export async function applyPatch(oldFile: string, patchFile: string, outFile: string, expected: Expected): Promise<void> {
  const dictionary = await readOld(oldFile);
  const decompress = zlib.createZstdDecompress({ dictionary, params: { [C.ZSTD_d_windowLogMax]: MAX_WINDOW_LOG } });
  const result = tally();
  // Stop as soon as the output is longer than promised: a hostile patch can't fill the disk.
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (result.bytes + chunk.length > expected.size) done(new PatchError('wrong-bytes', `the patch produces more than the signed ${expected.size} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(patchFile), decompress, cap, result, createWriteStream(outFile));
  } catch (err) {
    await rm(outFile, { force: true });
    if (err instanceof PatchError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('ZSTD_') || code.startsWith('ERR_ZSTD') || /zstd|corrupt|dictionary|checksum/i.test((err as Error).message)) {
      throw new PatchError('corrupt', `the patch does not apply to the installed file (${(err as Error).message})`);
    }
    if (code === 'ENOENT' || code === 'EACCES') throw new PatchError('unreadable', `cannot read the patch ${patchFile}`);
    throw new PatchError('disk', `cannot write ${outFile}: ${(err as Error).message}`);
  }
  if (result.bytes !== expected.size || result.sha256() !== expected.sha256) {
    await rm(outFile, { force: true });
    throw new PatchError('wrong-bytes', `the patched file does not match the signed sha256 (${result.bytes} bytes)`);
  }
}
