// The routine reads served on the raw socket (server/routes/routine.ts): the same bytes node:http sends,
// in order, and every request the lane does not fully understand handed to node:http untouched, so that
// no request can be read one way here and another way by a proxy or by node:http (request smuggling).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createToken } from '../../server/tokens.ts';
import { startFeed, news, backend, type Feed } from './helpers.ts';
import type { Socket } from 'node:net';
import { RawClient, header, type RawResponse } from './raw-http.ts';

let feed: Feed;
let headsEtag: string;
let pageBody: string;
let auth: string;

before(async () => {
  // A public feed: anonymous reads need no token cache, which forgets a token after a second (a slow
  // machine must not move a read from one lane to another mid-test). Tokens have their own test below.
  feed = await startFeed({ maxAge: 120, publicRead: true });
  await feed.publish(news('news', 'First'));
  auth = '';
  headsEtag = header(await once(feed.url, '/v1/heads'), 'etag') as string;
  pageBody = (await once(feed.url, '/v1/channels/news/messages?after=0&limit=10')).body;
});
after(async () => { await feed.close(); });

const heads = (etag: string, extra = ''): string => `GET /v1/heads HTTP/1.1\r\nHost: t\r\n${auth}If-None-Match: ${etag}\r\n${extra}\r\n`;
const page = (extra = ''): string => `GET /v1/channels/news/messages?after=0&limit=10 HTTP/1.1\r\nHost: t\r\n${auth}${extra}\r\n`;
const withoutDate = (r: RawResponse): string => r.raw.replace(/\r\nDate: [^\r]*/, '');

/** Waits (up to a second) for the raw lane to hold `n` connections; earlier tests' closes arrive late. */
async function held(n: number, f: Feed = feed): Promise<number> {
  const deadline = Date.now() + 1000;
  while (f.server.lanes.routine.connections !== n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return f.server.lanes.routine.connections;
}

/** One GET on its own connection (`Connection: close`), so no keep-alive connection is left behind. */
async function once(url: string, path: string): Promise<RawResponse> {
  const c = new RawClient(url);
  await c.connected;
  c.send(`GET ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
  const [r] = await c.responses(1);
  c.close();
  return r as RawResponse;
}

async function open(): Promise<RawClient> {
  const c = new RawClient(feed.url);
  await c.connected;
  return c;
}

test('pipelined routine reads are answered in order with the bytes node:http sends for them', async () => {
  await held(0);
  const lane = await open();
  lane.send(heads(headsEtag) + page() + heads(headsEtag));
  const ours = await lane.responses(3);
  assert.deepEqual(ours.map((r) => r.status), [304, 200, 304]);
  assert.equal(ours[1]?.body, pageBody);
  assert.equal(header(ours[0] as RawResponse, 'etag'), headsEtag);
  assert.equal(header(ours[0] as RawResponse, 'keep-alive'), 'timeout=72');
  assert.match(header(ours[0] as RawResponse, 'date') ?? '', /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
  assert.equal(await held(1), 1, 'the connection is held by the raw lane');

  lane.close();
  // The same requests on a connection node:http took over (its first request is not a routine read).
  // On PostgreSQL the heads leave memory each second and node:http's lane then gives the read to Fastify,
  // whose headers are spelled in lower case: the comparison runs on SQLite, where they never leave it.
  if (backend !== 'sqlite') return;
  const node = await open();
  node.send('GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n');
  await node.responses(1);
  node.send(heads(headsEtag) + page() + heads(headsEtag));
  const theirs = (await node.responses(4)).slice(1);
  assert.deepEqual(ours.map(withoutDate), theirs.map(withoutDate));
  node.close();
});

test('a request that is not routine hands the connection to node:http, after the answers before it', async () => {
  await held(0);
  const c = await open();
  c.send(heads(headsEtag));
  assert.equal((await c.responses(1))[0]?.status, 304);
  assert.equal(await held(1), 1);
  // Pipelined behind a routine read: a read Fastify answers (its own route) and a routine one again.
  c.send(heads(headsEtag) + 'GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n' + heads(headsEtag));
  const rs = await c.responses(4);
  assert.deepEqual(rs.slice(1).map((r) => r.status), [304, 200, 304]);
  assert.match(rs[2]?.body ?? '', /"ok":true/);
  assert.equal(await held(0), 0, 'node:http has the connection now');
  c.close();
});

test('a body, a split head or a malformed one is never read by the lane: node:http decides', async () => {
  const smuggled = heads(headsEtag);
  const cases: [string, string, number[]][] = [
    // If the lane ignored the body, the smuggled request inside it would get a second answer.
    ['Content-Length body', heads(headsEtag, `Content-Length: ${smuggled.length}\r\n`) + smuggled, [304]],
    ['chunked body', heads(headsEtag, 'Transfer-Encoding: chunked\r\n') + `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`, [304]],
    ['space before the colon', heads(headsEtag, `Content-Length : ${smuggled.length}\r\n`) + smuggled, [400]],
    ['obs-fold', heads(headsEtag, `X-A: 1\r\n Content-Length: ${smuggled.length}\r\n`) + smuggled, [400]],
    ['bare LF', `GET /v1/heads HTTP/1.1\nHost: t\n${auth.replace('\r\n', '\n')}If-None-Match: ${headsEtag}\n\n`, [400]],
    ['no Host', `GET /v1/heads HTTP/1.1\r\n${auth}If-None-Match: ${headsEtag}\r\n\r\n`, [400]],
    // node:http takes the first; the lane leaves any doubt to node:http.
    ['two Hosts', heads(headsEtag, 'Host: u\r\n'), [304]],
    ['absolute-form target', `GET http://t/v1/heads HTTP/1.1\r\nHost: t\r\n${auth}If-None-Match: ${headsEtag}\r\n\r\n`, [304]],
  ];
  for (const [name, bytes, statuses] of cases) {
    await held(0);
    const c = await open();
    c.send(bytes);
    const rs = await c.responses(statuses.length);
    assert.deepEqual(rs.map((r) => r.status), statuses, name);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.count, statuses.length, `${name}: one answer only, got ${JSON.stringify((await c.responses(c.count)).map((r) => r.raw))}`);
    assert.equal(feed.server.lanes.routine.connections, 0, `${name}: not held by the lane`);
    c.close();
  }
});

