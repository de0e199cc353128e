// The benchmarks keep working: `npm run bench -- --smoke` runs every row briefly in a child process. Only
// that they ran and produced numbers is asserted (never speed: CI machines are slow and noisy), plus hard
// facts — the 304s had empty bodies, every anchor served the same page, every subscriber got every publish.
// Neither nginx nor wrk is needed: without nginx the row says the anchor was skipped and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Line { name: string; kind: string; ratio: number | null; unavailable?: string; ours: { value: number | null }; anchor: { value: number | null } }
interface Row { row: number; lines: Line[]; facts: Record<string, unknown> }

function runBench(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string; json: { rows: Row[]; failures: string[] } }> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-smoke-'));
  const file = join(dir, 'smoke.json');
  const child = spawn(process.execPath, ['bench/run.ts', '--smoke', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, BENCH_OUT: file } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { err += String(d); });
  return new Promise((resolve) => child.on('exit', (code) => {
    let json = { rows: [] as Row[], failures: ['no results file'] };
    try { json = JSON.parse(readFileSync(file, 'utf8')); } catch { /* asserted below */ }
    rmSync(dir, { recursive: true, force: true });
    resolve({ code, out, err, json });
  }));
}

// `<name>: ours <value> vs <anchor> <value> = <ratio>x (goal <op> <target>)`; a unit may have several words
// ("ms CPU/check"), so the anchor's label is greedy and its value is the last number before " = ".
const LINE = /^([\w-]+): ours (-?[\d.]+ .+?) vs (.+) (-?[\d.]+ [^\d\s][^=]*?|unavailable) = (-?[\d.]+x|n\/a) \(goal (.+?)\)( \[.+ skipped: (.+)\])?$/;

function ratioLines(out: string): Map<string, RegExpExecArray> {
  const found = new Map<string, RegExpExecArray>();
  for (const l of out.split('\n')) {
    const m = LINE.exec(l);
    if (m) found.set(m[1] as string, m);
  }
  return found;
}

const EXPECTED = [
  'unchanged-vs-node-http', 'unchanged-vs-nginx', 'unchanged-token-vs-node-http', 'unchanged-token-vs-nginx', 'unchanged-aa-node-http',
  'changed-vs-fastify', 'changed-vs-node-http', 'changed-token-vs-fastify', 'changed-token-vs-node-http', 'changed-aa-node-http',
  'check-bytes-vs-electron-updater', 'check-bytes-vs-sparkle', 'check-bytes-aa-electron-updater', 'tls-check-bytes-vs-electron-updater', 'tls-check-bytes-aa-electron-updater',
  'core-check-cpu-vs-bare-fetch', 'core-wakeups-vs-1s-loop', 'core-check-aa-bare-fetch', 'core-tls-check-cpu-vs-keepalive-fetch', 'core-tls-check-aa-keepalive-fetch',
  'live-rss-per-subscriber-vs-ws', 'live-publish-p99-vs-ws', 'live-publish-p99-aim', 'live-aa-rss-ws', 'live-aa-p99-ws',
  'delta-patch-release-vs-full', 'delta-minor-release-vs-full', 'delta-patch-release-vs-blockmap', 'delta-minor-release-vs-blockmap', 'delta-chunks-patch-release-vs-blockmap', 'delta-chunks-minor-release-vs-blockmap',
  'store-poll-vs-raw', 'store-poll-vs-node-sqlite', 'store-poll-aa-raw', 'inbox-page-count-vs-raw', 'inbox-page-count-p99', 'inbox-aa-raw',
  'idle-rss-vs-empty-node', 'idle-rss-after-checks', 'idle-rss-second-checks', 'idle-aa-empty-node', 'disk-per-message-vs-json-lines', 'disk-wal-max-vs-limit', 'disk-aa-store',
];

