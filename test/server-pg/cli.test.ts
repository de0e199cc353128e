// The operator's commands against a postgres:// URL, as docs/operations.md tells them: key add, token
// create/list/revoke, the service started by `npm run server`, publish and list through the CLI, and
// `tidings export` — the same steps the SQLite CLI suite runs on a file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPostgresDb } from '../server/helpers.ts';
import { cli } from '../server/cli-helpers.ts';

const url = process.env.TIDINGS_TEST_PG;
const skip = url ? false : `PostgreSQL unavailable: ${process.env.TIDINGS_TEST_PG_ERROR ?? 'TIDINGS_TEST_PG is not set'}`;
if (!url && process.env.REQUIRE_POSTGRES === '1') throw new Error(`PostgreSQL is required here: ${skip}`);

let db: Awaited<ReturnType<typeof freshPostgresDb>>;
let dir: string;
let server: ChildProcess | undefined;

before(async () => {
  if (skip) return;
  db = await freshPostgresDb();
  dir = mkdtempSync(join(tmpdir(), 'tidings-pg-cli-'));
});
after(async () => {
  if (skip) return;
  server?.kill('SIGTERM');
  await new Promise((r) => (server && server.exitCode === null ? server.once('exit', r) : r(null)));
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('keygen, key add, token create, serve, publish, list, revoke and export on PostgreSQL', { skip }, async () => {
  const keyFile = join(dir, 'publisher.key');
  const key = await cli(['keygen', '--out', keyFile, '--json']);
  assert.equal(key.code, 0, key.stderr);
  const { publicKey } = JSON.parse(key.stdout) as { publicKey: string };
  assert.equal((await cli(['key', 'add', publicKey, '--db', db.url, '--name', 'ci'])).code, 0);
  const tok = await cli(['token', 'create', '--db', db.url, '--scope', 'publish', '--name', 'ci', '--json']);
  assert.equal(tok.code, 0, tok.stderr);
  const { token, id } = JSON.parse(tok.stdout) as { token: string; id: string };

  const child = spawn(process.execPath, ['server/main.ts', '--db', db.url, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  const feedUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); const m = /listening on (http:\/\/\S+)/.exec(out); if (m) resolve(m[1] as string); });
    child.once('exit', () => reject(new Error(`the service exited: ${out}`)));
  });
  const env = { TIDINGS_SERVER: feedUrl, TIDINGS_TOKEN: token, TIDINGS_KEY_FILE: keyFile };
  const pub = await cli(['publish', 'news', '--channel', 'news', '--title', 'Hello from PostgreSQL', '--body', 'Body', '--json'], env);
  assert.equal(pub.code, 0, pub.stderr);
  const stored = JSON.parse(pub.stdout) as { seq: number; id: string };
  const list = await cli(['list', '--channel', 'news', '--json'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(stored.id));

  const out = join(dir, 'public');
  const exp = await cli(['export', '--db', db.url, '--out', out, '--json']);
  assert.equal(exp.code, 0, exp.stderr);
  const index = JSON.parse(readFileSync(join(out, 'v1', 'index.json'), 'utf8')) as { heads: Record<string, number>; channels: { pages: { file: string }[] }[] };
  assert.deepEqual(index.heads, { news: stored.seq });
  const page = JSON.parse(readFileSync(join(out, 'v1', index.channels[0]?.pages[0]?.file as string), 'utf8')) as { messages: { id: string }[] };
  assert.deepEqual(page.messages.map((m) => m.id), [stored.id]);

  assert.equal((await cli(['token', 'revoke', id, '--db', db.url])).code, 0);
  const refused = await cli(['publish', 'news', '--channel', 'news', '--title', 'After revoke', '--json'], env);
  assert.equal(refused.code, 1, 'a revoked token is refused at once by the running service');
});

test('--help describes --db postgres://; the start-up text never prints the password of the URL', { skip }, async () => {
  const help = spawn(process.execPath, ['server/main.ts', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  help.stdout.on('data', (d) => { text += String(d); });
  await new Promise((r) => help.once('exit', r));
  assert.match(text, /--db <file \| postgres:\/\/…>/);
  assert.match(text, /postgres:\/\/user:password@host:5432\/dbname/);
  // The test cluster trusts every login, so any password works; it must not reach the logs.
  const withPassword = new URL(db.url);
  withPassword.password = 's3cret-pw';
  const child = spawn(process.execPath, ['server/main.ts', '--db', withPassword.toString(), '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { out += String(d); });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => { if (/listening on/.test(out)) resolve(); });
    child.once('exit', () => reject(new Error(`the service exited: ${out}`)));
  });
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  assert.doesNotMatch(out, /s3cret-pw/);
  assert.match(out, /database postgres:\/\/postgres:\*\*\*@/);
});