test('a first check, a changed heads document and a page not rendered yet are served by the lane too', async () => {
  await held(0);
  const c = await open();
  c.send('GET /v1/heads HTTP/1.1\r\nHost: t\r\n\r\n');
  const [first] = await c.responses(1);
  assert.equal(first?.status, 200);
  assert.equal(header(first as RawResponse, 'etag'), headsEtag);
  assert.equal(header(first as RawResponse, 'content-type'), 'application/json; charset=utf-8');
  const before = JSON.parse(first?.body ?? '{}') as { heads: Record<string, number> };
  assert.equal(await held(1), 1, 'held after a first check');
  // A publish: the next check is a 200 with the new document, and the new page is rendered for it.
  assert.equal((await feed.publish(news('news', 'Third'))).status, 201);
  c.send(heads(headsEtag) + 'GET /v1/channels/news/messages?after=1&limit=10 HTTP/1.1\r\nHost: t\r\n\r\n');
  const [, changed, page] = await c.responses(3);
  assert.equal(changed?.status, 200);
  const after = JSON.parse(changed?.body ?? '{}') as { heads: Record<string, number> };
  assert.equal(after.heads.news, (before.heads.news ?? 0) + 1);
  assert.notEqual(header(changed as RawResponse, 'etag'), headsEtag);
  assert.equal(page?.status, 200);
  const messages = (JSON.parse(page?.body ?? '{}') as { messages: { title: string }[] }).messages;
  assert.equal(messages.at(-1)?.title, 'Third');
  assert.equal(feed.server.lanes.routine.connections, 1, 'still held: the publish moved nothing to node:http');
  // What a client on another connection is told agrees (Fastify's route, through node:http).
  const viaFastify = await fetch(`${feed.url}/v1/heads?channels=news`);
  assert.equal(((await viaFastify.json()) as { heads: Record<string, number> }).heads.news, after.heads.news);
  headsEtag = header(changed as RawResponse, 'etag') as string;
  c.close();
});

test('a head split across packets is answered once, whole, by node:http', async () => {
  const c = await open();
  const bytes = heads(headsEtag);
  c.send(bytes.slice(0, 20));
  await new Promise((r) => setTimeout(r, 50));
  c.send(bytes.slice(20));
  const [r] = await c.responses(1);
  assert.equal(r?.status, 304);
  assert.equal(header(r as RawResponse, 'etag'), headsEtag);
  c.close();
});

