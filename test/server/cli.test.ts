// The publisher CLI as a release pipeline runs it: a real child process against a real feed service.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['server/cli/main.ts', ...args], { env: { ...process.env, TIDINGS_SERVER: '', TIDINGS_TOKEN: '', TIDINGS_KEY_FILE: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tidings-cli-'));
const db = join(dir, 'feed.db');
const keyFile = join(dir, 'publisher.key');
const asset = join(dir, 'Tidings-2.1.0.AppImage');
const assetBytes = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
let feed: Awaited<ReturnType<typeof startServer>>;
let files: Server;
let filesUrl = '';
let env: Record<string, string> = {};

before(async () => {
  writeFileSync(asset, assetBytes);
  feed = await startServer({ db, port: 0, host: '127.0.0.1', publicRead: false, allowLoopbackHttp: true });
  files = createServer((req, res) => {
    if (req.url === '/Tidings-2.1.0.exe') { res.writeHead(200, { 'content-length': 5 }); res.end('hello'); } else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
});
after(async () => {
  await feed.close();
  files.close();
});

test('keygen writes a 0600 private key and prints the public key and key id; never overwrites silently', async () => {
  const r = await cli(['keygen', '--out', keyFile, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { keyId: string; publicKey: string };
  assert.match(info.keyId, /^[0-9a-f]{16}$/);
  assert.match(info.publicKey, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
  const again = await cli(['keygen', '--out', keyFile]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists; pass --force/);
  const add = await cli(['key', 'add', info.publicKey, '--db', db]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, new RegExp(`Trusted publisher key ${info.keyId}`));
  const tok = await cli(['token', 'create', '--db', db, '--scope', 'publish', '--name', 'ci', '--json']);
  assert.equal(tok.code, 0, tok.stderr);
  const token = (JSON.parse(tok.stdout) as { token: string }).token;
  env = { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: token, TIDINGS_KEY_FILE: keyFile };
});

test('publish release hashes a local file and downloads a URL asset; list shows it; retract hides it', async () => {
  const r = await cli(['publish', 'release', '--channel', 'stable', '--version', '2.1.0', '--title', 'Tidings 2.1.0',
    '--asset', `linux-x64=${asset}`, '--url', 'https://downloads.example.com/2.1.0',
    '--asset', `win32-x64=${filesUrl}/Tidings-2.1.0.exe`, '--allow-insecure-loopback', '--rollout', '25', '--expires', '30d', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const stored = JSON.parse(r.stdout) as { id: string; seq: number; release: { assets: { platform: string; url: string; sha256: string; size: number }[] }; target: { rollout: number }; expires: number };
  const [linux, win] = stored.release.assets;
  assert.deepEqual(linux, { platform: 'linux-x64', url: 'https://downloads.example.com/2.1.0/Tidings-2.1.0.AppImage', sha256: createHash('sha256').update(assetBytes).digest('hex'), size: assetBytes.length });
  assert.deepEqual(win, { platform: 'win32-x64', url: `${filesUrl}/Tidings-2.1.0.exe`, sha256: createHash('sha256').update('hello').digest('hex'), size: 5 });
  assert.equal(stored.target.rollout, 25);
  assert.ok(stored.expires > Date.now() / 1000 + 29 * 86_400);
  const listed = await cli(['list', '--channel', 'stable'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`release\\s+${stored.id}\\s+2\\.1\\.0`));
  const ret = await cli(['retract', stored.id, '--channel', 'stable'], env);
  assert.equal(ret.code, 0, ret.stderr);
  const after = await cli(['list', '--channel', 'stable', '--json'], env);
  const page = JSON.parse(after.stdout) as { messages: { kind: string; retracts?: string }[] };
  assert.deepEqual(page.messages.map((m) => [m.kind, m.retracts]), [['retraction', stored.id]]);
});

test('publish news from a Markdown file; export writes a static feed', async () => {
  const post = join(dir, 'post.md');
  writeFileSync(post, '# We moved\n\nOur forum lives at https://forum.example.com now.');
  const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'We moved our forum', '--body-file', post], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Posted "We moved our forum" on news/);
  const out = join(dir, 'public');
  const ex = await cli(['export', '--db', db, '--out', out, '--json']);
  assert.equal(ex.code, 0, ex.stderr);
  assert.equal((JSON.parse(ex.stdout) as { channels: number }).channels, 2);
  assert.ok(existsSync(join(out, 'v1', 'index.json')));
});

test('every bad flag is one clear line and a non-zero exit', async () => {
  const cases: [string[], number, RegExp][] = [
    [['publish', 'release', '--channel', 'stable', '--version', '2.1', '--asset', `linux-x64=${asset}`, '--url', 'https://x.example.com'], 2, /--version must be a semantic version/],
    [['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', 'linux-x64=http://cdn.example.com/x'], 2, /asset URL must be https/],
    [['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', `linux/x64=${asset}`], 2, /unknown platform/],
    [['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', asset], 2, /--asset must be platform=/],
    [['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', `linux-x64=${asset}`], 2, /say where clients download it/],
    [['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', `linux-x64=${join(dir, 'missing.bin')}`, '--url', 'https://x.example.com'], 1, /asset file not found/],
    [['publish', 'release', '--channel', '../etc', '--version', '2.2.0'], 2, /invalid channel name/],
    [['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--rollout', '140', '--asset', `linux-x64=${asset}`, '--url', 'https://x.example.com'], 2, /--rollout must be/],
    [['publish', 'news', '--channel', 'news', '--title', 'x', '--key', join(dir, 'nope.key')], 1, /key file not found/],
    [['publish', 'news', '--channel', 'news', '--title', 'x', '--body-file', join(dir, 'nope.md')], 1, /cannot read --body-file/],
    [['publish', 'news', '--channel', 'news', '--title', 'x', '--expires', 'someday'], 2, /--expires must be/],
    [['publish', 'news', '--channel', 'news'], 2, /missing --title/],
    [['frobnicate'], 2, /unknown command "frobnicate"/],
    [['list', '--channel', 'news', '--bogus'], 2, /Unknown option '--bogus'/],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli(args, env);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('a refusal by the feed names the field and exits 1; --json errors parse', async () => {
  const read = await cli(['token', 'create', '--db', db, '--scope', 'read', '--json']);
  const readToken = (JSON.parse(read.stdout) as { token: string }).token;
  const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'x', '--json'], { ...env, TIDINGS_TOKEN: readToken });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /HTTP 403/);
  assert.match((JSON.parse(r.stdout) as { error: { message: string } }).error.message, /lacks the publish scope/);
  const pre = await cli(['publish', 'release', '--channel', 'stable', '--version', '3.0.0-beta.1', '--asset', `linux-x64=${asset}`, '--url', 'https://x.example.com'], env);
  assert.equal(pre.code, 1);
  assert.match(pre.stderr, /release\.version/);
});

test('token list and revoke', async () => {
  const list = await cli(['token', 'list', '--db', db, '--json']);
  const rows = JSON.parse(list.stdout) as { id: string; name: string; revoked: number | null }[];
  const ci = rows.find((t) => t.name === 'ci');
  assert.ok(ci);
  const rev = await cli(['token', 'revoke', ci.id, '--db', db]);
  assert.equal(rev.code, 0, rev.stderr);
  const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'after revoke'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /HTTP 401/);
  assert.equal((await cli(['token', 'revoke', ci.id, '--db', db])).code, 1, 'revoking twice says so');
});
