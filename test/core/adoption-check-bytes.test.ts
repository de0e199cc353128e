// Performance row 3 with the adoption report on (issue 15 item 2): the routine unchanged check, through
// createCompanion against the real feed service behind a counting proxy, is the same single conditional GET
// answered by a bodyless 304 with diagnostics on as off, within 444 bytes; the report goes out of band.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createCompanion } from '../../electron/core/index.ts';
import { defaultPreferences } from '../../shared/settings.ts';
import { countingProxy } from '../../bench/lib/wire.ts';
import { startFeed, release } from '../server/helpers.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { tempDir } from './helpers/tmp.ts';

const MIN = 60_000;

async function unchangedCheckBytes(t: TestContext, shareDiagnostics: boolean): Promise<{ total: number; request: string }> {
  const feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  await feed.publish(release('stable', '2.1.0'));
  const proxy = await countingProxy(Number(new URL(feed.url).port));
  t.after(() => proxy.close());
  const clock = new FakeClock();
  const c = await createCompanion({
    dataDir: tempDir(t), publisherKeys: [feed.key.publicKey], installedVersion: '2.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'main', url: `http://127.0.0.1:${proxy.port}`, token: feed.readToken, newsChannels: ['news'] }],
    allowLoopbackHttp: true, intervalMs: null, clock,
  });
  t.after(() => c.close());
  c.setPreferences({ ...defaultPreferences, shareDiagnostics });
  c.start();
  await c.checkAll();
  // Whatever the report does (the feed may not take it yet) happens before the measured check.
  await clock.advance(5 * MIN + 1000);
  await c.settled();
  proxy.reset();
  await c.checkAll();
  await c.settled();
  const { up, down } = proxy.seen();
  assert.match(down.toString('latin1'), /^HTTP\/1\.1 304 /);
  return { total: up.length + down.length, request: up.toString('latin1') };
}

test('row 3: with diagnostics on, the routine unchanged check is the same single 304 exchange, within 444 bytes', async (t) => {
  const off = await unchangedCheckBytes(t, false);
  const on = await unchangedCheckBytes(t, true);
  t.diagnostic(`unchanged check through createCompanion: diagnostics off ${off.total} B, on ${on.total} B (goal ≤ 444)`);
  for (const m of [off, on]) {
    assert.match(m.request, /^GET \/v1\/heads HTTP\/1\.1\r\n/);
    assert.equal(m.request.split('\r\n\r\n').length, 2, 'one request, no report on it');
  }
  assert.equal(on.total, off.total, 'the report adds nothing to the routine check');
  assert.ok(on.total <= 444, `${on.total} bytes`);
});
