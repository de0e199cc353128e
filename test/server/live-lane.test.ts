// The lean SSE lane (server/routes/live.ts) where a replay and live publishes overlap: a message committed
// while a subscriber's first page is being read arrives both in that page and from the hub, and a node
// that forwards notifications (PostgreSQL) can hand the hub a seq it has already sent. Each must reach
// the subscriber once, in order. The store's page is held open by the test, so the overlap is certain
// rather than a race; everything else is the real lane on a real socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { LiveLane } from '../../server/routes/live.ts';
import { Hub } from '../../server/hub.ts';
import { RateLimiter } from '../../server/ratelimit.ts';
import type { FeedStore, PageResult } from '../../server/store/types.ts';
import { waitFor } from '../core/helpers/wait.ts';

const msg = (seq: number) => ({ seq, json: JSON.stringify({ seq, title: `m${seq}` }) });

test('a message in both the replay and the live stream, or forwarded twice, reaches a subscriber once, in order', async (t) => {
  const pages: { after: number; resolve: (p: PageResult) => void }[] = [];
  const store = {
    page: (_channel: string, after: number) => new Promise<PageResult>((resolve) => pages.push({ after, resolve })),
  } as unknown as FeedStore;
  const hub = new Hub();
  const lane = new LiveLane({
    store, hub, publicRead: true, readRateLimit: 1000, pageBytes: 65536, heartbeatMs: 60_000,
    limiter: new RateLimiter(60_000), authenticate: () => null, closing: () => false,
  });
  const server = createServer((socket: Socket) => {
    socket.once('data', (chunk: Buffer) => {
      if (!lane.take(socket, chunk, () => socket.destroy())) socket.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { lane.close(); server.close(); });

  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  let text = '';
  client.setEncoding('latin1');
  client.on('data', (d: string) => { text += d; });
  await once(client, 'connect');
  client.write('GET /v1/channels/news/events?after=0 HTTP/1.1\r\nHost: x\r\n\r\n');
  const first = await waitFor('the first page read', () => pages[0]);
  assert.equal(first.after, 0);

  // Seq 3 and 4 commit while the first page is being read: the hub has them, and so will the page.
  hub.emit({ channel: 'news', ...msg(3) });
  hub.emit({ channel: 'news', ...msg(4) });
  first.resolve({ channel: 'news', items: [msg(1), msg(2), msg(3)], next: 3, head: 4, more: true });
  const second = await waitFor('the second page read', () => pages[1]);
  assert.equal(second.after, 3);
  second.resolve({ channel: 'news', items: [msg(4)], next: 4, head: 4, more: false });
  await waitFor('seq 4', () => text.includes('id: 4\n'));

  // Live now: a seq forwarded again (a notification heard twice), then a new one, and a live-only message.
  hub.emit({ channel: 'news', ...msg(4) });
  hub.emit({ channel: 'news', ...msg(2) });
  hub.emit({ channel: 'news', ...msg(5) });
  hub.emit({ channel: 'news', json: '{"live":true}' });
  await waitFor('the live-only message', () => text.includes('event: live\n'));

  assert.ok(text.startsWith('HTTP/1.1 200 OK\r\n'));
  assert.deepEqual([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])), [1, 2, 3, 4, 5]);
  assert.equal(lane.subscribers, 1);
  client.destroy();
  await waitFor('the subscriber to be forgotten', () => lane.subscribers === 0);
});
