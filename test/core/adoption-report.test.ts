// The adoption report from the core (issue 15 item 2; electron/core/adoption-report.ts), through createCompanion
// against a feed on loopback that speaks the wire contract (helpers/rollout-feed.ts), on the injected clock:
// with diagnostics on, one report per UTC day per version, sent after a check and never on it, kept across a
// restart; none at all with diagnostics off; `updated: true` once after a health-checked update; a refused report
// is tried again at the next start, not at every check. (Row 3 with the report on:
// adoption-check-bytes.test.ts.)
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createCompanion, type InstallSetup } from '../../electron/core/index.ts';
import { bucketOf } from '../../electron/core/policy/update.ts';
import { defaultPreferences } from '../../shared/settings.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { rolloutFeed } from './helpers/rollout-feed.ts';
import { tempDir } from './helpers/tmp.ts';
import { sleep, waitFor } from './helpers/wait.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

async function world(t: TestContext) {
  const x = await rolloutFeed(t);
  await x.release('stable', '1.2.0');
  const clock = new FakeClock();
  const dataDir = tempDir(t);
  let healthy = false;
  const install: InstallSetup = { async apply() {}, async handoff() {}, reportHealthy: () => healthy };
  const open = async (version = '1.1.0', shareDiagnostics = true) => {
    const c = await createCompanion({
      dataDir, publisherKeys: [x.feed.key.publicKey], installedVersion: version, platform: 'linux-x64', channel: 'stable', install,
      sources: [{ kind: 'feed-v1', id: 'main', url: x.srv.url }], allowLoopbackHttp: true, intervalMs: null, clock,
    });
    t.after(() => c.close());
    c.setPreferences({ ...defaultPreferences, shareDiagnostics });
    c.start();
    return c;
  };
  const reportRequests = () => x.srv.requests.filter((r) => r.url === '/v1/reports/adoption');
  return { x, clock, open, reportRequests, setHealthy: (h: boolean) => { healthy = h; } };
}

/** Lets the background report go (at most 5 minutes after a check) and waits until the feed has `n` requests. */
async function reportsAfterWait(w: Awaited<ReturnType<typeof world>>, n: number): Promise<void> {
  await w.clock.advance(5 * MIN + 1000);
  if (n > 0) await waitFor(`${n} adoption report requests`, () => w.reportRequests().length >= n);
  await sleep(200);
  assert.equal(w.reportRequests().length, n);
}

test('diagnostics on: one report a day per version, after the check and not on it; a restart the same day sends none; 25 hours later another', async (t) => {
  const w = await world(t);
  let c = await w.open();
  await c.checkAll();
  assert.equal(w.reportRequests().length, 0, 'nothing is sent on the check itself');
  await reportsAfterWait(w, 1);
  assert.deepEqual(w.x.adoption, [{ version: '1.1.0', platform: 'linux-x64', channel: 'stable', bucket: bucketOf(c.installId()), updated: false }]);
  assert.ok(!w.reportRequests()[0]!.body.includes(c.installId()), 'no install id');
  assert.ok(c.checkLog(50).some((e) => e.ok && /adoption report for 1\.1\.0 sent to main/.test(e.detail)));
  // More checks the same day: nothing more.
  await w.clock.advance(HOUR);
  await c.checkAll();
  await reportsAfterWait(w, 1);
  // A restart the same day: nothing more (the day and version sent are in the store).
  await c.close();
  c = await w.open();
  await c.checkAll();
  await reportsAfterWait(w, 1);
  // The next UTC day: one more.
  await w.clock.advance(25 * HOUR);
  await c.checkAll();
  await reportsAfterWait(w, 2);
  assert.equal(w.x.adoption[1]!.version, '1.1.0');
});

test('diagnostics off (the default): no report request at all, only reads', async (t) => {
  const w = await world(t);
  const c = await w.open('1.1.0', false);
  await c.checkAll();
  await w.clock.advance(25 * HOUR);
  await c.checkAll();
  await reportsAfterWait(w, 0);
  assert.ok(w.x.srv.requests.every((r) => r.method === 'GET'), 'only reads went out');
});

test('after a health-checked update: updated:true once, which is also that day\'s report; the next day an ordinary one', async (t) => {
  const w = await world(t);
  // 1.1.0 saw 1.2.0 (the store keeps its record) and installed it.
  let c = await w.open('1.1.0', false);
  await c.checkAll();
  await c.close();
  w.setHealthy(true);
  c = await w.open('1.2.0');
  c.reportHealthy();
  await w.clock.advance(10_001);
  await waitFor('the updated report', () => w.x.adoption.length === 1);
  assert.deepEqual(w.x.adoption, [{ version: '1.2.0', platform: 'linux-x64', channel: 'stable', bucket: bucketOf(c.installId()), updated: true }]);
  await c.checkAll();
  await reportsAfterWait(w, 1);
  // The health report comes once; a later start of the same version is an ordinary start.
  await c.close();
  w.setHealthy(false);
  c = await w.open('1.2.0');
  c.reportHealthy();
  await c.checkAll();
  await reportsAfterWait(w, 1);
  await w.clock.advance(25 * HOUR);
  await c.checkAll();
  await reportsAfterWait(w, 2);
  assert.equal(w.x.adoption[1]!.updated, false);
});

test('a refused report is one line in the check log, not tried again at every check, and tried again at the next start', async (t) => {
  const w = await world(t);
  w.x.refuseReports = 503;
  let c = await w.open();
  await c.checkAll();
  await reportsAfterWait(w, 1);
  assert.ok(c.checkLog(50).some((e) => !e.ok && e.detail === 'adoption report for 1.1.0 not sent: main answered 503'));
  await w.clock.advance(HOUR);
  await c.checkAll();
  await reportsAfterWait(w, 1);
  w.x.refuseReports = null;
  await c.close();
  c = await w.open();
  await c.checkAll();
  await reportsAfterWait(w, 2);
  assert.equal(w.x.adoption.length, 1, 'accepted at the next start');
});
