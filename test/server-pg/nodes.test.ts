// Several stateless service nodes on one PostgreSQL database: seq order holds across nodes under
// concurrent publishers, SSE subscribers on one node receive what another node publishes, and a node
// killed mid-publish loses nothing acknowledged and duplicates nothing on retry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startServer } from '../../server/app.ts';
import { PostgresFeedStore } from '../../server/store/postgres.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, type SigningKey } from '../../shared/protocol/signing.ts';
import { freshPostgresDb, signed, news, release } from '../server/helpers.ts';
import { openSse } from '../server/sse.ts';

const url = process.env.TIDINGS_TEST_PG;
const skip = url ? false : `PostgreSQL unavailable: ${process.env.TIDINGS_TEST_PG_ERROR ?? 'TIDINGS_TEST_PG is not set'}`;
if (!url && process.env.REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here: ${skip}`);

let db: Awaited<ReturnType<typeof freshPostgresDb>>;
let key: SigningKey;
let token: string;
let readToken: string;
let a: Awaited<ReturnType<typeof startServer>>;
let b: Awaited<ReturnType<typeof startServer>>;

before(async () => {
  if (skip) return;
  db = await freshPostgresDb();
  key = await generateSigningKey();
  const opts = { db: db.url, port: 0, host: '127.0.0.1', publisherKeys: [key.publicKey], readRateLimit: 1e6, publishRateLimit: 1e6 };
  a = await startServer(opts);
  b = await startServer(opts);
  token = (await createToken(a.store, { name: 'ci', scopes: ['publish'], channels: null, now: 1 })).token;
  readToken = (await createToken(a.store, { name: 'app', scopes: ['read'], channels: null, now: 1 })).token;
});
after(async () => {
  if (skip) return;
  await a.close();
  await b.close();
  await db.drop();
});

const publishTo = async (node: { url: string }, body: object, channel = 'news') => fetch(`${node.url}/v1/channels/${channel}/messages`, {
  method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
});

test('concurrent publishers on two nodes: readers polling either node never skip a message', { skip }, async () => {
  const ch = 'order';
  let stop = false;
  const views: number[][] = [];
  const reader = async (node: { url: string }) => {
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const finishing = stop;
      const res = await fetch(`${node.url}/v1/channels/${ch}/messages?after=${after}&limit=5`, { headers: { authorization: `Bearer ${readToken}` } });
      const page = (await res.json()) as { messages: { seq: number }[]; next: number; more: boolean };
      seen.push(...page.messages.map((m) => m.seq));
      after = page.next;
      if (finishing && !page.more) break;
    }
    views.push(seen);
  };
  const readers = [reader(a), reader(b), reader(a), reader(b)];
  const bodies = await Promise.all(Array.from({ length: 200 }, () => signed(news(ch), key)));
  const statuses = await Promise.all(bodies.map((body, i) => publishTo(i % 2 ? a : b, body, ch).then((r) => r.status)));
  stop = true;
  await Promise.all(readers);
  assert.ok(statuses.every((s) => s === 201), statuses.join(','));
  const all = (views[0] ?? []).slice().sort((x, y) => x - y);
  assert.equal(all.length, 200);
  for (const view of views) assert.deepEqual(view, all, 'every reader saw every message once, in seq order');
  for (let i = 1; i < all.length; i++) assert.equal(all[i], (all[i - 1] as number) + 1, 'gap-free');
});

test('an SSE subscriber on node B receives what node A publishes, and resumes on node A', { skip }, async () => {
  const ch = 'push';
  const s = await openSse(`${b.url}/v1/channels/${ch}/events`, { authorization: `Bearer ${readToken}` });
  const t0 = Date.now();
  const m1 = (await (await publishTo(a, await signed(news(ch), key), ch)).json()) as { seq: number };
  await s.waitFor(1, 3000);
  const latency = Date.now() - t0;
  assert.ok(latency < 1000, `cross-node push took ${latency} ms`);
  assert.equal(Number(s.events[0]?.id), m1.seq);
  s.close();
  const m2 = (await (await publishTo(b, await signed(news(ch), key), ch)).json()) as { seq: number };
  const resumed = await openSse(`${a.url}/v1/channels/${ch}/events`, { authorization: `Bearer ${readToken}`, 'last-event-id': String(m1.seq) });
  assert.deepEqual((await resumed.waitFor(1)).map((e) => Number(e.id)), [m2.seq]);
  // Live-only messages cross nodes too.
  const live = await signed({ ...news(ch, 'live banner'), persistent: false }, key);
  assert.equal((await publishTo(b, live, ch)).status, 202);
  const events = await resumed.waitFor(2);
  assert.equal(events[1]?.event, 'live');
  resumed.close();
});

test('a live-only message travels in the notification: stored nowhere, and one over the 8000-byte payload limit arrives whole on the other node', { skip }, async () => {
  const ch = 'live-big';
  const s = await openSse(`${a.url}/v1/channels/${ch}/events`, { authorization: `Bearer ${readToken}` });
  const marker = `marker-${randomUUID()}`;
  // About 30 KB of UTF-8 with two-, three- and four-byte characters, so parts are cut between characters.
  const body = `${marker} ${'é日🎉 '.repeat(2600)}`;
  const small = await signed({ ...news(ch, `${marker} small`), persistent: false }, key);
  const big = await signed({ ...news(ch, `${marker} big`), body, persistent: false }, key);
  assert.equal((await publishTo(b, small, ch)).status, 202);
  assert.equal((await publishTo(b, big, ch)).status, 202);
  const events = await s.waitFor(2, 3000);
  s.close();
  assert.deepEqual(events.map((e) => [e.event, e.id]), [['live', undefined], ['live', undefined]]);
  const got = events.map((e) => JSON.parse(e.data) as { id: string; body: string; sig: unknown });
  assert.equal(got[0]?.id, small.id);
  assert.equal(got[1]?.id, big.id);
  assert.equal(got[1]?.body, body, 'the large one arrives whole, every character intact');
  assert.deepEqual(got[1]?.sig, big.sig);
  // Nothing of either is in any table.
  const c = new pg.Client(db.url);
  await c.connect();
  try {
    const tables = (await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'`)).rows.map((r) => r.t);
    assert.ok(!tables.includes('live_messages'));
    for (const t of tables) {
      const n = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}" x WHERE x::text LIKE $1`, [`%${marker}%`])).rows[0]?.n;
      assert.equal(n, 0, `${t} holds nothing of a live-only message`);
    }
  } finally {
    await c.end();
  }
});

