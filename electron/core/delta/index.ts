// The cheapest verified way to the new version's file (docs/delta.md): a signed patch from the installed
// version, else the chunks of the installed file that the new one shares (the rest by Range), else the whole
// file. Each step checks what it produced against the signed sha256 and falls through to the next one within
// the same call when its input is bad (a patch that yields other bytes, a map that doesn't add up, a server
// without Range). Each step resumes: the patch and map downloads with Range, the assembly after its last good
// chunk, the full download with Range. Progress counts the bytes really received, over every step.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, PatchError } from '../../../shared/node/patch.ts';
import { ChunkMapError, decodeChunkMap } from '../../../shared/node/chunks.ts';
import { downloadAsset, DownloadError, type DownloadOptions } from '../download.ts';
import { assembleFromChunks } from './assemble.ts';
import { RangeUnsupported } from './ranges.ts';

export interface FileRef {
  url: string;
  sha256: string;
  size: number;
}

/** The fields of a signed release asset this needs (shared/protocol/schemas.ts). */
export interface DeltaAsset extends FileRef {
  patches?: (FileRef & { from: string })[];
  chunks?: FileRef;
}

export type DeltaMethod = 'patch' | 'chunks' | 'full';

export interface DeltaProgress {
  /** Bytes received so far over every step, including a step that was then abandoned. */
  received: number;
  /** received + what the current step still expects to fetch. */
  total: number;
  method: DeltaMethod;
}

export interface DeltaOptions extends Omit<DownloadOptions, 'url' | 'sha256' | 'size' | 'onProgress'> {
  asset: DeltaAsset;
  /** The running version and its file (InstallSetup.installedFile); null or a missing file skips to the full download. */
  installed?: { version: string; file: string | null | undefined } | null;
  onProgress?: (p: DeltaProgress) => void;
}

export interface DeltaResult {
  path: string;
  method: DeltaMethod;
  /** Bytes received over every step. */
  downloaded: number;
  /** Why a cheaper step was given up, in order (empty when the first step worked). */
  fellBack: string[];
}

/** Failures that say this step's input is bad, not that the network or the disk is: try the next step. */
function stepFailed(err: unknown): boolean {
  if (err instanceof PatchError) return err.kind !== 'disk';
  if (err instanceof ChunkMapError || err instanceof RangeUnsupported) return true;
  if (err instanceof DownloadError) return ['http', 'size-mismatch', 'hash-mismatch', 'redirect', 'refused-url'].includes(err.kind);
  return false;
}

export async function downloadUpdate(opts: DeltaOptions): Promise<DeltaResult> {
  const { asset } = opts;
  const final = join(opts.dir, opts.fileName);
  const fellBack: string[] = [];
  let received = 0;
  let stepBase = 0;
  /** What the current step expects to receive in all. */
  let expect = 0;
  let method: DeltaMethod = 'full';
  const report = () => opts.onProgress?.({ received, total: Math.max(received, stepBase + expect), method });
  const net = { allowLoopbackHttp: opts.allowLoopbackHttp, signal: opts.signal, connectMs: opts.connectMs, idleMs: opts.idleMs, clock: opts.clock };
  /** A verified download of a small signed file (patch or map), counted into the progress. */
  const fetchSigned = async (ref: FileRef, fileName: string) => {
    const before = received;
    const { path } = await downloadAsset({
      ...net, url: ref.url, sha256: ref.sha256, size: ref.size, dir: opts.dir, fileName,
      onProgress: (p) => {
        received = before + p.received;
        report();
      },
    });
    return path;
  };
  const begin = (m: DeltaMethod, bytes: number) => {
    method = m;
    stepBase = received;
    expect = bytes;
    report();
  };

  const installedFile = opts.installed?.file && existsSync(opts.installed.file) ? opts.installed.file : null;
  const patch = installedFile ? asset.patches?.find((p) => p.from === opts.installed?.version && p.size < asset.size) : undefined;

  if (installedFile && patch) {
    begin('patch', patch.size);
    const patchName = `${opts.fileName}.from-${patch.from}.patch`;
    const out = `${final}.patched`;
    try {
      const patchFile = await fetchSigned(patch, patchName);
      await applyPatch(installedFile, patchFile, out, { sha256: asset.sha256, size: asset.size });
      renameSync(out, final);
      rmSync(patchFile, { force: true });
      return { path: final, method, downloaded: received, fellBack };
    } catch (err) {
      rmSync(out, { force: true });
      if (!stepFailed(err)) throw err;
      rmSync(join(opts.dir, patchName), { force: true });
      fellBack.push(`patch from ${patch.from}: ${(err as Error).message}`);
    }
  }

  if (installedFile && asset.chunks) {
    begin('chunks', asset.chunks.size);
    const mapName = `${opts.fileName}.chunks`;
    const part = `${final}.assembling`;
    try {
      const mapFile = await fetchSigned(asset.chunks, mapName);
      const map = decodeChunkMap(readFileSync(mapFile));
      if (map.size !== asset.size) throw new ChunkMapError(`the chunk map describes ${map.size} bytes, the asset is ${asset.size}`);
      await assembleFromChunks({
        ...net, url: asset.url, map, installedFile, part, expected: { sha256: asset.sha256, size: asset.size },
        onPlanned: (bytes) => {
          expect = received - stepBase + bytes;
          report();
        },
        onBytes: (n) => {
          received += n;
          report();
        },
      });
      renameSync(part, final);
      rmSync(mapFile, { force: true });
      return { path: final, method, downloaded: received, fellBack };
    } catch (err) {
      if (!stepFailed(err)) throw err;
      rmSync(part, { force: true });
      rmSync(join(opts.dir, mapName), { force: true });
      fellBack.push(`chunk reuse: ${(err as Error).message}`);
    }
  }

  begin('full', asset.size);
  const before = received;
  const { path } = await downloadAsset({
    ...net, url: asset.url, sha256: asset.sha256, size: asset.size, dir: opts.dir, fileName: opts.fileName,
    onProgress: (p) => {
      received = before + p.received;
      report();
    },
  });
  return { path, method, downloaded: received, fellBack };
}
