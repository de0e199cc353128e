// The publisher console's server side (issue 15; docs/console.md) through a real feed service: sessions in
// cookies with the right flags and only a hash stored, CSRF on every change, rate-limited sign-in, scopes,
// security headers on every /console answer, the audit log, and every change through the publish API's own
// checks (a tampered signature, a rollout outside 0–100, an advance of a halted rollout each change nothing).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startFeed, signed, release, news, tokenTableText, backend, type Feed } from './helpers.ts';
import { createToken, parseToken } from '../../server/tokens.ts';
import { call, ok, refused, signIn, signInRequest, type ConsoleSession } from './console-helpers.ts';
import pg from 'pg';

let clock = 1_760_000_000;
let feed: Feed;
before(async () => {
  feed = await startFeed({ now: () => clock, console: { signInsPerMinute: 1000 } });
});
after(async () => {
  await feed.close();
});

interface Audit { entries: { at: number; who: string; action: string; channel: string | null; detail: string }[] }
interface Channels { channels: { name: string; releases: { version: string; rollout: number; recalled: boolean; halt: { reason: string } | null; copies: { id: string; retracted: boolean }[]; latest: Record<string, unknown> }[]; news: { title: string; retracted: boolean }[] }[] }

async function auditOf(s: ConsoleSession) {
  return (await ok<Audit>(await call(feed, s, 'GET', '/console/api/audit'))).entries;
}

/** Everything the store holds about console sessions, as text. */
async function sessionTableText(f: Feed): Promise<string> {
  if (backend === 'postgres') {
    const c = new pg.Client(f.db);
    await c.connect();
    const rows = (await c.query('SELECT * FROM console_sessions')).rows as { hash: Buffer }[];
    await c.end();
    return JSON.stringify(rows) + rows.map((r) => r.hash.toString('latin1')).join('');
  }
  return tokenTableText(f);
}

test('sign-in: an HttpOnly, SameSite=Strict cookie with an expiry; only a hash of the session id is stored, never the token', async () => {
  const s = await signIn(feed, feed.publishToken);
  assert.match(s.setCookie, /^tidings_console=[A-Za-z0-9_-]{43}; /);
  const flags = s.setCookie.split('; ').slice(1);
  for (const f of ['HttpOnly', 'SameSite=Strict', 'Path=/console', 'Max-Age=28800']) assert.ok(flags.includes(f), `${f} in ${s.setCookie}`);
  assert.ok(!flags.includes('Secure'), 'plain http here: Secure would keep the cookie from ever coming back');
  assert.equal(s.body.name, 'ci');
  assert.deepEqual(s.body.scopes, ['publish']);
  assert.match(String(s.body.csrf), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(!JSON.stringify(s.body).includes(feed.publishToken), 'the answer does not echo the token');
  const id = s.cookie.split('=')[1] as string;
  const stored = await sessionTableText(feed);
  assert.ok(!stored.includes(id), 'the session id is not stored');
  const secret = parseToken(feed.publishToken)?.secret;
  assert.ok(secret, 'a well-formed token');
  assert.ok(!stored.includes(secret), 'the token is not stored');
  const me = await ok(await call(feed, s, 'GET', '/console/api/session'));
  assert.equal(me.name, 'ci');
  assert.equal(me.csrf, s.body.csrf, 'a reloaded page gets its CSRF token back from the session');
});

test('Secure is set on the cookie when the service says it sits behind TLS', async () => {
  const tls = await startFeed({ console: { secureCookie: true } });
  try {
    const s = await signIn(tls, tls.publishToken);
    assert.ok(s.setCookie.split('; ').includes('Secure'), s.setCookie);
    const out = await call(tls, s, 'DELETE', '/console/api/session');
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^tidings_console=; Path=\/console; Max-Age=0; HttpOnly; SameSite=Strict; Secure$/);
  } finally {
    await tls.close();
  }
});