test('a node killed mid-publish loses nothing acknowledged; retries on the other node never duplicate', { skip }, async () => {
  const child = spawn(process.execPath, ['server/main.ts', '--db', db.url, '--port', '0', '--quiet', '--key', key.publicKey, '--publish-rate-limit', '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const nodeUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1] as string); });
    child.on('exit', () => reject(new Error('node exited')));
  });
  const ch = 'crash';
  const bodies = await Promise.all(Array.from({ length: 150 }, () => signed({ ...news(ch), id: randomUUID() }, key)));
  const first = bodies.map((body) => publishTo({ url: nodeUrl }, body, ch).then((r) => r.status, () => 0));
  await new Promise((r) => setTimeout(r, 30));
  child.kill('SIGKILL');
  const statuses = await Promise.all(first);
  const acked = bodies.filter((_, i) => statuses[i] === 201 || statuses[i] === 200);
  // The publisher retries everything it did not see acknowledged, on the surviving node.
  const retry = await Promise.all(bodies.map((body, i) => (statuses[i] === 201 ? 201 : publishTo(a, body, ch).then((r) => r.status))));
  assert.ok(retry.every((s) => s === 201 || s === 200), retry.join(','));
  const store = await PostgresFeedStore.open(db.url);
  try {
    const page = await store.page(ch, 0, 100, 1e7);
    const rest = await store.page(ch, page.next, 100, 1e7);
    const ids = [...page.items, ...rest.items].map((i) => (JSON.parse(i.json) as { id: string }).id);
    assert.equal(ids.length, 150, 'every message stored once');
    assert.equal(new Set(ids).size, 150);
    for (const m of acked) assert.ok(ids.includes(m.id), 'acknowledged before the kill, still there');
  } finally {
    await store.close();
  }
});

test('the node that halts a rollout serves the hold on its very next read, without waiting to hear its own notification', { skip }, async () => {
  const ch = 'hold-own';
  assert.equal((await publishTo(a, await signed(release(ch, '3.0.0'), key), ch)).status, 201);
  const heads = async () => fetch(`${a.url}/v1/heads`, { headers: { authorization: `Bearer ${readToken}` } });
  // Node a's heads are cached (a second read answers from memory).
  await (await heads()).text();
  const etag = (await heads()).headers.get('etag') as string;
  // Its LISTEN connection hears nothing for now: notifications are held back, as on a slow network.
  const listener = (a.store as unknown as { listener: pg.Client }).listener;
  const saved = listener.listeners('notification') as ((n: pg.Notification) => void)[];
  const held: pg.Notification[] = [];
  listener.removeAllListeners('notification');
  listener.on('notification', (n) => held.push(n));
  try {
    await a.store.console.setHalt({ channel: ch, version: '3.0.0', halted: true, reason: 'crash reports', at: 2, by: 'ci' });
    const after = await heads();
    const body = await after.json() as { holds?: Record<string, string[]> };
    assert.deepEqual(body.holds?.[ch], ['3.0.0'], 'the halting node offers the held version no more');
    assert.notEqual(after.headers.get('etag'), etag);
  } finally {
    listener.removeAllListeners('notification');
    for (const f of saved) listener.on('notification', f);
    for (const n of held) for (const f of saved) f(n);
  }
});
