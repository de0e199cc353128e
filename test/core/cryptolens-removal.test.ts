// A Cryptolens RemoveMessage of a news post reaches a companion that follows the account (reliability.md case
// 58). The dialect has no tombstones: GetMessages simply stops listing the post (the real service and ours
// alike), so the companion re-reads the news it holds now and then and hides what is no longer listed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed } from '../server/helpers.ts';
import { FakeClock } from './helpers/fake-clock.ts';
import { openCompanion } from './helpers/hostile.ts';
import { REMOVAL_SWEEP_SECONDS } from '../../electron/core/sources/cryptolens.ts';

test('case 58: a news post removed with RemoveMessage disappears from the inbox; the routine check stays small', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  const create = async (content: string) => {
    const body = (await (await feed.form('/api/message/CreateMessage', { token: feed.publishToken, Content: content, Channel: 'news', Time: 0 })).json()) as { messageId: number };
    return body.messageId;
  };
  await create('Old news');
  const x = await openCompanion(t, { kind: 'cryptolens', id: 'cl', url: feed.url, token: feed.readToken, newsChannel: 'news' }, [], { clock: new FakeClock(Date.now()) });
  await x.c.checkAll();
  const oops = await create('Oops, wrong price');
  await create('Real news');
  await x.c.checkAll();
  assert.deepEqual(x.inbox().sort(), ['Old news', 'Oops, wrong price', 'Real news']);
  const res = await feed.form('/api/message/RemoveMessage', { token: feed.publishToken, Id: oops });
  assert.equal(((await res.json()) as { result: number }).result, 0);
  await x.clock.advance(REMOVAL_SWEEP_SECONDS * 1000);
  await x.c.checkAll();
  assert.deepEqual(x.inbox().sort(), ['Old news', 'Real news']);
  assert.match(x.log().at(-1) ?? '', /1 removed/);
  assert.equal(x.c.sources()[0]!.lastError, null);
});
