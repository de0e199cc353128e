// The service as an operator runs it: one command, clear start-up text, clear refusals, graceful stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteFeedStore } from '../../server/store/sqlite.ts';
import { createToken } from '../../server/tokens.ts';
import { generateSigningKey } from '../../shared/protocol/signing.ts';
import { signed, news } from './helpers.ts';

function startProcess(args: string[]) {
  const child = spawn(process.execPath, ['server/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { err += String(d); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearInterval(t); resolve(m[1] as string); }
    }, 20);
    void exited.then(() => { clearInterval(t); reject(new Error(`exited: ${err}`)); });
  });
  url.catch(() => {});
  return { child, url, exited, out: () => out, err: () => err };
}

test('first start prints the URL and how to create tokens and trust a key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-proc-'));
  const p = startProcess(['--db', join(dir, 'feed.db'), '--port', '0', '--quiet']);
  const url = await p.url;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(p.out(), /tidings token create --db .*feed\.db --scope publish/);
  assert.match(p.out(), /tidings keygen/);
  const health = await fetch(`${url}/v1/health`);
  assert.deepEqual(await health.json(), { ok: true, head: 0 });
  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
});

test('bad flags stop the service with one clear line and exit code 2', async () => {
  for (const args of [['--port', 'eighty'], ['--bogus'], ['--max-age', '-1']]) {
    const p = startProcess(args);
    assert.equal(await p.exited, 2, args.join(' '));
    assert.match(p.err(), /^tidings server: .+/);
    assert.doesNotMatch(p.err(), /\n\s+at /, 'no stack trace');
  }
});

test('a database from a newer version is refused and left untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-proc-'));
  const file = join(dir, 'feed.db');
  const db = new Database(file);
  db.pragma('user_version = 99');
  db.close();
  const before = readFileSync(file);
  const p = startProcess(['--db', file, '--port', '0']);
  assert.equal(await p.exited, 1);
  assert.match(p.err(), /newer Tidings/);
  assert.deepEqual(readFileSync(file), before);
});

test('SIGTERM finishes in-flight publishes: every acknowledged message is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-proc-'));
  const file = join(dir, 'feed.db');
  const key = await generateSigningKey();
  const store = new SqliteFeedStore(file);
  const { token } = await createToken(store, { name: 'ci', scopes: ['publish'], channels: null, now: 1 });
  await store.close();
  const p = startProcess(['--db', file, '--port', '0', '--quiet', '--key', key.publicKey, '--publish-rate-limit', '100000']);
  const url = await p.url;
  const bodies = await Promise.all(Array.from({ length: 60 }, () => signed(news('news'), key)));
  const sends = bodies.map((b) => fetch(`${url}/v1/channels/news/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(b),
  }).then((r) => r.status, () => 0));
  await new Promise((r) => setTimeout(r, 15));
  p.child.kill('SIGTERM');
  const statuses = await Promise.all(sends);
  assert.equal(await p.exited, 0, p.err() + p.out());
  const acked = bodies.filter((_, i) => statuses[i] === 201).map((b) => b.id);
  assert.ok(statuses.every((s) => s === 201 || s === 503 || s === 0), `only acknowledged, refused or unsent: ${statuses.join(',')}`);
  const check = new Database(file, { readonly: true });
  const stored = new Set((check.prepare('SELECT id FROM messages').all() as { id: string }[]).map((r) => r.id));
  check.close();
  for (const id of acked) assert.ok(stored.has(id), `acknowledged ${id} is stored`);
  // And the other way round: nothing stored went unanswered, so no publish was cut off mid-flight.
  for (const id of stored) assert.ok(acked.includes(id), `stored ${id} was acknowledged`);
  writeFileSync(join(dir, 'done'), '');
});
