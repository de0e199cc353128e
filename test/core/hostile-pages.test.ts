// A page larger than the client's byte cap never stalls a channel (reliability.md P4, case 56): the feed
// service measures its page budget in UTF-8 bytes under the client's cap (shared/protocol/limits.ts), and a
// client that still gets a page over its cap asks for fewer messages and goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_FEED_ANSWER_BYTES, PAGE_BUDGET_BYTES } from '../../shared/protocol/limits.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { MINI_FEED_NOW_MS, openCompanion } from './helpers/hostile.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { startFeed, news } from '../server/helpers.ts';

test('case 56: a feed without a byte budget serves pages over the cap; the client asks for fewer per page and stores everything', async (t) => {
  const feed = await miniFeed();
  // 30 posts of ~50 KB: a page of 100 (or 50, or 25) is over the 1 MiB cap; 12 fit.
  for (let i = 0; i < 30; i++) await feed.add({ channel: 'news', title: `big ${i}`, body: `${i} ${'x'.repeat(50_000)}` });
  const srv = await startFaultServer(t, (q, r) => void (feed.handle(q, r) || r.writeHead(404).end()));
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: srv.url }, [feed.key.publicKey], { clock: new FakeClock(MINI_FEED_NOW_MS) });
  await x.c.checkAll();
  assert.equal(x.c.countMessages(), 30, x.log().join('\n'));
  assert.equal(x.c.sources()[0]!.lastError, null);
  const limits = srv.requests.filter((q) => q.url.startsWith('/v1/channels/news/')).map((q) => new URL(q.url, 'http://x').searchParams.get('limit'));
  assert.deepEqual(limits, ['100', '50', '25', '12', '12', '12']);
  assert.ok(x.log().some((l) => /news: a page was over the 1048576-byte cap; asked for 12 per page instead/.test(l)), x.log().join('\n'));
  // The next check starts from the stored cursor: nothing is fetched again.
  await feed.add({ channel: 'news', title: 'small' });
  await x.c.checkAll();
  assert.equal(x.c.countMessages(), 31);
  assert.equal(x.inbox()[0], 'small');
});

test('case 56: the feed service counts its page budget in bytes, so multi-byte posts never make a page the client refuses', async (t) => {
  const f = await startFeed();
  t.after(() => f.close());
  // 30 posts of 63 KB of three-byte characters: 21,000 characters each. Counted in characters, 48 of them
  // would fit one "1 MiB" page of 3 MB.
  for (let i = 0; i < 30; i++) {
    const res = await f.publish({ ...news('news', `wide ${i}`), body: '語'.repeat(21_000) });
    assert.equal(res.status, 201, await res.text());
  }
  const page = await fetch(`${f.url}/v1/channels/news/messages?after=0&limit=100`, { headers: { authorization: `Bearer ${f.readToken}` } });
  const bytes = Buffer.byteLength(await page.text());
  assert.ok(bytes <= MAX_FEED_ANSWER_BYTES, `a page of ${bytes} bytes`);
  assert.ok(PAGE_BUDGET_BYTES < MAX_FEED_ANSWER_BYTES);
  const x = await openCompanion(t, { kind: 'feed-v1', id: 'main', url: f.url, token: f.readToken }, [f.key.publicKey]);
  await x.c.checkAll();
  assert.equal(x.c.countMessages(), 30, x.log().join('\n'));
  assert.ok(!x.log().some((l) => /over the .*cap/.test(l)), 'the server never sent a page over the cap');
});
