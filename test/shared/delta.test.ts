// Patches and chunk maps on real files (docs/delta.md): a patch rebuilds the new file byte for byte and is tiny
// for a small change; the same patch on another old file, a damaged patch or a patch with the wrong signed
// hash throws a PatchError and leaves no output; chunks resynchronise after an insertion; a map round-trips
// and a damaged one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, makePatch, PatchError } from '../../shared/node/patch.ts';
import { chunkFile, decodeChunkMap, encodeChunkMap, writeChunkMap, ChunkMapError, DEFAULT_CHUNK_PARAMS } from '../../shared/node/chunks.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'tidings-delta-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** 4 MB old file; the new one has 40 bytes inserted and 3 bytes changed elsewhere. */
function pair(d: string) {
  const old = randomBytes(4 * 1024 * 1024);
  const neu = Buffer.concat([old.subarray(0, 1_000_000), Buffer.from('x'.repeat(40)), old.subarray(1_000_000)]);
  neu.write('abc', 3_000_000);
  writeFileSync(join(d, 'old'), old);
  writeFileSync(join(d, 'new'), neu);
  return { old, neu, oldFile: join(d, 'old'), newFile: join(d, 'new') };
}

test('a patch rebuilds the new file byte for byte and costs a few KB for a small change', async (t) => {
  const d = dir(t);
  const { neu, oldFile, newFile } = pair(d);
  const made = await makePatch(oldFile, newFile, join(d, 'p'));
  assert.equal(made.size, readFileSync(join(d, 'p')).length);
  assert.equal(made.sha256, sha(readFileSync(join(d, 'p'))));
  assert.ok(made.size < 4096, `patch is ${made.size} bytes`);
  await applyPatch(oldFile, join(d, 'p'), join(d, 'out'), { sha256: sha(neu), size: neu.length });
  assert.ok(readFileSync(join(d, 'out')).equals(neu));
});

test('the patch is a plain zstd frame: the zstd command applies it with --patch-from', async (t) => {
  try {
    execFileSync('zstd', ['--version']);
  } catch {
    t.skip('the zstd command is not installed here');
    return;
  }
  const d = dir(t);
  const { neu, oldFile, newFile } = pair(d);
  await makePatch(oldFile, newFile, join(d, 'p'));
  execFileSync('zstd', ['-q', '-d', '--long=31', `--patch-from=${oldFile}`, join(d, 'p'), '-o', join(d, 'z')]);
  assert.ok(readFileSync(join(d, 'z')).equals(neu));
});

test('a patch that produces the wrong bytes throws a PatchError and leaves no output', async (t) => {
  const d = dir(t);
  const { neu, oldFile, newFile } = pair(d);
  await makePatch(oldFile, newFile, join(d, 'p'));
  const out = join(d, 'out');
  const want = { sha256: sha(neu), size: neu.length };
  // Applied to another old file.
  writeFileSync(join(d, 'other'), randomBytes(4 * 1024 * 1024));
  await assert.rejects(applyPatch(join(d, 'other'), join(d, 'p'), out, want), (e: unknown) => e instanceof PatchError && ['corrupt', 'wrong-bytes'].includes(e.kind));
  assert.equal(existsSync(out), false);
  // Damaged in the middle.
  const bad = readFileSync(join(d, 'p'));
  bad[bad.length >> 1] = (bad[bad.length >> 1] as number) ^ 0xff;
  writeFileSync(join(d, 'bad'), bad);
  await assert.rejects(applyPatch(oldFile, join(d, 'bad'), out, want), (e: unknown) => e instanceof PatchError && e.kind === 'corrupt');
  assert.equal(existsSync(out), false);
  // A good patch whose signed hash is another file's, and one whose signed size is shorter.
  await assert.rejects(applyPatch(oldFile, join(d, 'p'), out, { ...want, sha256: sha(Buffer.from('x')) }), (e: unknown) => e instanceof PatchError && e.kind === 'wrong-bytes');
  await assert.rejects(applyPatch(oldFile, join(d, 'p'), out, { ...want, size: neu.length - 1 }), (e: unknown) => e instanceof PatchError && e.kind === 'wrong-bytes');
  assert.equal(existsSync(out), false);
  // Not a patch at all.
  writeFileSync(join(d, 'junk'), 'hello');
  await assert.rejects(applyPatch(oldFile, join(d, 'junk'), out, want), (e: unknown) => e instanceof PatchError && e.kind === 'corrupt');
  // A missing old file is one plain sentence.
  await assert.rejects(makePatch(join(d, 'nope'), newFile, join(d, 'p2')), (e: unknown) => e instanceof PatchError && e.kind === 'unreadable' && /cannot read the old file/.test(e.message));
});

test('chunks resynchronise after an insertion: only the chunks around the change differ', async (t) => {
  const d = dir(t);
  const { oldFile, newFile } = pair(d);
  const a = await chunkFile(oldFile);
  const b = await chunkFile(newFile);
  const { min, max } = DEFAULT_CHUNK_PARAMS;
  for (const c of b.chunks.slice(0, -1)) assert.ok(c.size >= min && c.size <= max, `chunk of ${c.size} bytes`);
  const avg = b.size / b.chunks.length;
  assert.ok(avg > 40_000 && avg < 110_000, `average chunk ${avg}`);
  const have = new Set(a.chunks.map((c) => c.sha256));
  const missing = b.chunks.filter((c) => !have.has(c.sha256));
  assert.ok(missing.length >= 1 && missing.length <= 4, `${missing.length} chunks differ`);
  // Offsets are contiguous and cover the file.
  let at = 0;
  for (const c of b.chunks) {
    assert.equal(c.offset, at);
    at += c.size;
  }
  assert.equal(at, b.size);
});

test('a chunk map round-trips; a truncated, inconsistent or foreign one is refused with a ChunkMapError', async (t) => {
  const d = dir(t);
  const { newFile } = pair(d);
  const written = await writeChunkMap(newFile, join(d, 'map'));
  const bytes = readFileSync(join(d, 'map'));
  assert.equal(written.sha256, sha(bytes));
  assert.deepEqual(decodeChunkMap(bytes), written.map);
  assert.equal(bytes.length, 32 + 36 * written.map.chunks.length);
  assert.throws(() => decodeChunkMap(bytes.subarray(0, bytes.length - 1)), ChunkMapError);
  assert.throws(() => decodeChunkMap(Buffer.from('not a map at all, really not')), ChunkMapError);
  const bad = Buffer.from(encodeChunkMap({ ...written.map, size: written.map.size + 1 }));
  assert.throws(() => decodeChunkMap(bad), /add up/);
});
