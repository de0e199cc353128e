// One behaviour suite, run against both the browser suite's stub (test/e2e/stub) and the real core binding
// (electron/core/handlers.ts on the demo feed): the stub is kept only for visual states, and this suite holds
// it to the product — whatever the real core refuses, the stub must refuse too, and the other way round.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InvokeHandlers } from '../../shared/ipc/contract.ts';
import { createStub } from '../e2e/stub/handlers.ts';
import { startDemoFeed } from '../../preview/demo-feed.ts';
import { createPreviewBinding } from '../../preview/core-binding.ts';
import type { Clock } from '../../electron/core/api.ts';

const platform = `${process.platform}-${process.arch}`;

interface Subject { name: string; make(t: TestContext): Promise<InvokeHandlers> }

/** The real core on a fresh demo feed, closed and removed after the test. */
async function realCore(t: TestContext, o: { installed?: string; clock?: Clock; publisher?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-behaviour-'));
  const feed = await startDemoFeed({ dir, platform });
  const binding = await createPreviewBinding({
    dataDir: join(dir, 'companion'), product: 'Tidings', installedVersion: o.installed ?? '2.0.3', platform, trustedKeys: [feed.publicKey], allowLoopbackHttp: true,
    sources: [{ kind: 'feed-v1', id: 'demo', name: 'Demo feed', url: feed.url, token: feed.readToken, live: false }], log: () => {},
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.publisher ? { publisher: { feedUrl: feed.url, publishToken: feed.publishToken, channels: ['stable', 'experimental', 'news'], key: { pkcs8: feed.pkcs8, publicKey: feed.publicKey, keyId: feed.keyId, fileName: 'demo.key' } } } : {}),
  });
  t.after(async () => { await binding.close(); await feed.close(); rmSync(dir, { recursive: true, force: true }); });
  return { feed, binding };
}

const subjects: Subject[] = [
  { name: 'stub', make: async () => createStub().binding.handlers },
  {
    name: 'real core',
    make: async (t) => {
      const { binding } = await realCore(t, { publisher: true });
      await binding.checkAll();
      return binding.handlers;
    },
  },
];

for (const s of subjects) {
  test(`${s.name}: the offer, then Skip says "skipped" (never "up to date"), Undo Skip brings it back`, async (t) => {
    const h = await s.make(t);
    const first = await h.getUpdate({});
    assert.equal(first.view.state, 'available');
    const version = first.view.state === 'available' ? first.view.offer.version : '';
    assert.equal(version, '2.1.0');
    assert.equal((await h.skipVersion({ version })).ok, true);
    const skipped = await h.getUpdate({});
    assert.equal(skipped.view.state, 'skipped');
    assert.deepEqual(skipped.skipped, [version]);
    assert.equal((await h.unskipVersion({ version })).ok, true);
    assert.equal((await h.getUpdate({})).view.state, 'available');
    assert.deepEqual((await h.getUpdate({})).skipped, []);
  });

  test(`${s.name}: a reminder is set, listed and cancelled; cancelling none is refused`, async (t) => {
    const h = await s.make(t);
    const r = await h.remindLater({ preset: '3days' });
    assert.equal(r.ok, true);
    const state = await h.getUpdate({});
    assert.ok(state.remindAt !== null && r.ok && state.remindAt === r.until);
    assert.equal((await h.clearRemind({})).ok, true);
    assert.equal((await h.getUpdate({})).remindAt, null);
    assert.equal((await h.clearRemind({})).ok, false);
  });

  test(`${s.name}: a dismissal is listed and undone`, async (t) => {
    const h = await s.make(t);
    const page = await h.listInbox({ offset: 0, limit: 50 });
    const key = page.items[0]!.key;
    await h.dismiss({ keys: [key] });
    assert.ok(!(await h.listInbox({ offset: 0, limit: 50 })).items.some((i) => i.key === key));
    assert.deepEqual((await h.listDismissed({})).items.map((d) => d.key), [key]);
    await h.restoreItems({ keys: [key] });
    assert.ok((await h.listInbox({ offset: 0, limit: 50 })).items.some((i) => i.key === key));
    assert.deepEqual((await h.listDismissed({})).items, []);
  });

  test(`${s.name}: a source with a malformed or unreachable address is refused at the url field and not saved`, async (t) => {
    const h = await s.make(t);
    const before = (await h.getSettings({})).sources;
    for (const url of ['not a url', 'ftp://feed.example.com', 'http://127.0.0.1:9/unreachable']) {
      const r = await h.saveSource({ name: 'Bad', kind: 'tidings', url, channels: [] });
      assert.equal(r.ok, false, url);
      assert.equal(!r.ok && r.error.field, 'url', url);
      const tested = await h.testSource({ name: 'Bad', kind: 'tidings', url, channels: [] });
      assert.equal(tested.ok, false, `test ${url}`);
    }
    assert.deepEqual((await h.getSettings({})).sources, before);
  });

  test(`${s.name}: settings changes are answered with the new settings`, async (t) => {
    const h = await s.make(t);
    const after = await h.updateSettings({ intervalHours: 24, retentionDays: 30 });
    assert.equal(after.intervalHours, 24);
    assert.equal(after.retentionDays, 30);
    assert.equal((await h.getSettings({})).intervalHours, 24);
  });
}

