// Issue 13's whole update flow on Linux, for real: a real feed service on loopback, AppImage-like `#!/bin/sh`
// executables that start the real core (helpers/update-app.ts), the real AppImage apply (real copy, chmod,
// link, rename), the real detached watchdog and its relaunch. 1.0.0 runs → 1.1.0 offered, downloaded,
// verified, applied, relaunched once with the same arguments, reporting 1.1.0; then 1.2.0, which exits on start,
// is rolled back to 1.1.0 automatically, the user is told in plain words, and 1.2.0 is not offered again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFeed, release } from '../server/helpers.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';
import { handoffPaths } from '../../electron/core/apply/handoff.ts';
import { makePatch } from '../../shared/node/patch.ts';

const appMain = fileURLToPath(new URL('./helpers/update-app.ts', import.meta.url));

/** An AppImage stand-in: runs the real core as `version`, passing on its arguments. */
const goodApp = (version: string) => `#!/bin/sh\nexport APPIMAGE="$0"\nexec "$TIDINGS_FLOW_NODE" "${appMain}" ${version} "$@"\n`;
/** A version that dies on start (as a build with a broken native module would), noting that it was tried. */
const brokenApp = (version: string) => `#!/bin/sh\necho '{"version":"${version}","event":"died"}' >> "$TIDINGS_FLOW_LOG"\nexit 1\n`;

interface Line { download?: string[]; version: string; event: string; args?: string[]; notices?: string[]; state?: string; offered?: string | null; resume?: string | null; result?: { ok: boolean }; restored?: unknown }

