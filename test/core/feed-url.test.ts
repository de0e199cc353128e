// A feed URL with or without the trailing /v1 (and a trailing slash) names the same feed for every URL builder:
// the routine check, pages and the SSE stream. The shipped build configuration is loaded as it is, and a real
// feed service is reached through each spelling end to end (check, then a post pushed over SSE).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createCompanion, type CompanionEvents } from '../../electron/core/index.ts';
import { feedBase, feedV1Url } from '../../electron/core/sources/feed-url.ts';
import { startFeed, news } from '../server/helpers.ts';
import { tempDir } from './helpers/tmp.ts';
import { settleLive, waitFor } from './helpers/wait.ts';

test('the shipped build configuration\'s defaultFeedUrl gives heads at exactly one /v1/heads', () => {
  const config = JSON.parse(readFileSync(new URL('../../build/tidings.config.json', import.meta.url), 'utf8')) as { defaultFeedUrl: string };
  const heads = feedV1Url(config.defaultFeedUrl, 'heads');
  assert.match(heads, /^https:\/\/[^/]+(\/.*)?\/v1\/heads$/);
  assert.equal(heads.split('/v1/').length, 2, `${heads} has one /v1/`);
  assert.ok(!feedBase(config.defaultFeedUrl).endsWith('/v1'));
});

test('every spelling of a feed URL has the same base; static index URLs and look-alike paths are left alone', () => {
  for (const url of ['https://feed.example.com', 'https://feed.example.com/', 'https://feed.example.com/v1', 'https://feed.example.com/v1/', 'https://feed.example.com/v1//', ' https://feed.example.com/V1 ']) {
    assert.equal(feedBase(url), 'https://feed.example.com', url);
  }
  assert.equal(feedBase('https://host/feeds/acme/v1/'), 'https://host/feeds/acme');
  assert.equal(feedBase('https://host/v1x'), 'https://host/v1x');
  assert.equal(feedBase('https://host/v1/v1'), 'https://host/v1', 'only one trailing /v1 is the protocol\'s');
  assert.equal(feedBase('https://cdn.example.com/feed/v1/index.json'), 'https://cdn.example.com/feed/v1/index.json');
  assert.equal(feedV1Url('https://host/feeds/acme/v1/', '/channels/news/events'), 'https://host/feeds/acme/v1/channels/news/events');
});

for (const suffix of ['/v1', '/v1/', '/']) {
  test(`a real feed reached as <url>${suffix}: the check and the SSE push both work`, async (t) => {
    const feed = await startFeed({ maxAge: 0 }); // a pushed event may start a check at once (case 55)
    t.after(() => feed.close());
    await feed.publish(news('news', 'Before'));
    const c = await createCompanion({
      dataDir: tempDir(t), publisherKeys: [feed.key.publicKey], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
      sources: [{ kind: 'feed-v1', id: 'main', url: `${feed.url}${suffix}`, token: feed.readToken, live: true }], allowLoopbackHttp: true, intervalMs: null,
    });
    t.after(() => c.close());
    const messages: CompanionEvents['messages'][] = [];
    c.on('messages', (m) => messages.push(m));
    c.start();
    await c.checkAll();
    const [status] = c.sources();
    assert.equal(status?.lastError, null);
    assert.ok(status?.lastSuccess);
    assert.deepEqual(c.listMessages().map((i) => i.title), ['Before']);
    // Both streams open and the check their opening starts is over: only the message event can bring the post.
    await settleLive(c, () => feed.server.hub.subscribers, 2);
    await feed.publish(news('news', 'Pushed'));
    await waitFor('the post pushed over SSE', () => messages.find((m) => m.items.some((i) => i.title === 'Pushed')));
  });
}
