// Content-defined chunks of a release asset (docs/delta.md): a FastCDC-style gear hash cuts the file where its
// content says so, not at fixed offsets, so an insertion shifts only the chunks around it. The publisher
// signs a chunk map of the new file (size and sha256 of each chunk); a client cuts its installed file with the
// same parameters, keeps every chunk whose sha256 is in the map, and fetches the rest with Range requests.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export interface ChunkParams {
  min: number;
  /** A power of two: the normalized masks are built from its bit count. */
  avg: number;
  max: number;
}

/** ~64 KB chunks: a 100 MB file has ~1,600, so the map is ~57 KB (36 bytes a chunk). */
export const DEFAULT_CHUNK_PARAMS: ChunkParams = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 };

export interface Chunk {
  offset: number;
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

export interface ChunkMap {
  params: ChunkParams;
  size: number;
  chunks: Chunk[];
}

export class ChunkMapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkMapError';
  }
}

/** 256 fixed pseudo-random 32-bit values; derived from SHA-256 so publisher and client agree forever. */
const GEAR = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) t[i] = createHash('sha256').update(`tidings-gear-${i}`).digest().readUInt32BE(0);
  return t;
})();

/** The gear hash shifts left once a byte, so only its last 32 bytes count: start hashing that far before min. */
const HASH_SPAN = 32;

/** Top `bits` bits set: the high bits of a gear hash are the ones that mixed the most bytes. */
const topBits = (bits: number) => (bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0);

/** Cuts a stream into chunks; feed() buffers in order, end() the last (possibly short) chunk. */
export class Chunker {
  readonly params: ChunkParams;
  readonly chunks: Chunk[] = [];
  /** FastCDC's normalized chunking: harder to cut before avg, easier after, so sizes cluster around avg. */
  private readonly maskHard: number;
  private readonly maskEasy: number;
  private hash = 0;
  private len = 0;
  private offset = 0;
  private sha: Hash = createHash('sha256');

  constructor(params: ChunkParams = DEFAULT_CHUNK_PARAMS) {
    this.params = params;
    const bits = Math.round(Math.log2(params.avg));
    this.maskHard = topBits(bits + 2);
    this.maskEasy = topBits(bits - 2);
  }

  feed(buf: Buffer): void {
    const { min, avg, max } = this.params;
    let start = 0;
    let i = 0;
    const n = buf.length;
    while (i < n) {
      // Nothing can cut before min: jump to where the hash starts to matter.
      const skip = min - HASH_SPAN - this.len;
      if (skip > 0) {
        const step = Math.min(skip, n - i);
        i += step;
        this.len += step;
        continue;
      }
      const b = buf[i] as number;
      this.hash = ((this.hash << 1) + (GEAR[b] as number)) >>> 0;
      this.len++;
      i++;
      const mask = this.len < avg ? this.maskHard : this.maskEasy;
      if ((this.len >= min && (this.hash & mask) === 0) || this.len >= max) {
        this.sha.update(buf.subarray(start, i));
        this.cut();
        start = i;
      }
    }
    if (start < n) this.sha.update(buf.subarray(start, n));
  }

  end(): Chunk[] {
    if (this.len > 0) this.cut();
    return this.chunks;
  }

  private cut(): void {
    this.chunks.push({ offset: this.offset, size: this.len, sha256: this.sha.digest('hex') });
    this.offset += this.len;
    this.len = 0;
    this.hash = 0;
    this.sha = createHash('sha256');
  }
}

/** Chunks a file, streaming it. */
export async function chunkFile(path: string, params: ChunkParams = DEFAULT_CHUNK_PARAMS): Promise<ChunkMap> {
  const c = new Chunker(params);
  for await (const buf of createReadStream(path, { highWaterMark: 1024 * 1024 })) c.feed(buf as Buffer);
  const chunks = c.end();
  const last = chunks.at(-1);
  return { params, size: last ? last.offset + last.size : 0, chunks };
}

// The map file: 'TDCHUNK1', min, avg, max (u32 BE), file size (u64 BE), count (u32 BE), then per chunk its
// size (u32 BE) and raw sha256 (32 bytes). Offsets follow from the sizes.
const MAGIC = Buffer.from('TDCHUNK1', 'latin1');
const HEADER = MAGIC.length + 12 + 8 + 4;
const ENTRY = 4 + 32;
/** A client refuses maps it would spend too long or too much memory on. */
export const MAX_CHUNKS = 1_000_000;

export function encodeChunkMap(map: ChunkMap): Buffer {
  const out = Buffer.alloc(HEADER + ENTRY * map.chunks.length);
  MAGIC.copy(out, 0);
  let at = MAGIC.length;
  at = out.writeUInt32BE(map.params.min, at);
  at = out.writeUInt32BE(map.params.avg, at);
  at = out.writeUInt32BE(map.params.max, at);
  at = out.writeBigUInt64BE(BigInt(map.size), at);
  at = out.writeUInt32BE(map.chunks.length, at);
  for (const c of map.chunks) {
    at = out.writeUInt32BE(c.size, at);
    at += Buffer.from(c.sha256, 'hex').copy(out, at);
  }
  return out;
}

/** Parses a map, refusing anything inconsistent (sizes that don't add up, chunks outside the parameters). */
export function decodeChunkMap(buf: Buffer): ChunkMap {
  if (buf.length < HEADER || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new ChunkMapError('not a chunk map');
  let at = MAGIC.length;
  const min = buf.readUInt32BE(at);
  const avg = buf.readUInt32BE(at + 4);
  const max = buf.readUInt32BE(at + 8);
  const size = Number(buf.readBigUInt64BE(at + 12));
  const count = buf.readUInt32BE(at + 20);
  at = HEADER;
  const pow2 = avg > 0 && (avg & (avg - 1)) === 0;
  if (!(min >= 64 && pow2 && min <= avg && avg <= max && max <= 16 * 1024 * 1024)) throw new ChunkMapError('the chunk map has impossible parameters');
  if (count > MAX_CHUNKS || buf.length !== HEADER + ENTRY * count) throw new ChunkMapError('the chunk map is truncated or too long');
  const chunks: Chunk[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++, at += ENTRY) {
    const s = buf.readUInt32BE(at);
    if (s < 1 || s > max || (s < min && i < count - 1)) throw new ChunkMapError(`chunk ${i} has an impossible size ${s}`);
    chunks.push({ offset, size: s, sha256: buf.toString('hex', at + 4, at + ENTRY) });
    offset += s;
  }
  if (offset !== size) throw new ChunkMapError(`the chunks add up to ${offset} bytes, not ${size}`);
  return { params: { min, avg, max }, size, chunks };
}

/** Writes the map of `file` to `mapFile`; returns the map file's size and sha256 (for the signed record). */
export async function writeChunkMap(file: string, mapFile: string, params: ChunkParams = DEFAULT_CHUNK_PARAMS): Promise<{ size: number; sha256: string; map: ChunkMap }> {
  const map = await chunkFile(file, params);
  const bytes = encodeChunkMap(map);
  await writeFile(mapFile, bytes);
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), map };
}