test('a wrong, revoked or expired token is refused with one sentence, and nothing is kept', async () => {
  const wrong = await signInRequest(feed, 'tdg_000000000000_' + 'A'.repeat(43));
  assert.equal(wrong.headers.get('set-cookie'), null);
  const e = await refused(wrong, 401, 'invalid_token');
  assert.equal(e.field, 'token');
  await refused(await signInRequest(feed, 'not a token at all'), 401, 'invalid_token');
  await refused(await call(feed, null, 'GET', '/console/api/channels'), 401, 'signed_out');
  await refused(await call(feed, { cookie: 'tidings_console=forged', csrf: 'x', setCookie: '', body: {} }, 'GET', '/console/api/channels'), 401, 'signed_out');

  const t = await createToken(feed.server.store, { name: 'temp', scopes: ['publish'], channels: null, now: 1 });
  const s = await signIn(feed, t.token);
  await ok(await call(feed, s, 'GET', '/console/api/channels'));
  await feed.server.store.revokeToken(t.row.id, clock);
  await refused(await call(feed, s, 'GET', '/console/api/channels'), 401, 'signed_out');
  await refused(await signInRequest(feed, t.token), 401, 'invalid_token');

  const s2 = await signIn(feed, feed.publishToken);
  clock += 8 * 3600 - 1;
  await ok(await call(feed, s2, 'GET', '/console/api/session'));
  clock += 1;
  await refused(await call(feed, s2, 'GET', '/console/api/session'), 401, 'signed_out');
});

test('sign-in is rate limited per address, even for a good token', async () => {
  const f = await startFeed({ console: { signInsPerMinute: 3 } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await signInRequest(f, i === 1 ? f.publishToken : 'wrong')).status, i === 1 ? 201 : 401);
    const res = await signInRequest(f, f.publishToken);
    await refused(res, 429, 'rate_limited');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  } finally {
    await f.close();
  }
});

