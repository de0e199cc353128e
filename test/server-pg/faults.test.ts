// PostgreSQL faults while two feed service nodes serve (reliability.md cases 51–52): LISTEN backends
// terminated again and again, a node whose LISTEN connection cannot come back for a while, and the database
// itself restarted (fast and immediate shutdown). This file starts its own throw-away cluster, because it
// stops and starts the server, which would break every other suite sharing the run's cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startServer } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, type SigningKey } from '../../shared/protocol/signing.ts';
import { startCluster, type Cluster } from '../../scripts/pg-cluster.ts';
import { signed, news } from '../server/helpers.ts';
import { openSse, type SseStream } from '../server/sse.ts';

const started = await startCluster();
const skip = 'error' in started ? `PostgreSQL unavailable: ${started.error}` : false;
if (skip && process.env.REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here: ${skip}`);
const cluster = started as Cluster;

type Node = Awaited<ReturnType<typeof startServer>>;
let a: Node;
let b: Node;
let key: SigningKey;
let token: string;
let adminUrl: string;
/** Every HTTP status the nodes answered in this file: a 500 anywhere fails the run. */
const statuses: number[] = [];

const LISTEN = `query = 'LISTEN tidings_feed' AND backend_type = 'client backend'`;

async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string): Promise<T[]> {
  const c = new pg.Client(adminUrl);
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** LISTEN connections by node (each node's URL names it with application_name). */
async function listeners(): Promise<Record<string, number>> {
  const rows = await sql<{ app: string; n: number }>(`SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity WHERE ${LISTEN} GROUP BY 1`);
  return Object.fromEntries(rows.map((r) => [r.app, r.n]));
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const oneEach = async () => {
  const l = await listeners();
  return l['node-a'] === 1 && l['node-b'] === 1 && Object.keys(l).length === 2;
};

async function call(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  statuses.push(res.status);
  return res;
}

const publish = (node: Node, body: object) => call(`${node.url}/v1/channels/${(body as { channel: string }).channel}/messages`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

const subscribe = (node: Node, channel: string): Promise<SseStream> => openSse(`${node.url}/v1/channels/${channel}/events`, { authorization: `Bearer ${token}` });

before(async () => {
  if (skip) return;
  const base = new URL(cluster.url);
  const admin = new pg.Client(cluster.url);
  await admin.connect();
  await admin.query('CREATE DATABASE tidings_faults');
  // The run's clusters trade durability for speed (synchronous_commit off), so an immediate shutdown could
  // lose acknowledged commits; this database keeps them, as a production one does.
  await admin.query('ALTER DATABASE tidings_faults SET synchronous_commit = on');
  // Node B logs in as its own role, so a test can keep B (and only B) from reconnecting.
  await admin.query('CREATE ROLE node_b SUPERUSER LOGIN');
  await admin.end();
  base.pathname = '/tidings_faults';
  adminUrl = base.toString();
  const urlA = new URL(adminUrl);
  urlA.searchParams.set('application_name', 'node-a');
  const urlB = new URL(adminUrl);
  urlB.username = 'node_b';
  urlB.searchParams.set('application_name', 'node-b');
  key = await generateSigningKey();
  const opts = { port: 0, host: '127.0.0.1', publisherKeys: [key.publicKey], readRateLimit: 1e6, publishRateLimit: 1e6, heartbeatMs: 1000 };
  a = await startServer({ ...opts, db: urlA.toString() });
  b = await startServer({ ...opts, db: urlB.toString() });
  token = (await createToken(a.store, { name: 'ci', scopes: ['publish'], channels: null, now: 1 })).token;
});

after(async () => {
  if (skip) return;
  await a?.close();
  await b?.close();
  cluster.stop();
});

test('case 51: LISTEN backends terminated again and again: every publish on A still reaches B within a second, one LISTEN connection per node, no 500s', { skip }, async () => {
  await until('each node has its LISTEN connection', oneEach);
  const sse = await subscribe(b, 'terminate');
  for (let round = 1; round <= 6; round++) {
    // Kill both nodes' LISTEN backends (every other round only B's), then publish on A at once.
    const who = round % 2 ? '' : `AND application_name = 'node-b'`;
    const killed = await sql<{ ok: boolean }>(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE ${LISTEN} ${who}`);
    assert.ok(killed.length >= 1 && killed.every((k) => k.ok), `round ${round}: terminated the LISTEN backends`);
    const t0 = Date.now();
    const res = await publish(a, await signed(news('terminate', `round ${round}`), key));
    assert.equal(res.status, 201, `round ${round}: A publishes while the LISTEN connections come back`);
    const { seq } = (await res.json()) as { seq: number };
    const events = await sse.waitFor(round, 3000);
    assert.ok(Date.now() - t0 < 1000, `round ${round}: reached B in ${Date.now() - t0} ms`);
    assert.equal(Number(events[round - 1]?.id), seq);
    // B reads what A published even while its cache is not trusted.
    const heads = (await (await call(`${b.url}/v1/heads`)).json()) as { heads: Record<string, number> };
    assert.equal(heads.heads.terminate, seq, `round ${round}: B's heads are current`);
  }
  await until('one LISTEN connection per node again', oneEach);
  // And it stays that way: no node opens a second one.
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(await listeners(), { 'node-a': 1, 'node-b': 1 });
    await new Promise((r) => setTimeout(r, 50));
  }
  sse.close();
  assert.deepEqual(statuses.filter((s) => s >= 500), []);
});