async function until(what: string, ok: () => boolean, explain: () => string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${explain()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('Linux AppImage: 1.0.0 updates to 1.1.0 (relaunched once, same arguments); 1.2.0 exits on start and is rolled back, the user is told, it is not offered again', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'tidings-flow-');
  const feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  const files = new Map<string, Buffer>();
  const host = await startFaultServer(t, (q, r) => {
    const body = files.get(q.url ?? '');
    if (!body) return void r.writeHead(404).end();
    r.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  /** Publishes `version`; with `patchFrom`, also a signed patch from that version's file (docs/delta.md). */
  const offer = async (version: string, script: string, patchFrom?: { version: string; file: string }) => {
    const body = Buffer.from(script);
    files.set(`/dl/Tidings-${version}.AppImage`, body);
    const patches = [];
    if (patchFrom) {
      const newFile = join(dir, `new-${version}`);
      const patchFile = join(dir, `from-${patchFrom.version}.patch`);
      writeFileSync(newFile, body);
      const p = await makePatch(patchFrom.file, newFile, patchFile);
      files.set(`/dl/Tidings-${version}.from-${patchFrom.version}.patch`, readFileSync(patchFile));
      patches.push({ from: patchFrom.version, url: `${host.url}/dl/Tidings-${version}.from-${patchFrom.version}.patch`, sha256: p.sha256, size: p.size });
    }
    const res = await feed.publish(release('stable', version, {
      release: { version, assets: [{ platform: 'linux-x64', package: 'appimage', url: `${host.url}/dl/Tidings-${version}.AppImage`, sha256: sha(body), size: body.length, ...(patches.length ? { patches } : {}) }] },
    } as never));
    assert.equal(res.status, 201, await res.text());
  };

  const appDir = join(dir, 'Applications');
  mkdirSync(appDir);
  const target = join(appDir, 'Tidings.AppImage');
  writeFileSync(target, goodApp('1.0.0'));
  chmodSync(target, 0o755);
  const dataDir = join(dir, 'data');
  const log = join(dir, 'flow.log');
  writeFileSync(log, '');
  const env = {
    ...process.env, TIDINGS_FLOW_NODE: process.execPath, TIDINGS_FLOW_LOG: log,
    TIDINGS_FLOW: JSON.stringify({ feedUrl: feed.url, token: feed.readToken, key: feed.key.publicKey, dataDir, log }),
  };
  const lines = (): Line[] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
  const watchdogDone = () => !existsSync(handoffPaths(dataDir).lock) && !existsSync(handoffPaths(dataDir).plan);
  const explain = () => `flow log:\n${readFileSync(log, 'utf8')}\nwatchdog log:\n${existsSync(handoffPaths(dataDir).log) ? readFileSync(handoffPaths(dataDir).log, 'utf8') : '(none)'}`;
  const args = ['--window', 'a file with spaces.txt'];
  // Not spawnSync: the feed service runs in this process and must keep answering.
  const run = () => new Promise<void>((resolve, reject) => {
    const child = spawn(target, args, { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the app exited with ${code}: ${stderr}`))));
  });

  // 1.0.0 → 1.1.0, downloaded as a patch from the installed file
  const installed100 = join(dir, 'installed-1.0.0');
  writeFileSync(installed100, goodApp('1.0.0'));
  await offer('1.1.0', goodApp('1.1.0'), { version: '1.0.0', file: installed100 });
  await run();
  await until('1.1.0 to start and finish', () => lines().filter((l) => l.version === '1.1.0').length >= 1 && watchdogDone(), explain);
  let seen = lines();
  assert.deepEqual(seen.map((l) => `${l.version} ${l.event}`), ['1.0.0 started', '1.0.0 restart', '1.1.0 started']);
  assert.equal(seen[0]!.offered, '1.1.0');
  assert.deepEqual(seen[1]!.result, { ok: true });
  assert.match(seen[1]!.download?.join('\n') ?? '', /downloaded 1\.1\.0 by a patch: \d+ of \d+ bytes/);
  assert.equal(host.requests.some((q) => q.url === '/dl/Tidings-1.1.0.AppImage'), false, 'the full file was never fetched');
  const v11 = seen[2]!;
  assert.deepEqual(v11.args, args, 'relaunched with the same arguments');
  assert.deepEqual(JSON.parse(v11.resume ?? 'null'), { windowVisible: true }, 'and the window state the user had');
  assert.equal(v11.state, 'up-to-date');
  assert.deepEqual(v11.notices, []);
  assert.match(readFileSync(target, 'utf8'), / 1\.1\.0 /, '1.1.0 is installed in place');
  assert.equal(statSync(target).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(appDir).filter((n) => n.includes('tidings-new')), [], 'no temporary file left');

  // 1.1.0 → 1.2.0, which exits on start → 1.1.0 restored and relaunched once
  await offer('1.2.0', brokenApp('1.2.0'));
  writeFileSync(log, '');
  await run();
  await until('the rollback to finish', () => lines().filter((l) => l.version === '1.1.0' && l.event === 'started').length >= 2 && watchdogDone(), explain);
  await new Promise((r) => setTimeout(r, 500)); // nothing else may start after it
  seen = lines();
  assert.deepEqual(seen.map((l) => `${l.version} ${l.event}`), ['1.1.0 started', '1.1.0 restart', '1.2.0 died', '1.1.0 started']);
  const back = seen[3]!;
  assert.deepEqual(back.notices, ["1.2.0 didn't start, so 1.1.0 was restored."]);
  assert.equal(back.state, 'up-to-date', '1.2.0 is not offered again');
  assert.equal(back.offered, null);
  assert.deepEqual(back.restored, { bad: '1.2.0', restored: '1.1.0' });
  assert.deepEqual(back.args, args);
  assert.match(readFileSync(target, 'utf8'), / 1\.1\.0 /, '1.1.0 is back in place');
  assert.equal(statSync(target).mode & 0o777, 0o755);

  // A later start (not after an update): still not offered, nothing told twice.
  writeFileSync(log, '');
  await run();
  seen = lines();
  assert.deepEqual(seen.map((l) => `${l.version} ${l.event} ${l.state}`), ['1.1.0 started up-to-date']);
  assert.deepEqual(seen[0]!.notices, []);
});