test('Connection: close gets its answer, then the server closes the connection', async () => {
  const c = await open();
  c.send(heads(headsEtag, 'Connection: close\r\n') + heads(headsEtag));
  const [r] = await c.responses(1);
  assert.equal(r?.status, 304);
  assert.equal(header(r as RawResponse, 'connection'), 'close');
  assert.equal(header(r as RawResponse, 'keep-alive'), undefined);
  await c.closedByServer();
  assert.equal(c.count, 1, 'nothing after the request that asked to close is answered');
});

test('a token is verified while its connection waits; a change and a revocation are seen at once', async () => {
  const { token, row } = await createToken(feed.server.store, { name: 'held', scopes: ['read'], channels: null, now: 1 });
  const own = (etag: string): string => heads(etag, `Authorization: Bearer ${token}\r\n`);
  await held(0);
  const c = await open();
  // A token the cache does not know yet: verified while the connection waits, which stays in the lane.
  c.send(own(headsEtag));
  assert.equal((await c.responses(1))[0]?.status, 304);
  assert.equal(await held(1), 1);
  // Its cache entry ages out after a second (and on PostgreSQL the cached heads too): read again while
  // the connection waits, which stays in the lane.
  await new Promise((r) => setTimeout(r, 1100));
  c.send(own(headsEtag) + own(headsEtag));
  assert.deepEqual((await c.responses(3)).slice(1).map((r) => r.status), [304, 304]);
  assert.equal(feed.server.lanes.routine.connections, 1);
  await feed.publish(news('news', 'Second'));
  c.send(own(headsEtag));
  const changed = (await c.responses(4))[3] as RawResponse;
  assert.equal(changed.status, 200, 'a publish changes the heads at once');
  const etag = header(changed, 'etag') as string;
  assert.notEqual(etag, headsEtag);
  assert.deepEqual(JSON.parse(changed.body), JSON.parse((await once(feed.url, '/v1/heads')).body));
  c.send(own(etag));
  assert.equal((await c.responses(5))[4]?.status, 304);
  await feed.server.store.revokeToken(row.id, 2);
  c.send(own(etag));
  assert.equal((await c.responses(6))[5]?.status, 401, 'the next read after revocation is refused');
  // An unknown token: verified, refused by Fastify (node:http has the connection from then on).
  const d = await open();
  d.send(heads(etag, 'Authorization: Bearer tdg_nope\r\n'));
  assert.equal((await d.responses(1))[0]?.status, 401);
  d.close();
  c.close();
  headsEtag = etag;
});

test('over the rate limit, the lane hands the read to Fastify, which answers 429', async () => {
  const limited = await startFeed({ readRateLimit: 2, publicRead: true });
  try {
    const etag = header(await once(limited.url, '/v1/heads'), 'etag') as string;
    const c = new RawClient(limited.url);
    await c.connected;
    const one = `GET /v1/heads HTTP/1.1\r\nHost: t\r\nIf-None-Match: ${etag}\r\n\r\n`;
    // The first fetch used one of the two reads of this minute.
    c.send(one + one + one);
    const rs = await c.responses(3);
    assert.deepEqual(rs.map((r) => r.status), [304, 429, 429]);
    assert.ok(Number(header(rs[1] as RawResponse, 'retry-after')) >= 1);
    c.close();
  } finally {
    await limited.close();
  }
});

test('shutdown closes the connections the lane holds and does not wait for them', async () => {
  const own = await startFeed({ publicRead: true });
  const etag = header(await once(own.url, '/v1/heads'), 'etag') as string;
  const c = new RawClient(own.url);
  await c.connected;
  c.send(`GET /v1/heads HTTP/1.1\r\nHost: t\r\nIf-None-Match: ${etag}\r\n\r\n`);
  assert.equal((await c.responses(1))[0]?.status, 304);
  assert.equal(await held(1, own), 1);
  const started = Date.now();
  await own.close();
  assert.ok(Date.now() - started < 2000, `closed in ${Date.now() - started} ms`);
  await c.closedByServer();
});

/** Makes the store's token lookup slow for one token id (a busy database), and counts lookups. */
function slowLookup(f: Feed, slowId: string | null, ms: number): { calls: string[] } {
  const store = f.server.store as unknown as { tokenById: (id: string) => Promise<unknown> };
  const original = store.tokenById.bind(store);
  const calls: string[] = [];
  store.tokenById = async (id: string) => {
    calls.push(id);
    if (id === slowId) await new Promise((r) => setTimeout(r, ms));
    return original(id);
  };
  return { calls };
}

