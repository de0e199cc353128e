// The Cryptolens-compatible Messaging API: exact envelopes, strict `>` on Time, newest first, refusal of
// back-dated Time, removal seen by both dialects, and v1 records recoverable and verifiable from content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFeed, json, news, type Feed } from './helpers.ts';
import { KeyRing } from '../../shared/protocol/signing.ts';

let feed: Feed;
let now = 1_800_000_000;
before(async () => { feed = await startFeed({ now: () => now }); });
after(async () => { await feed.close(); });

const create = (fields: Record<string, string | number>) => feed.form('/api/message/CreateMessage', { token: feed.publishToken, ...fields });
const get = (fields: Record<string, string | number>) => feed.form('/api/message/GetMessages', { token: feed.readToken, ...fields });
interface Msg { id: number; content: string; created: number; channel: string }

test('CreateMessage and GetMessages speak the exact Cryptolens envelopes', async () => {
  const res = await create({ Content: 'Version 1.2 is out', Channel: 'stable', Time: 0 });
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /^\{"messageId":\d+,"result":0,"message":null\}$/);
  const { messageId } = JSON.parse(text) as { messageId: number };
  const got = await get({ Channel: 'stable', Time: 0 });
  assert.equal(await got.text(), JSON.stringify({ messages: [{ id: messageId, content: 'Version 1.2 is out', created: now, channel: 'stable' }], result: 0, message: null }));
});

test('GetMessages returns only messages strictly after Time, newest first, and all channels for an empty Channel', async () => {
  now += 100;
  const t0 = now;
  await create({ Content: 'a', Channel: 'cl-news', Time: t0 });
  await create({ Content: 'b', Channel: 'cl-news', Time: t0 + 10 });
  await create({ Content: 'c', Channel: 'cl-other', Time: t0 + 20 });
  const after = await json<{ messages: Msg[] }>(await get({ Channel: 'cl-news', Time: t0 }));
  assert.deepEqual(after.messages.map((m) => m.content), ['b'], 'strictly greater than Time');
  const all = await json<{ messages: Msg[] }>(await get({ Channel: '', Time: t0 - 1 }));
  assert.deepEqual(all.messages.map((m) => m.content), ['c', 'b', 'a']);
});

test('two messages created in the same second are both delivered to a reader that overlaps its window', async () => {
  now += 100;
  const t = now;
  const first = await json<{ messageId: number }>(await create({ Content: 'same second 1', Channel: 'tie' }));
  // The seed client polls now and remembers created = t; a second message lands in the same second.
  const poll1 = await json<{ messages: Msg[] }>(await get({ Channel: 'tie', Time: 0 }));
  assert.deepEqual(poll1.messages.map((m) => m.id), [first.messageId]);
  const second = await json<{ messageId: number }>(await create({ Content: 'same second 2', Channel: 'tie' }));
  const strict = await json<{ messages: Msg[] }>(await get({ Channel: 'tie', Time: t }));
  assert.deepEqual(strict.messages, [], 'strict > hides a same-second message from Time = t (the hole clients must overlap)');
  const overlapped = await json<{ messages: Msg[] }>(await get({ Channel: 'tie', Time: t - 60 }));
  assert.deepEqual(overlapped.messages.map((m) => m.id), [second.messageId, first.messageId], 'same created: newest (higher id) first');
  assert.ok(overlapped.messages.every((m) => m.created === t));
});

test('Time rules: back-dated refused, equal to newest accepted, far future refused, non-integers refused', async () => {
  now += 100;
  await create({ Content: 'anchor', Channel: 'timing', Time: now });
  const back = await create({ Content: 'late', Channel: 'timing', Time: now - 1 });
  assert.equal(back.status, 400);
  assert.equal(await back.text(), '{"result":1,"message":"The input parameters were incorrect."}');
  assert.equal(back.headers.get('x-tidings-field'), 'Time');
  assert.equal((await create({ Content: 'equal', Channel: 'timing', Time: now })).status, 200);
  assert.equal((await create({ Content: 'soon', Channel: 'timing', Time: now + 299 })).status, 200);
  assert.equal((await create({ Content: 'too far', Channel: 'timing', Time: now + 10_000 })).status, 400);
  for (const bad of ['12abc', '-5', '1.5', '0x10']) {
    const res = await create({ Content: 'x', Channel: 'timing', Time: bad });
    assert.equal(res.status, 400, bad);
    assert.equal((await json<{ result: number }>(res)).result, 1);
  }
  assert.equal((await get({ Channel: 'timing', Time: '12abc' })).status, 400);
});

