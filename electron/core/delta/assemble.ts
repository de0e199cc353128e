// Builds the new file from the signed chunk map: chunks the installed file already has are copied from it,
// the rest are fetched with Range requests from the full file. Every chunk is checked against its sha256
// before it is written and the whole file against the signed sha256 at the end. Written in order to a part
// file, so an interrupted assembly resumes after the last chunk that checks out.
import { createHash, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open as openFile, rm, type FileHandle } from 'node:fs/promises';
import { chunkFile, type Chunk, type ChunkMap } from '../../../shared/node/chunks.ts';
import { DownloadError, type RequestOptions } from '../download.ts';
import { fetchRange } from './ranges.ts';

/** One Range request covers consecutive missing chunks up to this many bytes (held in memory to check). */
const MAX_RANGE_BYTES = 8 * 1024 * 1024;

export interface AssembleOptions extends RequestOptions {
  /** The full file, for Range requests. */
  url: string;
  map: ChunkMap;
  installedFile: string;
  part: string;
  expected: { sha256: string; size: number };
  /** Told once the plan is known: the bytes still to fetch. */
  onPlanned?: (bytes: number) => void;
  onBytes?: (n: number) => void;
}

export interface AssembleResult {
  reused: number;
  fetched: number;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAt(fh: FileHandle, offset: number, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  const { bytesRead } = await fh.read(buf, 0, size, offset);
  return bytesRead === size ? buf : buf.subarray(0, bytesRead);
}

/** How many leading chunks of an earlier attempt's part file check out; the full hash is fed their bytes. */
async function keptChunks(part: string, chunks: Chunk[], full: Hash): Promise<number> {
  if (!existsSync(part)) return 0;
  const fh = await openFile(part, 'r');
  try {
    let k = 0;
    for (const c of chunks) {
      const b = await readAt(fh, c.offset, c.size);
      if (b.length !== c.size || sha(b) !== c.sha256) break;
      full.update(b);
      k++;
    }
    return k;
  } finally {
    await fh.close();
  }
}

export async function assembleFromChunks(o: AssembleOptions): Promise<AssembleResult> {
  const { chunks } = o.map;
  const index = new Map<string, number>();
  for (const c of (await chunkFile(o.installedFile, o.map.params)).chunks) if (!index.has(c.sha256)) index.set(c.sha256, c.offset);

  const full = createHash('sha256');
  const kept = await keptChunks(o.part, chunks, full);
  const start = kept > 0 ? (chunks[kept - 1] as Chunk).offset + (chunks[kept - 1] as Chunk).size : 0;
  const todo = chunks.slice(kept);
  o.onPlanned?.(todo.filter((c) => !index.has(c.sha256)).reduce((s, c) => s + c.size, 0));

  const out = await openFile(o.part, kept > 0 ? 'r+' : 'w');
  const old = await openFile(o.installedFile, 'r');
  let reused = 0;
  let fetched = 0;
  try {
    await out.truncate(start);
    let at = start;
    const write = async (b: Buffer) => {
      await out.write(b, 0, b.length, at);
      at += b.length;
      full.update(b);
    };
    const fetchRun = async (run: Chunk[]) => {
      const first = run[0] as Chunk;
      const last = run.at(-1) as Chunk;
      const buf = await fetchRange(o.url, first.offset, last.offset + last.size - 1, o, (n) => o.onBytes?.(n));
      for (const c of run) {
        const piece = buf.subarray(c.offset - first.offset, c.offset - first.offset + c.size);
        if (sha(piece) !== c.sha256) throw new DownloadError('hash-mismatch', `chunk at ${c.offset} does not match the signed chunk map`);
        await write(piece);
        fetched += c.size;
      }
    };
    let run: Chunk[] = [];
    let runBytes = 0;
    for (const c of todo) {
      if (o.signal?.aborted) throw new DownloadError('cancelled', 'download cancelled');
      const from = index.get(c.sha256);
      const mine = from === undefined ? null : await readAt(old, from, c.size);
      // A chunk the installed file has (and still has: it may have changed since it was indexed) is copied.
      if (mine && mine.length === c.size && sha(mine) === c.sha256) {
        if (run.length) await fetchRun(run);
        run = [];
        runBytes = 0;
        await write(mine);
        reused += c.size;
        continue;
      }
      if (runBytes + c.size > MAX_RANGE_BYTES && run.length) {
        await fetchRun(run);
        run = [];
        runBytes = 0;
      }
      run.push(c);
      runBytes += c.size;
    }
    if (run.length) await fetchRun(run);
    await out.sync();
  } finally {
    await out.close();
    await old.close();
  }
  const size = chunks.reduce((s, c) => s + c.size, 0);
  if (size !== o.expected.size || full.digest('hex') !== o.expected.sha256) {
    await rm(o.part, { force: true });
    throw new DownloadError('hash-mismatch', 'the file built from chunks does not match the signed sha256');
  }
  return { reused, fetched };
}
