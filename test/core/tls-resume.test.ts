// The routine check over TLS resumes the last session with its origin (performance.md row 3b): fewer bytes on
// the wire, still one `Connection: close` request per check, and no weaker certificate checking — a ticket
// goes only to its own origin, a server that refuses it gets a full handshake with its certificate checked,
// and only tickets that descend from a full handshake with the default groups are kept.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { countingProxy } from '../../bench/lib/wire.ts';
import { makeChain, tlsFront, trustRoot, type TlsFront } from '../../bench/lib/tls.ts';
import { request } from '../../electron/core/net/http.ts';
import { forgetSessions, sessionCount } from '../../electron/core/net/tls-sessions.ts';
import { startFeed, news, release } from '../server/helpers.ts';
import { v1Harness } from './helpers/harness.ts';

const chain = makeChain();
trustRoot(chain.ca);

/** A plain server answering every request with a 304, as the feed does for an unchanged check. */
async function origin(t: TestContext): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} connection=${req.headers.connection}`);
    res.writeHead(304, { etag: '"1"' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, requests };
}

async function front(t: TestContext, target: number, opts: Parameters<typeof tlsFront>[2] = {}, c = chain): Promise<TlsFront> {
  const f = await tlsFront(target, c, opts);
  t.after(() => f.close());
  return f;
}

const check = (port: number, host = '127.0.0.1') => request({ url: `https://${host}:${port}/v1/heads`, headers: { 'if-none-match': '"1"' }, allowLoopbackHttp: false });

test('a second check to the same origin resumes the session: fewer bytes, still one Connection: close request', async (t) => {
  forgetSessions();
  const o = await origin(t);
  const f = await front(t, o.port);
  const proxy = await countingProxy(f.port);
  t.after(() => proxy.close());
  assert.equal((await check(proxy.port)).status, 304);
  const first = proxy.seen();
  proxy.reset();
  assert.equal((await check(proxy.port)).status, 304);
  assert.equal((await check(proxy.port)).status, 304);
  await new Promise((r) => setTimeout(r, 50)); // the last close_notify
  const twoMore = proxy.seen();
  assert.deepEqual(f.handshakes(), { full: 1, resumed: 2 });
  assert.deepEqual(o.requests, Array(3).fill('GET /v1/heads connection=close'));
  const full = first.up.length + first.down.length;
  const resumed = (twoMore.up.length + twoMore.down.length) / 2;
  t.diagnostic(`full handshake ${full} B, resumed ${resumed} B per check`);
  assert.ok(resumed < full * 0.4, `a resumed check took ${resumed} B against ${full} B with a full handshake`);
});

test('a ticket is offered only to its own origin (another name for the same server gets a full handshake)', async (t) => {
  forgetSessions();
  const o = await origin(t);
  const f = await front(t, o.port);
  await check(f.port, '127.0.0.1');
  await check(f.port, 'localhost');
  assert.deepEqual(f.handshakes(), { full: 2, resumed: 0 });
  await check(f.port, 'localhost');
  await check(f.port, '127.0.0.1');
  assert.deepEqual(f.handshakes(), { full: 2, resumed: 2 });
  assert.equal(sessionCount(), 2);
});

test('a server that refuses the ticket gets a full handshake; the next ticket kept is from a default handshake', async (t) => {
  forgetSessions();
  const o = await origin(t);
  const a = await tlsFront(o.port, chain);
  const port = a.port;
  await check(port);
  await check(port);
  assert.deepEqual(a.handshakes(), { full: 1, resumed: 1 });
  await a.close();
  // The same origin restarted: new ticket keys, so our ticket is refused.
  const b = await front(t, o.port, { port });
  assert.equal((await check(port)).status, 304, 'a refused ticket still gets an answer');
  assert.equal(sessionCount(), 0, 'the refused ticket is dropped and none from the small-share handshake is kept');
  assert.equal((await check(port)).status, 304);
  assert.equal((await check(port)).status, 304);
  assert.deepEqual(b.handshakes(), { full: 2, resumed: 1 });
});

test('a server whose tickets expire before the next check still answers (a full handshake each time)', async (t) => {
  forgetSessions();
  const o = await origin(t);
  const f = await front(t, o.port, { sessionTimeout: 1 });
  await check(f.port);
  await new Promise((r) => setTimeout(r, 2100));
  assert.equal((await check(f.port)).status, 304);
  assert.deepEqual(f.handshakes(), { full: 2, resumed: 0 });
});

test('holding a ticket does not skip the certificate check of a server that cannot resume it', async (t) => {
  forgetSessions();
  const o = await origin(t);
  const a = await tlsFront(o.port, chain);
  const port = a.port;
  await check(port);
  assert.equal(sessionCount(), 1);
  await a.close();
  // Someone else on the same address with a certificate from a root we do not trust.
  const other = makeChain();
  const b = await front(t, o.port, { port }, other);
  await assert.rejects(check(port), /certificate|self.signed|issuer/i);
  assert.deepEqual(b.handshakes(), { full: 0, resumed: 0 });
  assert.equal(o.requests.length, 1, 'nothing was sent to the impostor');
});

test('row 3b: the companion\'s unchanged check to the feed service over TLS resumes and stays small', async (t) => {
  forgetSessions();
  const feed = await startFeed();
  t.after(() => feed.close());
  await feed.publish(release('stable', '2.1.0'));
  await feed.publish(news('news', 'Hello'));
  const f = await front(t, Number(new URL(feed.url).port));
  const proxy = await countingProxy(f.port);
  t.after(() => proxy.close());
  const h = await v1Harness(t, `https://127.0.0.1:${proxy.port}`, [feed.key.publicKey], { token: feed.readToken });
  assert.equal((await h.check()).status, 200);
  proxy.reset();
  const unchanged = await h.check();
  assert.equal(unchanged.status, 304, unchanged.detail);
  await new Promise((r) => setTimeout(r, 50));
  const { up, down } = proxy.seen();
  const total = up.length + down.length;
  t.diagnostic(`unchanged check over TLS, resumed: ${up.length} B up + ${down.length} B down = ${total} B`);
  assert.ok(f.handshakes().resumed >= 1, JSON.stringify(f.handshakes()));
  // A full handshake alone is ~3.5 KB here (hybrid post-quantum key shares and the certificate chain).
  assert.ok(total <= 1800, `the resumed check took ${total} B`);
});
