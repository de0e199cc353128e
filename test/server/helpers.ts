// Test harness for the feed service: a real server on a loopback port over a temp SQLite file, with a
// trusted publisher key and tokens of each scope.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startServer, type StartOptions } from '../../server/app.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey, signRecord, type SigningKey } from '../../shared/protocol/signing.ts';
import type { UnsignedRecord } from '../../shared/protocol/schemas.ts';

export interface Feed {
  url: string;
  dir: string;
  db: string;
  key: SigningKey;
  publishToken: string;
  readToken: string;
  server: Awaited<ReturnType<typeof startServer>>;
  close(): Promise<void>;
  restart(): Promise<void>;
  publish(record: Partial<UnsignedRecord> & { channel: string }, opts?: { token?: string; key?: SigningKey }): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  form(path: string, fields: Record<string, string | number>): Promise<Response>;
}

export function news(channel: string, title = `News ${randomUUID().slice(0, 8)}`): Partial<UnsignedRecord> & { channel: string } {
  return { channel, kind: 'news', title, body: `Body of ${title}` };
}

export function release(channel: string, version: string, extra: Partial<UnsignedRecord> = {}): Partial<UnsignedRecord> & { channel: string } {
  return {
    channel,
    kind: 'release',
    title: `Tidings ${version}`,
    body: `## What's new in ${version}`,
    release: { version, assets: [{ platform: 'linux-x64', url: `https://downloads.example.com/Tidings-${version}.AppImage`, sha256: 'ab'.repeat(32), size: 1234 }] },
    ...extra,
  };
}

export async function signed(record: Partial<UnsignedRecord> & { channel: string }, key: SigningKey) {
  const full = { id: randomUUID(), kind: 'news', issued: Math.floor(Date.now() / 1000), title: 'Untitled', body: '', ...record } as UnsignedRecord;
  return signRecord(full, key);
}

/** The backend under test: SQLite by default; PostgreSQL when the suite runs under test/server-pg. */
export const backend = process.env.TIDINGS_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

/** A fresh PostgreSQL database on the test cluster, dropped by the returned function. */
export async function freshPostgresDb(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TIDINGS_TEST_PG as string;
  const name = `tidings_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const client = new pg.Client(admin);
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client(admin);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function startFeed(opts: Partial<StartOptions> = {}): Promise<Feed> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-feed-'));
  const pgDb = backend === 'postgres' ? await freshPostgresDb() : null;
  const db = pgDb ? pgDb.url : join(dir, 'feed.db');
  const key = await generateSigningKey();
  const base = { db, port: 0, host: '127.0.0.1', publisherKeys: [key.publicKey], readRateLimit: 100_000, publishRateLimit: 100_000, ...opts };
  const feed = {
    dir, db, key,
    server: await startServer(base),
  } as unknown as Feed;
  feed.url = feed.server.url;
  feed.publishToken = (await createToken(feed.server.store, { name: 'ci', scopes: ['publish'], channels: null, now: 1 })).token;
  feed.readToken = (await createToken(feed.server.store, { name: 'app', scopes: ['read'], channels: null, now: 1 })).token;
  feed.close = async () => {
    await feed.server.close();
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  feed.restart = async () => {
    const port = Number(new URL(feed.url).port);
    await feed.server.close();
    feed.server = await startServer({ ...base, port });
  };
  feed.publish = async (record, o = {}) => {
    const body = await signed(record, o.key ?? key);
    return fetch(`${feed.url}/v1/channels/${encodeURIComponent(record.channel)}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${o.token ?? feed.publishToken}` },
      body: JSON.stringify(body),
    });
  };
  feed.get = (path, headers = {}) => fetch(`${feed.url}${path}`, { headers: { authorization: `Bearer ${feed.readToken}`, ...headers } });
  feed.form = (path, fields) => fetch(`${feed.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString(),
  });
  return feed;
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Raw POST with an arbitrary body, for bad-input tests. */
export function rawPost(feed: Feed, path: string, body: string | Uint8Array, contentType: string, token = feed.publishToken): Promise<Response> {
  return fetch(`${feed.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${token}` }, body: body as NonNullable<RequestInit['body']> });
}

/** Everything the store holds about tokens, as text (to prove secrets are not stored). */
export async function tokenTableText(feed: Feed): Promise<string> {
  if (backend === 'postgres') {
    const c = new pg.Client(feed.db);
    await c.connect();
    const rows = (await c.query('SELECT * FROM tokens')).rows;
    await c.end();
    return JSON.stringify(rows) + rows.map((r: { hash: Buffer }) => r.hash.toString('latin1')).join('');
  }
  const { readFileSync } = await import('node:fs');
  return [feed.db, `${feed.db}-wal`].map((f) => { try { return readFileSync(f, 'latin1'); } catch { return ''; } }).join('');
}

/** Count of messages stored in the feed, straight from SQL (to prove "nothing written"). */
export async function storedCount(feed: Feed): Promise<number> {
  return feed.server.store.globalHead();
}