test('a v1 publish after the clock stepped back never gets a created below what readers synced', async () => {
  now += 100;
  await create({ Content: 'future-ish', Channel: 'clock', Time: now + 200 });
  const v1 = await json<{ created: number }>(await feed.publish(news('clock')));
  assert.ok(v1.created >= now + 200);
});

test('content is stored byte for byte: CR, LF, Unicode', async () => {
  const content = 'Line 1\r\nLine 2\n\u00e9\u4e2d\ud83d\ude00 "quoted" & <tag>';
  const { messageId } = await json<{ messageId: number }>(await create({ Content: content, Channel: 'bytes' }));
  const got = await json<{ messages: Msg[] }>(await get({ Channel: 'bytes', Time: 0 }));
  assert.equal(got.messages.find((m) => m.id === messageId)?.content, content);
  const v1 = await json<{ messages: { id: string; kind: string; title: string; body: string; sig: unknown }[] }>(await feed.get('/v1/channels/bytes/messages'));
  assert.deepEqual(v1.messages.map((m) => [m.id, m.kind, m.title, m.body, m.sig]), [[`cl-${messageId}`, 'news', 'Line 1', content, null]]);
});

test('tokens: none or unknown is Access denied; a read token cannot create or remove', async () => {
  const none = await feed.form('/api/message/GetMessages', { Channel: 'x', Time: 0 });
  assert.equal(none.status, 401);
  assert.equal(await none.text(), '{"result":1,"message":"Access denied."}');
  const readCreate = await feed.form('/api/message/CreateMessage', { token: feed.readToken, Content: 'x', Channel: 'x' });
  assert.equal(readCreate.status, 403);
  assert.equal(await readCreate.text(), '{"result":1,"message":"Access denied."}');
  const readRemove = await feed.form('/api/message/RemoveMessage', { token: feed.readToken, Id: 1 });
  assert.equal(readRemove.status, 403);
  assert.equal((await feed.form('/api/message/GetMessages', { token: feed.publishToken, Time: 0 })).status, 200, 'a publish token may read');
});

test('paths match case-insensitively with a trailing or doubled slash, as Cryptolens SDKs send them', async () => {
  for (const path of ['/api/message/getmessages', '/API/Message/GetMessages/', '/api//message/GetMessages', '//api/message/GetMessages']) {
    const res = await feed.form(path, { token: feed.readToken, Time: 0 });
    assert.equal(res.status, 200, path);
    assert.equal((await json<{ result: number }>(res)).result, 0, path);
  }
  const viaQuery = await fetch(`${feed.url}/api/message/GetMessages?token=${encodeURIComponent(feed.readToken)}&Channel=stable&Time=0`);
  assert.equal(viaQuery.status, 200);
  const unknown = await feed.form('/api/message/Nope', { token: feed.readToken });
  assert.equal(unknown.status, 404);
  assert.equal((await json<{ result: number }>(unknown)).result, 1);
});

test('RemoveMessage hides a message from both dialects; v1 readers get a retraction; a retry is safe', async () => {
  const { messageId } = await json<{ messageId: number }>(await create({ Content: 'oops', Channel: 'removal' }));
  const res = await feed.form('/api/message/RemoveMessage', { token: feed.publishToken, Id: messageId });
  assert.equal(await res.text(), '{"result":0,"message":null}');
  assert.equal((await feed.form('/api/message/RemoveMessage', { token: feed.publishToken, Id: messageId })).status, 200, 'retry');
  const cl = await json<{ messages: Msg[] }>(await get({ Channel: 'removal', Time: 0 }));
  assert.deepEqual(cl.messages, []);
  const v1 = await json<{ messages: { kind: string; retracts: string; sig: unknown }[] }>(await feed.get('/v1/channels/removal/messages'));
  assert.deepEqual(v1.messages.map((m) => [m.kind, m.retracts, m.sig]), [['retraction', `cl-${messageId}`, null]]);
  const missing = await feed.form('/api/message/RemoveMessage', { token: feed.publishToken, Id: 999_999 });
  assert.equal(missing.status, 400);
});