test('every change needs the CSRF token from this origin; sign-in needs the console header; refused changes change nothing', async () => {
  const s = await signIn(feed, feed.publishToken);
  const body = { record: await signed(news('csrf', 'Should not land'), feed.key) };
  const head = await feed.server.store.globalHead();
  await refused(await call(feed, s, 'POST', '/console/api/records', body, { csrf: false }), 403, 'csrf');
  await refused(await call(feed, s, 'POST', '/console/api/records', body, { headers: { 'x-csrf-token': 'A'.repeat(43) } }), 403, 'csrf');
  const other = await signIn(feed, feed.publishToken);
  await refused(await call(feed, s, 'POST', '/console/api/records', body, { headers: { 'x-csrf-token': other.csrf } }), 403, 'csrf');
  await refused(await call(feed, s, 'POST', '/console/api/records', body, { headers: { origin: 'https://evil.example' } }), 403, 'cross_origin');
  await refused(await call(feed, s, 'POST', '/console/api/records', body, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'cross_origin');
  await refused(await call(feed, s, 'DELETE', '/console/api/session', undefined, { csrf: false }), 403, 'csrf');
  assert.equal(await feed.server.store.globalHead(), head, 'nothing published');
  await ok(await call(feed, s, 'GET', '/console/api/session'), 200);
  await refused(await signInRequest(feed, feed.publishToken, { 'x-tidings-console': '' }), 403, 'csrf');
  await refused(await signInRequest(feed, feed.publishToken, { origin: 'https://evil.example' }), 403, 'cross_origin');
  await ok(await call(feed, s, 'POST', '/console/api/records', body), 201);
});

test('scopes and channels decide what is shown and allowed, as on the v1 API', async () => {
  await feed.publish(news('alpha', 'Alpha news'));
  await feed.publish(news('beta', 'Beta news'));
  const reader = await signIn(feed, feed.readToken);
  const seen = await ok<Channels>(await call(feed, reader, 'GET', '/console/api/channels'));
  assert.ok(seen.channels.some((c) => c.name === 'alpha') && seen.channels.some((c) => c.name === 'beta'));
  await refused(await call(feed, reader, 'POST', '/console/api/records', { record: await signed(news('alpha'), feed.key) }), 403, 'insufficient_scope');
  await refused(await call(feed, reader, 'GET', '/console/api/failed-starts'), 403, 'insufficient_scope');
  await refused(await call(feed, reader, 'POST', '/console/api/rollouts/halt', { channel: 'alpha', version: '1.0.0' }), 403, 'insufficient_scope');

  const alphaOnly = (await createToken(feed.server.store, { name: 'alpha-team', scopes: ['publish'], channels: ['alpha'], now: 1 })).token;
  const a = await signIn(feed, alphaOnly);
  const mine = await ok<Channels>(await call(feed, a, 'GET', '/console/api/channels'));
  assert.deepEqual(mine.channels.map((c) => c.name), ['alpha']);
  const e = await refused(await call(feed, a, 'POST', '/console/api/records', { record: await signed(news('beta'), feed.key) }), 403, 'insufficient_scope');
  assert.match(e.message, /channel beta/);
  await ok(await call(feed, a, 'POST', '/console/api/records', { record: await signed(news('alpha', 'From alpha team'), feed.key) }), 201);
  const log = await auditOf(a);
  assert.ok(log.every((x) => x.channel === 'alpha'), 'a channel-limited token sees only its channels in the log');
  assert.ok(log.some((x) => x.action === 'post news' && x.who === 'alpha-team'));
});

test('security headers on every /console answer: page, API, errors, unknown paths', async () => {
  for (const path of ['/console', '/console/', '/console/api/session', '/console/api/nope', '/console/assets/none.js']) {
    const res = await fetch(`${feed.url}${path}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.ok(!csp.includes('unsafe-inline'), path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /default-src 'none'/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    await res.arrayBuffer();
  }
  const api = await fetch(`${feed.url}/console/api/session`);
  assert.equal(api.headers.get('cache-control'), 'no-store');
  const v1 = await feed.get('/v1/heads');
  assert.equal(v1.headers.get('content-security-policy'), null, 'the feed API itself is unchanged');
});

test('post news, link a version, advance, halt, resume, recall: each through the publish checks and in the audit log', async () => {
  const ch = `con-${randomUUID().slice(0, 6)}`;
  const t0 = Math.floor(Date.now() / 1000);
  const s = await signIn(feed, feed.publishToken);
  await ok(await call(feed, s, 'POST', '/console/api/records', { record: await signed(news(ch, 'Hello from the console'), feed.key) }), 201);
  const v1 = await signed(release(ch, '2.0.0', { target: { rollout: 10 } }), feed.key);
  await ok(await call(feed, s, 'POST', '/console/api/records', { record: v1 }), 201);

  // Tampered: the signed title changed afterwards.
  const head = await feed.server.store.globalHead();
  await refused(await call(feed, s, 'POST', '/console/api/records', { record: { ...(await signed(news(ch, 'Original'), feed.key)), title: 'Tampered' } }), 422, 'bad_signature');
  // Outside 0–100, and not whole.
  for (const rollout of [101, -1, 12.5]) {
    const e = await refused(await call(feed, s, 'POST', '/console/api/records', { record: await signed(release(ch, '2.0.0', { issued: t0 + 5, target: { rollout } } as never), feed.key) }), 400, 'invalid');
    assert.equal(e.field, 'target.rollout');
  }
  // An "advance" that lowers the rollout.
  const low = await refused(await call(feed, s, 'POST', '/console/api/records', { record: await signed(release(ch, '2.0.0', { issued: t0 + 5, target: { rollout: 5 } } as never), feed.key) }), 400, 'invalid');
  assert.match(low.message, /must not be below the current 10 %/);
  assert.equal(await feed.server.store.globalHead(), head, 'none of them stored anything');

  await ok(await call(feed, s, 'POST', '/console/api/records', { record: await signed(release(ch, '2.0.0', { issued: t0 + 10, target: { rollout: 25 } } as never), feed.key) }), 201);
  let view = (await ok<Channels>(await call(feed, s, 'GET', '/console/api/channels'))).channels.find((c) => c.name === ch)!;
  assert.equal(view.releases[0]!.rollout, 25);
  assert.equal(view.releases[0]!.copies.length, 2);
  assert.equal(view.news[0]!.title, 'Hello from the console');

  await ok(await call(feed, s, 'POST', '/console/api/rollouts/halt', { channel: ch, version: '2.0.0', reason: 'crash reports' }));
  await refused(await call(feed, s, 'POST', '/console/api/rollouts/halt', { channel: ch, version: '2.0.0' }), 409, 'halted');
  const halted = await refused(await call(feed, s, 'POST', '/console/api/records', { record: await signed(release(ch, '2.0.0', { issued: t0 + 20, target: { rollout: 50 } } as never), feed.key) }), 409, 'halted');
  assert.match(halted.message, /crash reports/);
  view = (await ok<Channels>(await call(feed, s, 'GET', '/console/api/channels'))).channels.find((c) => c.name === ch)!;
  assert.equal(view.releases[0]!.halt?.reason, 'crash reports');
  await refused(await call(feed, s, 'POST', '/console/api/rollouts/halt', { channel: ch, version: '9.9.9' }), 400, 'unknown_release');
  await ok(await call(feed, s, 'POST', '/console/api/rollouts/resume', { channel: ch, version: '2.0.0' }));
  await refused(await call(feed, s, 'POST', '/console/api/rollouts/resume', { channel: ch, version: '2.0.0' }), 409, 'not_halted');

  // Recall: a signed retraction of every live copy.
  for (const c of view.releases[0]!.copies) {
    const r = await signed({ channel: ch, kind: 'retraction', title: '', body: '', retracts: c.id }, feed.key);
    await ok(await call(feed, s, 'POST', '/console/api/records', { record: r }), 201);
  }
  view = (await ok<Channels>(await call(feed, s, 'GET', '/console/api/channels'))).channels.find((c) => c.name === ch)!;
  assert.equal(view.releases[0]!.recalled, true);
  assert.equal(view.releases[0]!.rollout, 0);
  const page = await (await feed.get(`/v1/channels/${ch}/messages`)).json() as { messages: { kind: string }[] };
  assert.ok(!page.messages.some((m) => m.kind === 'release'), 'readers no longer get the release');

  await ok(await call(feed, s, 'DELETE', '/console/api/session'), 204);
  await refused(await call(feed, s, 'GET', '/console/api/session'), 401, 'signed_out');
  const admin = await signIn(feed, feed.publishToken);
  const log = (await auditOf(admin)).filter((x) => x.channel === ch || x.action === 'sign out');
  const actions = log.filter((x) => x.channel === ch).map((x) => x.action).reverse();
  assert.deepEqual(actions, ['post news', 'link version', 'advance rollout', 'halt rollout', 'resume rollout', 'recall', 'recall']);
  assert.ok(log.every((x) => x.who === 'ci' && x.at > 0));
  assert.ok(log.some((x) => x.action === 'sign out'));
  assert.match(log.find((x) => x.action === 'advance rollout')!.detail, /2\.0\.0 from 10 % to 25 %/);
  assert.match(log.find((x) => x.action === 'halt rollout')!.detail, /crash reports/);
});

test('failed-start counts in the console: the same counts (small ones withheld) as the v1 endpoint', async () => {
  const s = await signIn(feed, feed.publishToken);
  for (let i = 0; i < 6; i++) {
    await fetch(`${feed.url}/v1/reports/failed-start`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${feed.readToken}` }, body: JSON.stringify({ version: '3.0.0', platform: 'linux-x64', channel: 'fs', bucket: 7, reason: 'crashed' }) });
  }
  const mine = await ok<{ counts: { version: string; count: number }[]; withheld: number }>(await call(feed, s, 'GET', '/console/api/failed-starts'));
  const v1 = await (await fetch(`${feed.url}/v1/reports/failed-start`, { headers: { authorization: `Bearer ${feed.publishToken}` } })).json();
  assert.deepEqual(mine, v1);
});
