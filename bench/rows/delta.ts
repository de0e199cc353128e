// Row 13: bytes downloaded for an update of a realistic model app (bench/lib/model-app.ts: an unchanged
// ~80 MB framework part plus an asar-like payload), for a patch release and a minor release. Ours: the core's
// delta download (electron/core/delta/) from a loopback server that honours Range, counted as response body
// bytes at the server: the signed zstd patch from the installed version, and (the fallback) chunk reuse with
// the signed chunk map. Anchors in the same run: the full installer, and electron-builder's blockmap
// differential download of the same pair (bench/lib/blockmap.ts). Apply times are reported too.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadUpdate, type DeltaAsset, type DeltaMethod } from '../../electron/core/delta/index.ts';
import { applyPatch, makePatch } from '../../shared/node/patch.ts';
import { writeChunkMap } from '../../shared/node/chunks.ts';
import type { BenchConfig } from '../lib/config.ts';
import { blockmapDownload, blocksOf } from '../lib/blockmap.ts';
import { FULL_MODEL, SMOKE_MODEL, modelApp } from '../lib/model-app.ts';
import { makeLine, type Figure, type Line, type RowResult } from '../lib/report.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fig = (label: string, value: number, unit = 'KB'): Figure => ({ label, value, unit, runs: [value] });
const kb = (bytes: number) => bytes / 1024;
const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(4)} %`;

/** Serves a folder with Range; counts response body bytes (what a client really downloads). */
async function rangeServer(dir: string): Promise<{ url: string; sent: () => number; reset(): void; close(): Promise<void> }> {
  let sent = 0;
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name.replace(/[^A-Za-z0-9._-]/g, '')));
    } catch {
      res.writeHead(404).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const from = m ? Number(m[1]) : 0;
    const to = m && m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    const slice = body.subarray(from, to + 1);
    res.writeHead(m ? 206 : 200, { 'content-length': slice.length, ...(m ? { 'content-range': `bytes ${from}-${to}/${body.length}` } : {}) });
    sent += slice.length;
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    reset: () => { sent = 0; },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

interface Measured {
  full: number;
  patch: number;
  patchMakeS: number;
  patchApplyS: number;
  patchPathS: number;
  chunks: number;
  chunkMap: number;
  chunksPathS: number;
  blockmap: number;
  blockmapFile: number;
}

export async function rowDelta(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const size = cfg.smoke ? SMOKE_MODEL : FULL_MODEL;
  const model = modelApp(size);
  const root = mkdtempSync(join(tmpdir(), 'tidings-bench-delta-'));
  const pub = join(root, 'pub');
  mkdirSync(pub);
  const installed = join(root, 'installed-2.0.0.bin');
  writeFileSync(installed, model.base);
  const srv = await rangeServer(pub);
  const baseBlocks = blocksOf(model.base);
  const results: Record<string, Measured> = {};
  const facts: Record<string, unknown> = { installerBytes: model.base.length, frameworkBytes: model.frameworkBytes };
  try {
    for (const [kind, bytes] of [['patch', model.patch], ['minor', model.minor]] as const) {
      const name = `app-${kind}.bin`;
      const file = join(pub, name);
      writeFileSync(file, bytes);
      let t = performance.now();
      const p = await makePatch(installed, file, join(pub, `${name}.from-2.0.0.patch`));
      const patchMakeS = (performance.now() - t) / 1000;
      t = performance.now();
      await applyPatch(installed, join(pub, `${name}.from-2.0.0.patch`), join(root, `applied-${kind}`), { sha256: sha(bytes), size: bytes.length });
      const patchApplyS = (performance.now() - t) / 1000;
      rmSync(join(root, `applied-${kind}`));
      const map = await writeChunkMap(file, join(pub, `${name}.chunks`));
      const asset: DeltaAsset = {
        url: `${srv.url}/${name}`, sha256: sha(bytes), size: bytes.length,
        patches: [{ from: '2.0.0', url: `${srv.url}/${name}.from-2.0.0.patch`, ...p }],
        chunks: { url: `${srv.url}/${name}.chunks`, sha256: map.sha256, size: map.size },
      };
      const viaClient = async (a: DeltaAsset, want: DeltaMethod) => {
        const dl = join(root, `dl-${kind}-${want}`);
        mkdirSync(dl);
        srv.reset();
        const t0 = performance.now();
        const res = await downloadUpdate({ asset: a, installed: { version: '2.0.0', file: installed }, dir: dl, fileName: name, allowLoopbackHttp: true });
        const s = (performance.now() - t0) / 1000;
        if (res.method !== want) throw new Error(`${kind}: expected the ${want} path, got ${res.method} (${res.fellBack.join('; ')})`);
        if (statSync(res.path).size !== bytes.length || sha(readFileSync(res.path)) !== asset.sha256) throw new Error(`${kind}: the ${want} path built a wrong file`);
        if (res.downloaded !== srv.sent()) throw new Error(`${kind}: the client counted ${res.downloaded} bytes, the server sent ${srv.sent()}`);
        rmSync(dl, { recursive: true, force: true });
        return { bytes: srv.sent(), s };
      };
      const viaPatch = await viaClient(asset, 'patch');
      const { patches: _p, ...noPatch } = asset;
      const viaChunks = await viaClient(noPatch, 'chunks');
      const bm = blockmapDownload(baseBlocks, blocksOf(bytes));
      results[kind] = {
        full: bytes.length, patch: viaPatch.bytes, patchMakeS, patchApplyS, patchPathS: viaPatch.s,
        chunks: viaChunks.bytes, chunkMap: map.size, chunksPathS: viaChunks.s, blockmap: bm.total, blockmapFile: bm.blockmap,
      };
    }
  } finally {
    await srv.close();
    rmSync(root, { recursive: true, force: true });
  }
  const P = results.patch as Measured;
  const M = results.minor as Measured;
  const full = (m: Measured) => fig('full installer', kb(m.full));
  const lines: Line[] = [
    makeLine('delta-patch-release-vs-full', fig('patch', kb(P.patch)), full(P), { op: '≤', ratio: 0.0005 }),
    makeLine('delta-minor-release-vs-full', fig('patch', kb(M.patch)), full(M), { op: '≤', ratio: 0.005 }),
    makeLine('delta-patch-release-vs-blockmap', fig('patch', kb(P.patch)), fig('electron-builder blockmap', kb(P.blockmap)), { op: '≤', ratio: 1 }),
    makeLine('delta-minor-release-vs-blockmap', fig('patch', kb(M.patch)), fig('electron-builder blockmap', kb(M.blockmap)), { op: '≤', ratio: 1 }),
    makeLine('delta-chunks-patch-release-vs-blockmap', fig('chunk reuse', kb(P.chunks)), fig('electron-builder blockmap', kb(P.blockmap)), { op: '≤', ratio: 1 }),
    makeLine('delta-chunks-minor-release-vs-blockmap', fig('chunk reuse', kb(M.chunks)), fig('electron-builder blockmap', kb(M.blockmap)), { op: '≤', ratio: 1 }),
  ];
  const notes = [
    `model app: ${(model.base.length / 1048576).toFixed(1)} MB installer (${(model.frameworkBytes / 1048576).toFixed(0)} MB framework unchanged + app payload)`,
    ...(['patch', 'minor'] as const).map((k) => {
      const m = results[k] as Measured;
      return `${k} release: patch ${m.patch} B = ${pct(m.patch, m.full)}; chunk reuse ${m.chunks} B (map ${m.chunkMap} B) = ${pct(m.chunks, m.full)}; `
        + `blockmap ${m.blockmap} B (blockmap file ${m.blockmapFile} B) = ${pct(m.blockmap, m.full)}; full ${m.full} B`;
    }),
    ...(['patch', 'minor'] as const).map((k) => {
      const m = results[k] as Measured;
      return `${k} release times: make patch ${m.patchMakeS.toFixed(1)} s (publisher), apply patch ${m.patchApplyS.toFixed(2)} s, `
        + `patch path end to end ${m.patchPathS.toFixed(2)} s, chunk path end to end ${m.chunksPathS.toFixed(2)} s (loopback)`;
    }),
    'blockmap: the old blockmap counted as cached by electron-updater (0 bytes); HTTP headers not counted on either side',
  ];
  facts.results = results;
  return { row: 13, title: 'delta update: bytes downloaded for a patch and a minor release', lines, facts, notes, seconds: (Date.now() - started) / 1000 };
}
