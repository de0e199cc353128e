// Graceful shutdown, made deterministic: a publish whose request is already in flight when close() begins
// still gets its 201 and is stored; a request that arrives afterwards on the same keep-alive connection
// gets a typed 503 with Retry-After (both dialects), never a reset or Fastify's untyped 503.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startFeed, signed, news, type Feed } from './helpers.ts';

interface Raw { status: number; headers: string; body: string }

/** Splits pipelined HTTP/1.1 responses (each with Content-Length) read from one socket. */
function parseResponses(text: string): Raw[] {
  const out: Raw[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    const headers = rest.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
    const body = Buffer.from(rest.slice(end + 4)).subarray(0, length).toString();
    out.push({ status: Number(headers.slice(9, 12)), headers, body });
    rest = rest.slice(end + 4 + Buffer.byteLength(body));
  }
  return out;
}

async function inFlightThenClose(feed: Feed, second: string): Promise<{ responses: Raw[]; id: string }> {
  const record = await signed(news('news', 'published while the service stops'), feed.key);
  const body = Buffer.from(JSON.stringify(record));
  const { hostname, port } = new URL(feed.url);
  const socket = connect(Number(port), hostname);
  await new Promise((r) => socket.once('connect', r));
  let received = '';
  socket.on('data', (d) => { received += String(d); });
  const ended = new Promise((r) => socket.once('close', r));
  // Headers and half the body: the publish is in flight (routed, authenticated, waiting for its body).
  socket.write(`POST /v1/channels/news/messages HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${feed.publishToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  socket.write(body.subarray(0, 40));
  await new Promise((r) => setTimeout(r, 100));
  const closed = feed.server.close();
  await new Promise((r) => setTimeout(r, 100));
  // The rest of the body, then a second request pipelined behind it on the same connection.
  socket.write(Buffer.concat([body.subarray(40), Buffer.from(second)]));
  await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
  socket.destroy();
  await closed;
  return { responses: parseResponses(received), id: record.id };
}

test('close() lets an in-flight publish finish and refuses later requests with a typed 503', async () => {
  const feed = await startFeed();
  const { responses, id } = await inFlightThenClose(feed, 'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(responses.length, 2, JSON.stringify(responses));
  const [publish, refused] = responses as [Raw, Raw];
  assert.equal(publish.status, 201, publish.body);
  assert.equal((JSON.parse(publish.body) as { id: string }).id, id);
  assert.equal(refused.status, 503);
  assert.match(refused.headers, /retry-after: \d+/i);
  assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'shutting_down');
  // The acknowledged publish is in the database after the restart.
  await feed.restart();
  const page = await (await feed.get('/v1/channels/news/messages')).json() as { messages: { id: string }[] };
  assert.deepEqual(page.messages.map((m) => m.id), [id]);
  await feed.close();
});

test('a Cryptolens request refused during shutdown keeps the result envelope', async () => {
  const feed = await startFeed();
  const form = `token=${encodeURIComponent(feed.readToken)}&Time=0`;
  const { responses } = await inFlightThenClose(feed, `POST /api/message/GetMessages HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`);
  const refused = responses[1];
  assert.equal(refused?.status, 503, JSON.stringify(responses));
  assert.match(refused.headers, /retry-after: \d+/i);
  assert.equal((JSON.parse(refused.body) as { result: number }).result, 1);
  await feed.restart();
  await feed.close();
});
