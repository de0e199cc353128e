// Transport faults (reliability cases 1, 3, 4, 5, 6, 9, 11, 12, 13, 14): every one is a recorded failure with
// nothing stored and the cursor unmoved, and the engine never throws.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { v1Harness } from './helpers/harness.ts';
import { tempDir } from './helpers/tmp.ts';
import { request, retryAfterSeconds } from '../../electron/core/net/http.ts';

async function setup(t: TestContext, limits = {}) {
  const feed = await miniFeed();
  await feed.add({ channel: 'news', title: 'one' });
  await feed.add({ channel: 'news', title: 'two' });
  const srv = await startFaultServer(t, (q, r) => void feed.handle(q, r));
  const h = await v1Harness(t, srv.url, [feed.key.publicKey], { limits });
  return { feed, srv, h };
}

test('case 1: 200 with JSON truncated mid-body fails; nothing stored; after recovery each message is stored once', async (t) => {
  const { feed, srv, h } = await setup(t);
  srv.handler = (q, r) => {
    if (!q.url?.startsWith('/v1/channels')) return void feed.handle(q, r);
    r.writeHead(200, { 'content-type': 'application/json' });
    r.end('{"channel":"news","messages":[{"id":"a","se');
  };
  const bad = await h.check(['news']);
  assert.equal(bad.ok, false);
  assert.match(bad.detail, /not valid JSON/);
  assert.equal(h.count(), 0);
  assert.equal(h.store.cursor('s', 'news'), null);
  assert.match(h.store.source('s')?.lastError ?? '', /not valid JSON/);
  srv.handler = (q, r) => void feed.handle(q, r);
  assert.equal((await h.check(['news'])).ok, true);
  assert.equal((await h.check(['news'])).ok, true);
  assert.equal(h.count(), 2);
});

test('case 3: a server that sends headers and then trickles bytes hits the total deadline; a stalled one the idle deadline', async (t) => {
  const { srv, h } = await setup(t, { idleMs: 300, totalMs: 900 });
  let closed: Promise<void> = Promise.resolve();
  srv.handler = (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    const timer = setInterval(() => r.write(' '), 100);
    closed = new Promise((resolve) => r.on('close', () => resolve(clearInterval(timer))));
  };
  const started = Date.now();
  const trickle = await h.check(['news']);
  assert.equal(trickle.ok, false);
  assert.match(trickle.detail, /total-timeout/);
  assert.ok(Date.now() - started < 2000);
  // The client closed the socket: the server sees the connection go, it is not left trickling forever.
  await Promise.race([closed, new Promise((_r, reject) => setTimeout(() => reject(new Error('socket still open')), 1000))]);
  srv.handler = (_q, r) => void r.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
  const stalled = await h.check(['news']);
  assert.match(stalled.detail, /idle-timeout/);
  assert.equal(h.count(), 0);
});

test('case 4: an endless chunked body stops at cap+1; a Content-Length above the cap is refused before reading', async (t) => {
  const { srv, h } = await setup(t, { maxBytes: 64 * 1024 });
  let sent = 0;
  srv.handler = (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const pump = () => {
      while (sent < 50 * 1024 * 1024 && r.write(chunk)) sent += chunk.length;
    };
    r.on('drain', pump);
    pump();
  };
  const endless = await h.check(['news']);
  assert.match(endless.detail, /too-large/);
  assert.ok(sent < 10 * 1024 * 1024, `the server was stopped early (sent ${sent})`);
  srv.handler = (_q, r) => void r.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) }).flushHeaders();
  const declared = await h.check(['news']);
  assert.match(declared.detail, /declares 52428800 bytes/);
  assert.equal(h.count(), 0);
});

test('case 5: Content-Length 10000 but the connection closes at 4000 is a failure', async (t) => {
  const { srv, h } = await setup(t);
  srv.handler = (_q, r) => {
    r.writeHead(200, { 'content-type': 'application/json', 'content-length': '10000' });
    r.write(Buffer.alloc(4000, 0x20), () => r.destroy());
  };
  const res = await h.check(['news']);
  assert.equal(res.ok, false);
  assert.match(res.detail, /truncated|network/);
  assert.equal(h.count(), 0);
  assert.equal(h.store.cursor('s', 'news'), null);
});

