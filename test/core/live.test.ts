// Live push over SSE against the real feed service: a published message arrives within seconds without any
// scheduled poll, live-only messages reach the shell unstored, and a restarted feed is re-synced on reconnect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCompanion, type CompanionEvents } from '../../electron/core/index.ts';
import { startFeed, news } from '../server/helpers.ts';
import { tempDir } from './helpers/tmp.ts';
import { settleLive, waitFor } from './helpers/wait.ts';

test('SSE: new messages arrive within seconds in manual mode; live-only ones are shown, not stored; reconnect re-syncs', async (t) => {
  const feed = await startFeed({ maxAge: 0 }); // each pushed event may start a check at once (case 55)
  t.after(() => feed.close());
  const c = await createCompanion({
    dataDir: tempDir(t), publisherKeys: [feed.key.publicKey], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
    sources: [{ kind: 'feed-v1', id: 'main', url: feed.url, token: feed.readToken, live: true }], allowLoopbackHttp: true, intervalMs: null,
  });
  t.after(() => c.close());
  const messages: CompanionEvents['messages'][] = [];
  const live: CompanionEvents['live'][] = [];
  c.on('messages', (m) => messages.push(m));
  c.on('live', (m) => live.push(m));
  c.start();
  await c.checkAll();
  // Both streams (stable, news) open and the check their opening starts is over: only the message event is left.
  await settleLive(c, () => feed.server.hub.subscribers, 2);
  await feed.publish(news('news', 'Pushed'));
  await waitFor('the pushed message', () => messages.find((m) => m.items.some((i) => i.title === 'Pushed')));
  assert.equal((await feed.publish({ ...news('news', 'Live only'), persistent: false })).status, 202);
  const l = await waitFor('the live message', () => live[0]);
  assert.deepEqual([l.title, l.trusted], ['Live only', true]);
  assert.ok(!c.listMessages().some((i) => i.title === 'Live only'));
  // The feed restarts (streams end); a message published meanwhile is fetched after the reconnect.
  await feed.restart();
  await feed.publish(news('news', 'While reconnecting'));
  await waitFor('the message published during the restart', () => messages.find((m) => m.items.some((i) => i.title === 'While reconnecting')), 10_000);
  assert.equal(c.listMessages().filter((i) => i.title === 'Pushed').length, 1);
});