test('a v1 record read through GetMessages carries its signed payload and sig, and verifies', async () => {
  const stored = await json<{ seq: number; id: string }>(await feed.publish(news('dual', 'Signed news')));
  const got = await json<{ messages: Msg[] }>(await get({ Channel: 'dual', Time: 0 }));
  const msg = got.messages.find((m) => m.id === stored.seq);
  assert.ok(msg);
  const record = JSON.parse(msg.content) as { id: string; sig: { key: string } };
  assert.equal(record.id, stored.id);
  const ring = await KeyRing.from([feed.key.publicKey]);
  assert.deepEqual(await ring.verify(record), { ok: true, keyId: feed.key.keyId });
  // A v1 retraction removes it from the Cryptolens dialect too.
  await feed.publish({ channel: 'dual', kind: 'retraction', title: '', body: '', retracts: stored.id });
  assert.deepEqual((await json<{ messages: Msg[] }>(await get({ Channel: 'dual', Time: 0 }))).messages, []);
});

test('bad CreateMessage input is refused with the envelope and nothing is written', async () => {
  const head = await feed.server.store.globalHead();
  const bad: Record<string, string>[] = [{ Content: '' }, { Content: 'a\u0000b' }, { Content: 'x'.repeat(65 * 1024) }, { Content: 'x', Channel: '../etc' }];
  for (const fields of bad) {
    const res = await create(fields);
    assert.equal(res.status, 400, JSON.stringify(fields).slice(0, 40));
    assert.equal(await res.text(), '{"result":1,"message":"The input parameters were incorrect."}');
  }
  assert.equal(await feed.server.store.globalHead(), head);
});

test('form data that is not UTF-8 (raw or percent-encoded) is refused, never stored altered', async () => {
  const head = await feed.server.store.globalHead();
  const token = `token=${encodeURIComponent(feed.publishToken)}&Channel=utf8`;
  const bodies: (string | Buffer)[] = [
    `${token}&Content=%C3%28abc`,
    `${token}&Content=%ED%A0%80`,
    `${token}&Content=100%`,
    Buffer.concat([Buffer.from(`${token}&Content=`), Buffer.from([0xc3, 0x28, 0x41])]),
  ];
  for (const body of bodies) {
    const res = await fetch(`${feed.url}/api/message/CreateMessage`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(res.status, 400, String(body));
    assert.equal(await res.text(), '{"result":1,"message":"The input parameters were incorrect."}');
  }
  const viaQuery = await fetch(`${feed.url}/api/message/CreateMessage?${token}&Content=%FF`, { method: 'POST' });
  assert.equal(viaQuery.status, 400);
  assert.equal(await feed.server.store.globalHead(), head, 'nothing written');
  // Well-formed escapes, '+' for space and multi-byte characters still arrive exactly.
  const ok = await fetch(`${feed.url}/api/message/CreateMessage`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${token}&Content=caf%C3%A9+%E2%82%AC+100%25` });
  assert.equal(ok.status, 200);
  const got = await json<{ messages: Msg[] }>(await get({ Channel: 'utf8', Time: 0 }));
  assert.deepEqual(got.messages.map((m) => m.content), ['café € 100%']);
});

test('the Cryptolens dialect is rate limited with its envelope and Retry-After', async () => {
  const limited = await startFeed({ readRateLimit: 3 });
  try {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await limited.form('/api/message/GetMessages', { token: limited.readToken, Time: 0 });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(last?.headers.get('retry-after')) >= 1);
    assert.equal((await json<{ result: number; message: string }>(last as Response)).result, 1);
    const other = await limited.form('/api/message/GetMessages', { token: limited.publishToken, Time: 0 });
    assert.equal(other.status, 200, 'another token has its own budget');
  } finally {
    await limited.close();
  }
});