test('case 9: a 304 when no ETag was sent is a protocol error', async (t) => {
  const { srv, h } = await setup(t);
  srv.handler = (_q, r) => void r.writeHead(304).end();
  const res = await h.check(['news']);
  assert.equal(res.ok, false);
  assert.match(res.detail, /without If-None-Match/);
});

test('case 11: 401/403 mark the source as needing attention and keep stored messages', async (t) => {
  const { feed, srv, h } = await setup(t);
  await h.check(['news']);
  await feed.add({ channel: 'news', title: 'three' });
  srv.handler = (_q, r) => void r.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"invalid_token","message":"x"}}');
  const res = await h.check(['news']);
  assert.equal(res.authFailed, true);
  assert.equal(h.store.source('s')?.needsAttention, true);
  assert.equal(h.count(), 2);
  srv.handler = (q, r) => void feed.handle(q, r);
  assert.equal((await h.check(['news'])).ok, true);
  assert.equal(h.store.source('s')?.needsAttention, false);
});

test('case 12: a captive portal page (200 text/html) fails the content-type check; nothing stored', async (t) => {
  const { srv, h } = await setup(t);
  srv.handler = (_q, r) => void r.writeHead(200, { 'content-type': 'text/html' }).end('<html>Log in to the Wi-Fi</html>');
  const res = await h.check(['news']);
  assert.match(res.detail, /expected JSON, got "text\/html"/);
  assert.equal(h.count(), 0);
});

test('case 6: 429 Retry-After is reported in seconds (delta or HTTP-date); garbage and past values are ignored', async (t) => {
  const { srv, h } = await setup(t);
  srv.handler = (_q, r) => void r.writeHead(429, { 'retry-after': '120' }).end();
  assert.equal((await h.check(['news'])).retryAfterSec, 120);
  const now = Date.now();
  assert.equal(retryAfterSeconds(new Date(now + 90_000).toUTCString(), now), 90);
  assert.equal(retryAfterSeconds('soon', now), null);
  assert.equal(retryAfterSeconds('-5', now), null);
  assert.equal(retryAfterSeconds(new Date(now - 90_000).toUTCString(), now), null);
});

test('case 13: http:// to a non-loopback host and loopback http in a production config are refused before connecting', async (t) => {
  const { srv } = await setup(t);
  await assert.rejects(request({ url: 'http://example.com/v1/heads', allowLoopbackHttp: true }), /only https/);
  const before = srv.requests.length;
  await assert.rejects(request({ url: `${srv.url}/v1/heads`, allowLoopbackHttp: false }), /only https/);
  assert.equal(srv.requests.length, before);
});

test('case 13: a self-signed certificate fails the request (no override)', async (t) => {
  const dir = tempDir(t);
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  } catch {
    assert.fail('openssl is needed to make the self-signed certificate');
  }
  const server = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_q, r) => r.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  await assert.rejects(request({ url: `https://127.0.0.1:${port}/v1/heads`, allowLoopbackHttp: false }), /self.signed|certificate/i);
});

test('case 14: redirects to another host or to http are not followed; same-host redirects are', async (t) => {
  const { feed, srv, h } = await setup(t);
  srv.handler = (q, r) => {
    if (q.url === '/v1/heads') return void r.writeHead(302, { location: 'http://evil.example.com/v1/heads' }).end();
    feed.handle(q, r);
  };
  const offHost = await h.check(['news']);
  assert.match(offHost.detail, /redirect to http:\/\/evil\.example\.com not followed/);
  srv.handler = (q, r) => {
    if (q.url === '/v1/heads') return void r.writeHead(301, { location: '/v1/heads?moved=1' }).end();
    if (q.url === '/v1/heads?moved=1') q.url = '/v1/heads';
    feed.handle(q, r);
  };
  assert.equal((await h.check(['news'])).ok, true);
  assert.equal(h.count(), 2);
});