// The real core alone: the downgrade question (issue 12, point 4: removing it from the handlers must fail a node test).
test('real core: Experimental → Stable on a newer pre-release asks first; "switch and install" shows the download through verification', async (t) => {
  const { binding } = await realCore(t, { installed: '2.3.0-beta.1' });
  const h = binding.handlers;
  assert.equal((await h.setChannel({ channel: 'experimental' })).ok, true);
  await binding.checkAll();
  const asked = await h.setChannel({ channel: 'stable' });
  assert.deepEqual(asked, { ok: true, needsConfirm: { installed: '2.3.0-beta.1', stable: '2.1.0' } });
  assert.equal((await h.getSettings({})).channel, 'experimental', 'nothing changes before the answer');
  assert.equal((await h.setChannel({ channel: 'stable', installStable: false })).ok, true);
  const kept = await h.getUpdate({});
  assert.equal(kept.view.state, 'up-to-date');
  assert.deepEqual(kept.view.state === 'up-to-date' && kept.view.ahead, { stable: '2.1.0' });
  assert.equal(kept.pendingStable?.stableVersion, '2.1.0');

  await h.setChannel({ channel: 'experimental' });
  assert.equal((await h.setChannel({ channel: 'stable', installStable: true })).ok, true);
  const during = (await h.getUpdate({})).view;
  assert.ok(during.state === 'downloading' || during.state === 'verified', during.state);
  assert.equal('offer' in during && during.offer.version, '2.1.0');
  for (let i = 0; i < 100 && (await h.getUpdate({})).view.state !== 'verified'; i++) await new Promise((r) => setTimeout(r, 50));
  const done = (await h.getUpdate({})).view;
  assert.equal(done.state, 'verified');
  assert.equal(binding.verifiedDownload()?.version, '2.1.0');
});

test('real core: Check Now answers when the check is done, with what it found', async (t) => {
  const { feed, binding } = await realCore(t);
  await binding.checkAll();
  await feed.publish({ id: 'news-now', channel: 'news', kind: 'news', title: 'Fresh', body: 'Just now.' });
  assert.deepEqual(await binding.handlers.checkNow({}), { ok: true, message: 'Checked just now: 1 new item.' });
  assert.ok((await binding.handlers.listInbox({ offset: 0, limit: 50 })).items.some((i) => i.title === 'Fresh'), 'answered after the post was stored');
  await new Promise((r) => setTimeout(r, 10_100)); // Check Now is rate-limited to one per 10 s
  assert.deepEqual(await binding.handlers.checkNow({}), { ok: true, message: 'Checked just now: nothing new.' });
});

test('real core: a reminder that comes due is an OS notification once (the shell\'s toast), under its own key', async (t) => {
  const { FakeClock } = await import('../core/helpers/fake-clock.ts');
  const clock = new FakeClock(Date.now());
  const { binding } = await realCore(t, { clock });
  const toasts: { key: string; version?: string }[] = [];
  binding.subscribeToasts((items) => toasts.push(...items));
  await binding.checkAll();
  const first = toasts.filter((x) => x.version === '2.1.0');
  assert.equal(first.length, 1, 'the offer is told once');
  assert.equal((await binding.handlers.remindLater({ preset: 'tomorrow' })).ok, true);
  await clock.advance(86_400_000 - 60_000);
  assert.equal(toasts.length, 1, 'quiet while snoozed');
  await clock.advance(120_000);
  const reminded = toasts.slice(1);
  assert.equal(reminded.length, 1, 'told again when the reminder came due');
  assert.notEqual(reminded[0]!.key, first[0]!.key, 'under its own key, so the shell\'s shown-set lets it through once');
  assert.equal(reminded[0]!.version, '2.1.0');
  await clock.advance(7 * 86_400_000);
  assert.equal(toasts.length, 2, 'once');
});