test('case 51: a node kept from reconnecting reads current heads from the database, then catches up on what was published meanwhile', { skip }, async () => {
  const sse = await subscribe(b, 'catchup');
  const first = (await call(`${b.url}/v1/heads`)).headers.get('etag') as string;
  await sql(`ALTER ROLE node_b NOLOGIN`);
  try {
    await sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${LISTEN} AND application_name = 'node-b'`);
    await until('B has lost its LISTEN connection', async () => (await listeners())['node-b'] === undefined);
    const res = await publish(a, await signed(news('catchup', 'published while B could not listen'), key));
    assert.equal(res.status, 201);
    const { seq } = (await res.json()) as { seq: number };
    // B does not trust its cached heads without LISTEN: the check sees the new head at once, not a stale 304.
    const check = await call(`${b.url}/v1/heads`, { headers: { 'if-none-match': first } });
    assert.equal(check.status, 200);
    assert.equal(((await check.json()) as { heads: Record<string, number> }).heads.catchup, seq);
    // B keeps trying (its login is refused) and pushes nothing it has not read.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(sse.events.length, 0, 'no LISTEN, no push yet');
    assert.equal((await listeners())['node-b'], undefined);
    await sql(`ALTER ROLE node_b LOGIN`);
    const back = Date.now();
    const events = await sse.waitFor(1, 3000);
    assert.ok(Date.now() - back < 1000, `caught up ${Date.now() - back} ms after B could log in again`);
    assert.equal(Number(events[0]?.id), seq);
  } finally {
    await sql(`ALTER ROLE node_b LOGIN`);
  }
  await until('one LISTEN connection per node again', oneEach);
  sse.close();
  assert.deepEqual(statuses.filter((s) => s >= 500), []);
});

for (const mode of ['fast', 'immediate'] as const) {
  test(`case 52: PostgreSQL restarts (${mode} shutdown) while two nodes serve: typed 503 + Retry-After meanwhile, and a publish after it reaches the other node within a second`, { skip }, async () => {
    const ch = `restart-${mode}`;
    const onB = await subscribe(b, ch);
    const onA = await subscribe(a, ch);
    const record = await signed(news(ch, `published across a ${mode} restart`), key);
    await cluster.pause(mode);
    let back = 0;
    try {
      const answers = await Promise.all([
        call(`${a.url}/v1/heads`),
        call(`${b.url}/v1/heads`, { headers: { 'if-none-match': '"anything"' } }),
        call(`${b.url}/v1/channels/${ch}/messages?after=0`),
        call(`${b.url}/v1/channels`),
        publish(a, record),
        publish(b, { ...(await signed({ ...news(ch), persistent: false }, key)) }),
        call(`${b.url}/v1/channels/${ch}/events`, { headers: { accept: 'text/event-stream' } }),
      ]);
      for (const res of answers) {
        assert.equal(res.status, 503, `${res.url}: 503 while the database is down`);
        assert.match(res.headers.get('retry-after') ?? '', /^\d+$/, 'with Retry-After in seconds');
        assert.deepEqual(((await res.json()) as { error: { code: string } }).error.code, 'database_unavailable');
      }
      // The Cryptolens dialect keeps its own envelope.
      const cl = await fetch(`${b.url}/api/message/GetMessages`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
      statuses.push(cl.status);
      assert.equal(cl.status, 503);
      assert.ok(cl.headers.get('retry-after'));
      assert.equal(((await cl.json()) as { result: number }).result, 1);
    } finally {
      await cluster.resume();
      back = Date.now();
    }
    // The publisher retries the same record (as `tidings publish` does on 503) until the node takes it.
    let res: Response;
    for (;;) {
      res = await publish(a, record);
      if (res.status !== 503) break;
      assert.ok(Date.now() - back < 5000, 'the node serves again soon after the database is back');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(res.status, 201);
    const { seq } = (await res.json()) as { seq: number };
    const [got] = await onB.waitFor(1, 3000);
    const latency = Date.now() - back;
    assert.ok(latency < 1000, `reached B ${latency} ms after the database came back`);
    assert.equal(Number(got?.id), seq);
    assert.equal(Number((await onA.waitFor(1, 3000))[0]?.id), seq, 'and the publishing node\'s own subscriber');
    await until('one LISTEN connection per node again', oneEach);
    onA.close();
    onB.close();
    assert.deepEqual(statuses.filter((s) => s >= 500 && s !== 503), [], 'no 500s');
  });
}
