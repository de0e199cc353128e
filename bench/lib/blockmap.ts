// electron-builder's differential update, rebuilt from its documented algorithm for the delta row (row 13):
// app-builder's pkg/blockmap cuts the file with a content-defined chunker (a rolling hash over a 64-byte
// window; min 8 KiB, average 16 KiB, max 32 KiB; a boundary where hash & (avg - 1) == avg - 1), keeps an
// 18-byte checksum per block, and ships {version, files: [{name, offset, checksums (base64), sizes}]} as
// gzipped JSON. electron-updater downloads the new blockmap and every block whose checksum (and size) is not
// in the old blockmap (computeOperations in its downloadPlanBuilder).
// Two honest substitutions: the rolling hash is a buzhash (cyclic polynomial) over the same 64-byte window
// instead of the Rabin polynomial, and the 18-byte checksum is SHA-256 cut to 18 bytes instead of BLAKE2b-18
// (Node has no BLAKE2b with that length). Neither changes block sizes' statistics or the blockmap's size, so
// the bytes downloaded are electron-builder's.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { gzipSync } from 'node:zlib';

const WINDOW = 64;
const MIN = 8 * 1024;
const AVG = 16 * 1024;
const MAX = 32 * 1024;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) t[i] = createHash('sha256').update(`buzhash-${i}`).digest().readUInt32LE(0);
  return t;
})();

const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

export interface Blocks {
  checksums: string[];
  sizes: number[];
}

/** Cuts a whole buffer the way app-builder's chunker does (skip to min - window, prime, roll, cap at max). */
export function blocksOf(data: Buffer): Blocks {
  const checksums: string[] = [];
  const sizes: number[] = [];
  const mask = AVG - 1;
  let start = 0;
  while (start < data.length) {
    let end = Math.min(data.length, start + MAX);
    const from = start + MIN - WINDOW;
    if (from + WINDOW < end) {
      let h = 0;
      for (let i = from; i < from + WINDOW; i++) h = (rotl(h, 1) ^ (TABLE[data[i] as number] as number)) >>> 0;
      let pos = from + WINDOW; // the hash covers data[pos - WINDOW, pos)
      while ((h & mask) !== mask && pos < end) {
        // WINDOW is a multiple of 32, so the byte leaving the window is rotated by 0.
        h = (rotl(h, 1) ^ (TABLE[data[pos - WINDOW] as number] as number) ^ (TABLE[data[pos] as number] as number)) >>> 0;
        pos++;
      }
      end = pos;
    }
    checksums.push(createHash('sha256').update(data.subarray(start, end)).digest().subarray(0, 18).toString('base64'));
    sizes.push(end - start);
    start = end;
  }
  return { checksums, sizes };
}

export async function readAll(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) parts.push(b as Buffer);
  return Buffer.concat(parts);
}

/** The blockmap file electron-builder publishes beside the installer (gzip, best compression). */
export function blockmapFile(b: Blocks): Buffer {
  const json = JSON.stringify({ version: '2', files: [{ name: 'file', offset: 0, checksums: b.checksums, sizes: b.sizes }] });
  return gzipSync(json, { level: 9 });
}

/** What electron-updater downloads for old → new: the new blockmap (the old one cached) and the missing blocks. */
export function blockmapDownload(oldBlocks: Blocks, newBlocks: Blocks): { blockmap: number; blocks: number; total: number } {
  const have = new Map<string, number>();
  oldBlocks.checksums.forEach((c, i) => have.has(c) || have.set(c, oldBlocks.sizes[i] as number));
  let blocks = 0;
  newBlocks.checksums.forEach((c, i) => {
    const size = newBlocks.sizes[i] as number;
    if (have.get(c) !== size) blocks += size;
  });
  const blockmap = blockmapFile(newBlocks).length;
  return { blockmap, blocks, total: blockmap + blocks };
}
