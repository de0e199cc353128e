// The companion's `message` event (docs/library.md "Messages reach the host"): against a real feed service on
// loopback with live streams, a stored post and a live-only push each arrive once, with the publisher's code and
// JSON data; a retraction is no message; a badly signed push is none either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompanion, type HostMessage } from '../../electron/core/index.ts';
import { startFeed } from '../server/helpers.ts';
import { generateSigningKey } from '../../shared/protocol/signing.ts';
import { tempDir } from './helpers/tmp.ts';
import { sleep, waitFor } from './helpers/wait.ts';

test('message events: a stored post and a live-only push, each once, with code and data', { timeout: 30_000 }, async (t) => {
  const feed = await startFeed({ allowLoopbackHttp: true, maxAge: 0 });
  t.after(() => feed.close());
  const old = await feed.publish({ channel: 'news', kind: 'news', title: 'Before start', body: 'old', code: 7, data: { a: 1 } } as never);
  assert.equal(old.status, 201);
  const c = await createCompanion({
    dataDir: tempDir(t), publisherKeys: [feed.key.publicKey], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'main', url: feed.url, token: feed.readToken, live: true }], allowLoopbackHttp: true, intervalMs: null,
  });
  t.after(() => c.close());
  const got: HostMessage[] = [];
  c.on('message', (m) => got.push(m));
  c.start();
  await c.checkAll();
  // The first sync stores the history, and says so.
  assert.deepEqual(got.map((m) => [m.title, m.code, m.data, m.persistent]), [['Before start', 7, { a: 1 }, true]]);
  assert.equal(typeof got[0]!.key, 'number');
  assert.equal(got[0]!.body, 'old');
  assert.equal(got[0]!.trusted, true);

  await waitFor('the live streams', () => c.sources()[0]!.lastSuccess !== null);
  await sleep(300);
  const posted = await feed.publish({ channel: 'news', kind: 'news', title: 'Maintenance tonight', body: 'Sync pauses 02:00–03:00.', code: 4101, data: { from: '02:00', minutes: 60, regions: ['eu'] } } as never);
  assert.equal(posted.status, 201);
  await waitFor('the pushed post', () => got.some((m) => m.title === 'Maintenance tonight'));
  const m = got.find((x) => x.title === 'Maintenance tonight')!;
  assert.deepEqual({ code: m.code, data: m.data, persistent: m.persistent, channel: m.channel, sourceId: m.sourceId, kind: m.kind, body: m.body },
    { code: 4101, data: { from: '02:00', minutes: 60, regions: ['eu'] }, persistent: true, channel: 'news', sourceId: 'main', kind: 'news', body: 'Sync pauses 02:00–03:00.' });

  const live = await feed.publish({ channel: 'news', kind: 'news', title: 'Flash sale', body: 'Now', code: 9, data: { sku: 'x' }, persistent: false } as never);
  assert.ok(live.status === 201 || live.status === 202, String(live.status));
  await waitFor('the live push', () => got.some((x) => x.title === 'Flash sale'));
  const l = got.find((x) => x.title === 'Flash sale')!;
  assert.deepEqual({ code: l.code, data: l.data, persistent: l.persistent, key: l.key, trusted: l.trusted }, { code: 9, data: { sku: 'x' }, persistent: false, key: null, trusted: true });

  // A push signed by another key never arrives (the feed refuses it, and the client would drop it); a retraction is no message.
  const stranger = await generateSigningKey();
  await feed.publish({ channel: 'news', kind: 'news', title: 'Forged', body: '', code: 1, persistent: false } as never, { key: stranger });
  const retract = await feed.publish({ channel: 'news', kind: 'retraction', title: 'Withdrawn', body: '', retracts: (c.listMessages({ channel: 'news' }).find((x) => x.title === 'Maintenance tonight')!).id } as never);
  assert.equal(retract.status, 201);
  await waitFor('the retraction', () => !c.listMessages({ channel: 'news' }).some((x) => x.title === 'Maintenance tonight'));
  await sleep(300);
  assert.deepEqual(got.map((x) => x.title), ['Before start', 'Maintenance tonight', 'Flash sale'], 'each once; nothing for the forged push or the retraction');
});
