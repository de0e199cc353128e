// Bad publish input (reliability case 48): each gets a typed 4xx naming the field; nothing is written,
// never a 500 or a stack trace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startFeed, rawPost, signed, release, news, storedCount, type Feed } from './helpers.ts';

let feed: Feed;
before(async () => { feed = await startFeed(); });
after(async () => { await feed.close(); });

interface Problem { error: { code: string; message: string; field?: string } }

async function expectRefused(res: Response, status: number, field?: string): Promise<Problem> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.doesNotMatch(text, /at .*\.ts:\d+|node:internal|Error:/, 'no stack trace');
  const body = JSON.parse(text) as Problem;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.ok(body.error.code && body.error.message);
  if (field !== undefined) assert.equal(body.error.field, field, text);
  return body;
}

const path = '/v1/channels/stable/messages';

test('transport-level refusals: 413, 415, broken JSON, invalid UTF-8', async () => {
  const good = JSON.stringify(await signed(news('stable'), feed.key));
  await expectRefused(await rawPost(feed, path, good.replace('"body":""', `"body":"${'x'.repeat(300 * 1024)}"`).replace('}', `,"pad":"${'x'.repeat(300 * 1024)}"}`), 'application/json'), 413);
  await expectRefused(await rawPost(feed, path, good, 'text/plain'), 415);
  await expectRefused(await rawPost(feed, path, 'Content=hi', 'application/x-www-form-urlencoded'), 415);
  await expectRefused(await rawPost(feed, path, '{"id": "x", ', 'application/json'), 400, '');
  await expectRefused(await rawPost(feed, path, '', 'application/json'), 400);
  const invalidUtf8 = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  const body = await expectRefused(await rawPost(feed, path, invalidUtf8, 'application/json'), 400, '');
  assert.equal(body.error.code, 'invalid_utf8');
  assert.equal(await storedCount(feed), 0);
});

test('schema refusals name the first bad field', async () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown field', { extra: 1 }, 'extra'],
    ['seq in the body', { seq: 5 }, 'seq'],
    ['created in the body', { created: 5 }, 'created'],
    ['NUL in title', { title: 'a\u0000b' }, 'title'],
    ['title over 200 characters', { title: 'é'.repeat(201) }, 'title'],
    ['body over 64 KiB', { body: 'x'.repeat(64 * 1024 + 1) }, 'body'],
    ['bad id', { id: '../etc/passwd' }, 'id'],
    ['bad kind', { kind: 'poll' }, 'kind'],
    ['negative issued', { issued: -1 }, 'issued'],
    ['rollout over 100', { target: { rollout: 101 } }, 'target.rollout'],
    ['bad platform', { target: { platforms: ['linux/x64'] } }, 'target.platforms[0]'],
  ];
  for (const [name, patch, field] of cases) {
    const record = { ...(await signed(news('stable'), feed.key)), ...patch };
    const res = await rawPost(feed, path, JSON.stringify(record), 'application/json');
    await expectRefused(res, 400, field);
    void name;
  }
  const releaseCases: [string, (r: Record<string, unknown>) => void, string][] = [
    ['non-https asset', (r) => { (r.release as { assets: { url: string }[] }).assets[0]!.url = 'http://downloads.example.com/x'; }, 'release.assets[0].url'],
    ['javascript: asset', (r) => { (r.release as { assets: { url: string }[] }).assets[0]!.url = 'javascript:alert(1)'; }, 'release.assets[0].url'],
    ['not semver', (r) => { (r.release as { version: string }).version = '2.1'; }, 'release.version'],
    ['bad sha256', (r) => { (r.release as { assets: { sha256: string }[] }).assets[0]!.sha256 = 'XYZ'; }, 'release.assets[0].sha256'],
    ['release without release', (r) => { delete r.release; }, 'release'],
  ];
  for (const [name, mutate, field] of releaseCases) {
    const record = structuredClone(await signed(release('stable', '2.1.0'), feed.key)) as Record<string, unknown>;
    mutate(record);
    await expectRefused(await rawPost(feed, path, JSON.stringify(record), 'application/json'), 400, field);
    void name;
  }
  assert.equal(await storedCount(feed), 0, 'nothing was written');
});

test('a loopback http asset is accepted only when the service allows it (development)', async () => {
  const dev = await startFeed({ allowLoopbackHttp: true });
  try {
    const rec = release('stable', '1.0.0');
    (rec.release as { assets: { url: string }[] }).assets[0]!.url = 'http://127.0.0.1:9/x.AppImage';
    assert.equal((await dev.publish(rec)).status, 201);
    assert.equal((await feed.publish(rec)).status, 400);
  } finally {
    await dev.close();
  }
});

test('a JSON array or scalar body is a 400, not a crash', async () => {
  for (const body of ['[]', '42', 'null', '"x"']) await expectRefused(await rawPost(feed, path, body, 'application/json'), 400);
  assert.equal(await storedCount(feed), 0);
});

test('a 10 MB body is a 413 and raw NUL or control bytes are broken JSON; nothing is written', async () => {
  await expectRefused(await rawPost(feed, path, Buffer.alloc(10 * 1024 * 1024, 0x20), 'application/json'), 413);
  const good = JSON.stringify(await signed(news('stable'), feed.key));
  const rawNul = Buffer.from(good.replace('"body":"', '"body":"a\u0000b'));
  assert.ok(rawNul.includes(0), 'a real NUL byte in the body');
  await expectRefused(await rawPost(feed, path, rawNul, 'application/json'), 400, '');
  assert.equal(await storedCount(feed), 0);
});

test('path-like channel names in a publish are a 400 naming channel, never used raw', async () => {
  const record = await signed(news('stable'), feed.key);
  const body = JSON.stringify(record);
  // node:http, not fetch: fetch would normalize %2e%2e away before sending, as an attacker's client would not.
  const send = (path: string) => new Promise<Response>((resolve, reject) => {
    const { hostname, port } = new URL(feed.url);
    const req = http.request({ hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${feed.publishToken}` } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += String(d); });
      res.on('end', () => resolve(new Response(text, { status: res.statusCode ?? 0 })));
    });
    req.on('error', reject);
    req.end(body);
  });
  for (const name of ['..%2F..%2Fetc', '%2e%2e', '%2E%2E%2Fstable', '.hidden', 'a%2Fb', 'a%5Cb', 'a%00b', 'a'.repeat(65), 'st%C3%A4ble']) {
    await expectRefused(await send(`/v1/channels/${name}/messages`), 400, 'channel');
  }
  assert.equal(await storedCount(feed), 0);
});
