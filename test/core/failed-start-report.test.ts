// The failed-start report from the core (issue 13 item 3; electron/core/failed-start-report.ts): after a
// rollback, and only when the user allows diagnostics (off by default), the feed that offered the failed
// version gets one report: version, platform, channel, rollout bucket, reason, and nothing else. Through
// createCompanion against the real feed service on loopback, behind a recording pass-through, with a
// recording install setup standing in for the platform's watchdog.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createCompanion, type InstallSetup, type UpdateOutcome } from '../../electron/core/index.ts';
import { bucketOf } from '../../electron/core/policy/update.ts';
import { defaultPreferences } from '../../shared/settings.ts';
import { startFeed, release } from '../server/helpers.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { tempDir } from './helpers/tmp.ts';

const REPORTS = '/v1/reports/failed-start';

async function setup(t: TestContext) {
  const feed = await startFeed({ allowLoopbackHttp: true });
  t.after(() => feed.close());
  // Everything the companion sends goes through here and is recorded, then forwarded to the feed.
  let refuseReports = false;
  const proxy = await startFaultServer(t, async (req, res, body) => {
    if (refuseReports && req.url === REPORTS) return void res.writeHead(503, { 'content-length': 0 }).end();
    const headers: Record<string, string> = {};
    for (const k of ['authorization', 'content-type', 'if-none-match']) if (typeof req.headers[k] === 'string') headers[k] = req.headers[k];
    const r = await fetch(`${feed.url}${req.url}`, { method: req.method, headers, ...(req.method === 'POST' ? { body } : {}) });
    const out = Buffer.from(await r.arrayBuffer());
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json', 'content-length': out.length, ...(r.headers.get('etag') ? { etag: r.headers.get('etag')! } : {}) }).end(out);
  });
  const dataDir = tempDir(t);
  let outcome: UpdateOutcome | null = null;
  const install: InstallSetup = {
    async apply() {}, async handoff() {},
    takeOutcome: () => {
      const o = outcome;
      outcome = null;
      return o;
    },
  };
  const open = (shareDiagnostics?: boolean) => createCompanion({
    dataDir, publisherKeys: [feed.key.publicKey], installedVersion: '1.1.0', platform: 'linux-x64', channel: 'stable', install,
    sources: [{ kind: 'feed-v1', id: 'main', url: proxy.url, token: feed.readToken }], allowLoopbackHttp: true,
  }).then((c) => {
    if (shareDiagnostics !== undefined) c.setPreferences({ ...defaultPreferences, shareDiagnostics });
    return c;
  });
  // 1.1.0 saw 1.2.0 on stable and installed it; the store keeps the record of the version that then failed.
  assert.equal((await feed.publish(release('stable', '1.2.0'))).status, 201);
  {
    const c = await open();
    c.start();
    await c.checkAll();
    assert.equal(c.updateStatus().state, 'available');
    await c.close();
  }
  const reports = () => proxy.requests.filter((r) => r.url.startsWith('/v1/reports'));
  return { feed, proxy, open, reports, setOutcome: (o: UpdateOutcome) => { outcome = o; }, refuse: () => { refuseReports = true; } };
}

test('after a rollback with diagnostics on: exactly one report to the feed that offered it, with the five fields and nothing else', async (t) => {
  const { feed, open, reports, setOutcome } = await setup(t);
  setOutcome({ rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'crashed' } });
  const c = await open(true);
  t.after(() => c.close());
  c.start();
  await c.checkAll();
  await c.settled();
  const sent = reports();
  assert.equal(sent.length, 1, 'one report, once');
  const r = sent[0]!;
  assert.equal(r.method, 'POST');
  assert.equal(r.headers.authorization, `Bearer ${feed.readToken}`, 'the read token the companion already sends');
  assert.deepEqual(JSON.parse(r.body), { version: '1.2.0', platform: 'linux-x64', channel: 'stable', bucket: bucketOf(c.installId()), reason: 'crashed' });
  assert.ok(!r.body.includes(c.installId()), 'no install id');
  const stored = await feed.server.store.failedStarts({ channels: null });
  assert.deepEqual(stored.map((s) => [s.channel, s.version, s.platform, s.reason, s.count]), [['stable', '1.2.0', 'linux-x64', 'crashed', 1]]);
  assert.ok(c.checkLog(10).some((e) => e.ok && /failed-start report for 1\.2\.0 sent to main/.test(e.detail)));
  await c.close();
  // The outcome is read once: the next start sends nothing more.
  const again = await open();
  again.start();
  await again.checkAll();
  await again.settled();
  await again.close();
  assert.equal(reports().length, 1);
});

test('diagnostics off (the default): the rollback is handled and no report request is made at all', async (t) => {
  const { feed, proxy, open, reports, setOutcome } = await setup(t);
  setOutcome({ rolledBack: { bad: '1.2.0', restored: '1.1.0', reason: 'exited' } });
  const c = await open();
  t.after(() => c.close());
  const notices: string[] = [];
  c.on('notice', (n) => notices.push(n.message));
  c.start();
  await c.checkAll();
  await c.settled();
  assert.deepEqual(notices, ["1.2.0 didn't start, so 1.1.0 was restored."]);
  assert.deepEqual(reports(), []);
  assert.ok(proxy.requests.every((r) => r.method === 'GET'), 'only reads went out');
  assert.deepEqual(await feed.server.store.failedStarts({ channels: null }), []);
});

test('restoreFailed is reported too; a feed that refuses it costs one line in the check log and nothing else', async (t) => {
  const { open, reports, setOutcome, refuse } = await setup(t);
  refuse();
  setOutcome({ restoreFailed: { bad: '1.2.0', previous: '1.1.0', reason: 'timeout', error: 'EACCES' } });
  const c = await open(true);
  t.after(() => c.close());
  c.start();
  await c.checkAll();
  await c.settled();
  assert.equal(reports().length, 1);
  assert.equal(JSON.parse(reports()[0]!.body).reason, 'timeout');
  const lines = c.checkLog(20).filter((e) => /failed-start report/.test(e.detail));
  assert.deepEqual(lines.map((e) => [e.ok, e.detail]), [[false, 'failed-start report for 1.2.0 not sent: main answered 503']]);
  assert.equal(c.updateStatus().state === 'available', false, 'the bad version is still not offered');
});