test('while a read waits for its token, the connection is not read: nothing piles up in memory', async () => {
  const own = await startFeed({ publicRead: true });
  try {
    const etag = header(await once(own.url, '/v1/heads'), 'etag') as string;
    const a = await createToken(own.server.store, { name: 'a', scopes: ['read'], channels: null, now: 1 });
    const b = await createToken(own.server.store, { name: 'b', scopes: ['read'], channels: null, now: 1 });
    // Slow, but under the token cache's one second (a lookup slower than that is not kept, and the read
    // then goes to Fastify).
    slowLookup(own, b.row.id, 800);
    const req = (token: string) => `GET /v1/heads HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\nIf-None-Match: ${etag}\r\n\r\n`;
    const c = new RawClient(own.url);
    await c.connected;
    c.send(req(a.token) + req(b.token));
    assert.equal((await c.responses(1))[0]?.status, 304, 'a answered; b now waits for its lookup');
    for (let i = 0; i < 128; i++) c.send('X'.repeat(64 * 1024));
    await new Promise((r) => setTimeout(r, 400));
    const deferred = (own.server.lanes.routine as unknown as { deferred: Map<unknown, Buffer> }).deferred;
    const held = Math.max(0, ...[...deferred.values()].map((x) => x.length));
    assert.ok(held <= 16 * 1024, `bytes held while a token is verified: ${held}`);
    // Then b is answered, and the garbage behind it goes to node:http, which refuses it and closes (its 400
    // may be lost to the reset that closing with unread bytes sends).
    assert.deepEqual((await c.responses(2, 5000)).map((r) => r.status), [304, 304]);
    await c.closedByServer(5000);
  } finally {
    await own.close();
  }
});

test('a read waiting for its token when shutdown begins is answered (503), not dropped', async () => {
  const own = await startFeed({ publicRead: true });
  const etag = header(await once(own.url, '/v1/heads'), 'etag') as string;
  const a = await createToken(own.server.store, { name: 'a', scopes: ['read'], channels: null, now: 1 });
  slowLookup(own, a.row.id, 500);
  const c = new RawClient(own.url);
  await c.connected;
  c.send(`GET /v1/heads HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${a.token}\r\nIf-None-Match: ${etag}\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 100));
  const closing = own.close();
  const [r] = await c.responses(1, 5000);
  await closing;
  assert.equal(r?.status, 503);
  assert.equal(header(r as RawResponse, 'connection'), 'close');
});

test('a read the lane does not serve is not held up by a token lookup of its own (one lookup, by Fastify)', async () => {
  const own = await startFeed({ publicRead: true });
  try {
    const { calls } = slowLookup(own, null, 0);
    const c = new RawClient(own.url);
    await c.connected;
    c.send(`GET /v1/channels HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer tdg_000000000000_${'A'.repeat(43)}\r\n\r\n`);
    assert.equal((await c.responses(1))[0]?.status, 401);
    c.close();
    assert.equal(calls.length, 1, `token lookups: ${calls.length}`);
  } finally {
    await own.close();
  }
});

test('an SSE request whose token lookup fails is handed to node:http with its request intact (the route answers)', async () => {
  const own = await startFeed({ publicRead: true });
  try {
    const t = await createToken(own.server.store, { name: 'sse', scopes: ['read'], channels: null, now: 1 });
    const store = own.server.store as unknown as { tokenById: (id: string) => Promise<unknown> };
    const original = store.tokenById.bind(store);
    let failures = 1;
    store.tokenById = async (id: string) => {
      if (failures-- > 0) throw new Error('the database went away for a moment');
      return original(id);
    };
    const c = new RawClient(own.url);
    await c.connected;
    let text = '';
    (c as unknown as { socket: Socket }).socket.on('data', (d: Buffer) => { text += d.toString('latin1'); });
    try {
      c.send(`GET /v1/channels/news/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${t.token}\r\n\r\n`);
      const deadline = Date.now() + 3000;
      while (!text.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(text, /^HTTP\/1\.1 200 /, 'the Fastify route answered the stream (not a 408 a minute later)');
      assert.match(text, /text\/event-stream/);
    } finally {
      c.close();
    }
  } finally {
    await own.close();
  }
});
