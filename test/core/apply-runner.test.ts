// The real Runner (electron/core/apply/runner.ts) with real processes: exit code, output and extra
// environment of a program run to completion; a program that can't be started; a detached program that
// outlives the call and is in its own session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemRunner } from '../../electron/core/apply/runner.ts';
import { tempDir } from './helpers/tmp.ts';
import { waitFor } from './helpers/wait.ts';

test('run: exit code, stdout, stderr and the extra environment; a signal reports 128 + its number', async () => {
  const r = await systemRunner.run('/bin/sh', ['-c', 'echo "out $TIDINGS_X"; echo err >&2; exit 3'], { env: { TIDINGS_X: 'x1' } });
  assert.deepEqual(r, { code: 3, stdout: 'out x1\n', stderr: 'err\n' });
  const killed = await systemRunner.run('/bin/sh', ['-c', 'kill -TERM $$']);
  assert.equal(killed.code, 128 + 15);
});

test('run: a program that does not exist rejects with ENOENT (not an exit code)', async () => {
  await assert.rejects(systemRunner.run('/nonexistent/tidings-tool', []), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  await assert.rejects(systemRunner.startDetached('/nonexistent/tidings-tool', []), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
});

test('startDetached: resolves at once; the program keeps running in its own session and finishes on its own', async (t) => {
  const dir = tempDir(t);
  const done = join(dir, 'done');
  const started = Date.now();
  const { pid } = await systemRunner.startDetached('/bin/sh', ['-c', `sleep 0.3; ps -o sid= -p $$ > "${done}.sid"; echo "$TIDINGS_Y" > "${done}"`], { env: { TIDINGS_Y: 'y1' } });
  assert.ok(Date.now() - started < 300, 'not waited for');
  assert.ok(pid > 0);
  assert.equal(existsSync(done), false);
  await waitFor('the detached program', () => existsSync(done), 5000);
  assert.equal(readFileSync(done, 'utf8'), 'y1\n');
  const sid = readFileSync(`${done}.sid`, 'utf8').trim();
  if (sid) assert.equal(Number(sid), pid, 'its own session (detached), so it outlives the app');
});