test('every benchmark row runs in smoke mode and prints its ratio lines', { timeout: 540_000 }, async () => {
  const r = await runBench([]);
  assert.equal(r.code, 0, `bench --smoke failed:\n${r.out}\n${r.err}`);
  assert.deepEqual(r.json.failures, []);
  const lines = ratioLines(r.out);
  for (const name of EXPECTED) {
    const m = lines.get(name);
    assert.ok(m, `no ratio line for ${name} in:\n${r.out}`);
    if (m[4] === 'unavailable') {
      assert.ok(/^unchanged(-token)?-vs-nginx$/.test(name), `${name}: only the nginx anchor may be unavailable`);
      assert.ok(m[8] && m[8].length > 5, `${name}: a skipped anchor must say why`);
    } else {
      assert.match(m[5] as string, /^-?[\d.]+x$/, `${name}: ratio`);
      assert.ok(Number.isFinite(parseFloat(m[5] as string)), `${name}: ratio is a number`);
    }
  }
  const rows = new Map(r.json.rows.map((row) => [row.row, row]));
  assert.deepEqual([...rows.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 7, 8, 10, 11, 13]);

  // Row 1: every target that ran answered the load's request with a 304 and an empty body.
  const f1 = rows.get(1)?.facts as Record<string, { status: number; bodyBytes: number }>;
  for (const k of ['ours', 'token', 'node', 'copy']) assert.deepEqual([f1[k]?.status, f1[k]?.bodyBytes], [304, 0], `row 1 ${k}`);
  assert.equal((f1 as unknown as { withoutToken: number }).withoutToken, 401, 'row 1: the private feed checks the token');
  if (f1.nginx) assert.deepEqual([f1.nginx.status, f1.nginx.bodyBytes], [304, 0], 'row 1 nginx');

  // Row 2: a ~1 KB page, and every anchor sent exactly the same number of body bytes.
  const f2 = rows.get(2)?.facts as Record<string, { status: number; bodyBytes: number }> & { pageBytes: number; messages: number };
  assert.ok(f2.pageBytes > 700 && f2.pageBytes < 1600, `page of ${f2.pageBytes} B`);
  assert.ok(f2.messages >= 1);
  for (const k of ['ours', 'token', 'fastify', 'node', 'copy']) assert.deepEqual([f2[k]?.status, f2[k]?.bodyBytes], [200, f2.pageBytes], `row 2 ${k}`);

  // Row 3: our check was a conditional, authorized request answered by a 304 with no body on the wire.
  const f3 = rows.get(3)?.facts as { ours: { status: number; responseBodyBytesOnWire: number; request: string; requestBytes: number; responseBytes: number }; electronUpdater: { bodyBytes: number }; sparkle: { bodyBytes: number } };
  assert.equal(f3.ours.status, 304);
  assert.equal(f3.ours.responseBodyBytesOnWire, 0);
  assert.match(f3.ours.request, /^GET \/v1\/heads HTTP\/1\.1\r\n/);
  assert.match(f3.ours.request, /\r\nif-none-match: "[^"]+"\r\n/i);
  assert.match(f3.ours.request, /\r\nauthorization: Bearer tdg_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\r\n/i);
  assert.ok(f3.ours.requestBytes > 0 && f3.ours.responseBytes > 0);
  assert.ok(f3.electronUpdater.bodyBytes > 200 && f3.sparkle.bodyBytes > 2000, 'anchors served whole documents');
  // Row 3b: over TLS our routine checks resumed the session (the first check of the process did not), and
  // electron-updater's checks each made a full handshake.
  const tls3 = (rows.get(3)?.facts as { tls: { handshakes: { full: number; resumed: number }; resumedBytes: number; freshBytes: number } }).tls;
  assert.ok(tls3.handshakes.resumed >= 3 && tls3.handshakes.full >= 2, `row 3b handshakes: ${JSON.stringify(tls3.handshakes)}`);
  assert.ok(tls3.resumedBytes > 0 && tls3.resumedBytes < tls3.freshBytes, `row 3b: resumed ${tls3.resumedBytes} B, full ${tls3.freshBytes} B`);

  // Row 8 over TLS: the timed checks resumed their sessions (a full handshake only where no ticket was held).
  const f8 = rows.get(8)?.facts as { checks: number; tls: { handshakes: { full: number; resumed: number } } };
  assert.ok(f8.tls.handshakes.resumed >= f8.checks, `row 8 TLS handshakes: ${JSON.stringify(f8.tls.handshakes)}`);

  // Row 7: every subscriber connected and received every publish, on both servers.
  const f7 = rows.get(7)?.facts as { allDelivered: boolean; subscribers: number };
  assert.equal(f7.allDelivered, true, 'every subscriber received every publish');
  assert.ok(f7.subscribers >= 100);

  // Row 13: the client really took the patch and the chunk paths (the row checks the built file's hash), and
  // each downloaded less than the full installer.
  // Rows 10 and 11: every check of the core host succeeded and it held every stored message; the store was
  // measured with its WAL, which stayed within the journal size limit plus one transaction.
  const f10 = rows.get(10)?.facts as { total: number; stored: number; failedChecks: string[] };
  assert.deepEqual(f10.failedChecks, [], 'row 10: checks failed');
  assert.ok(f10.stored >= f10.total, `row 10: ${f10.stored} of ${f10.total} messages stored`);
  const f11 = rows.get(11)?.facts as { storeBytes: number; jsonLinesBytes: number; maxWalBytes: number };
  assert.ok(f11.storeBytes > f11.jsonLinesBytes / 2 && f11.maxWalBytes > 0, `row 11: ${JSON.stringify(f11)}`);

  const f13 = rows.get(13)?.facts as { results: Record<string, { full: number; patch: number; chunks: number; blockmap: number }> };
  for (const k of ['patch', 'minor']) {
    const m = f13.results[k];
    assert.ok(m && m.patch > 0 && m.patch < m.chunks && m.chunks < m.full && m.blockmap < m.full, `row 13 ${k}: ${JSON.stringify(m)}`);
  }
});

test('without nginx the unchanged-check row still runs and says the anchor was skipped', { timeout: 120_000 }, async () => {
  const r = await runBench(['row1'], { BENCH_NO_NGINX: '1' });
  assert.equal(r.code, 0, `bench --smoke row1 failed:\n${r.out}\n${r.err}`);
  const m = ratioLines(r.out).get('unchanged-vs-nginx');
  assert.ok(m, r.out);
  assert.equal(m[4], 'unavailable');
  assert.equal(m[5], 'n/a');
  assert.match(m[8] as string, /BENCH_NO_NGINX/);
  assert.ok(ratioLines(r.out).get('unchanged-vs-node-http'), 'the node:http ratio is still printed');
});
