// The publisher CLI as a release pipeline runs it: a real child process against a real feed service on a
// loopback port. keygen → key add → token create → publish release (local file + downloaded URL) → list →
// retract → list; news; the feed's refusals as a publisher sees them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../server/app.ts';
import { KeyRing } from '../../shared/protocol/signing.ts';
import { cli, httpServer, oneLine } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidings-cli-'));
const db = join(dir, 'feed.db');
const keyFile = join(dir, 'publisher.key');
const asset = join(dir, 'Tidings-2.1.0.AppImage');
// Large enough for progress lines (8 MiB and up), not a round number of chunks.
const assetBytes = Buffer.alloc(9 * 1024 * 1024 + 17, 7);
const exeBytes = Buffer.from('MZ tidings installer');
let feed: Awaited<ReturnType<typeof startServer>>;
let files: Awaited<ReturnType<typeof httpServer>>;
let env: Record<string, string> = {};
let publicKey = '';
let keyId = '';

before(async () => {
  writeFileSync(asset, assetBytes);
  feed = await startServer({ db, port: 0, host: '127.0.0.1', publicRead: false, allowLoopbackHttp: true, logger: false });
  files = await httpServer((req, res) => {
    if (req.url === '/Tidings-2.1.0.exe') {
      res.writeHead(200, { 'content-length': exeBytes.length });
      res.end(exeBytes);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
after(async () => {
  await feed.close();
  await files.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const sha512 = (b: Buffer | string) => createHash('sha512').update(b).digest('base64');

test('keygen writes a 0600 PKCS#8 key, prints the public key and key id, and never overwrites silently', async () => {
  const r = await cli(['keygen', '--out', keyFile, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { keyId: string; publicKey: string; file: string };
  assert.match(info.keyId, /^[0-9a-f]{16}$/);
  assert.match(info.publicKey, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(info.keyId, sha(Buffer.from(info.publicKey, 'base64')).slice(0, 16), 'key id = first 16 hex of SHA-256 of the raw key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
  ({ publicKey, keyId } = info);

  const before = readFileSync(keyFile, 'utf8');
  const again = await cli(['keygen', '--out', keyFile]);
  assert.equal(again.code, 1);
  assert.match(oneLine(again), /already exists; pass --force/);
  assert.equal(readFileSync(keyFile, 'utf8'), before, 'the existing key is untouched');

  // --force replaces it with a new key, still 0600 even where the old file was world-readable.
  const other = join(dir, 'other.key');
  writeFileSync(other, 'old');
  chmodSync(other, 0o644);
  const forced = await cli(['keygen', '--out', other, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /Public key: [A-Za-z0-9+/]{43}=\nKey id:\s+[0-9a-f]{16}\n/);
  assert.equal(statSync(other).mode & 0o777, 0o600);
  assert.match(readFileSync(other, 'utf8'), /BEGIN PRIVATE KEY/);
});

test('key add trusts the public key on the local service; key list shows it', async () => {
  const add = await cli(['key', 'add', publicKey, '--db', db, '--name', 'release-ci']);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, new RegExp(`Trusted publisher key ${keyId}`));
  const list = await cli(['key', 'list', '--db', db, '--json']);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), [{ keyId, publicKey, name: 'release-ci' }]);
  const text = await cli(['key', 'list'], { TIDINGS_DB: db });
  assert.match(text.stdout, new RegExp(`${keyId}\\s+release-ci\\s+${publicKey.replace(/[+/]/g, '\\$&')}`));
});

test('token create prints the token once; it works against the service', async () => {
  const tok = await cli(['token', 'create', '--db', db, '--scope', 'publish', '--name', 'ci', '--json']);
  assert.equal(tok.code, 0, tok.stderr);
  const created = JSON.parse(tok.stdout) as { token: string; id: string; scopes: string[]; channels: null };
  assert.match(created.token, /^tdg_[0-9a-f]{12}_/);
  assert.deepEqual([created.scopes, created.channels], [['publish'], null]);
  const text = await cli(['token', 'create', '--db', db, '--scope', 'read,publish', '--channel', 'news', '--channel', 'beta', '--name', 'newsroom']);
  assert.equal(text.code, 0, text.stderr);
  const [secret, note] = text.stdout.trim().split('\n');
  assert.match(secret ?? '', /^tdg_[0-9a-f]{12}_\S+$/, 'the token alone on the first line, for scripts');
  assert.match(note ?? '', /publish\+read on news, beta: shown once/);
  // Everything after `tdg_<id>_` (a base64url secret may itself contain '_').
  assert.ok(!readFileSync(db).includes(created.token.slice('tdg_'.length + 13)), 'the secret is not stored');
  env = { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: created.token, TIDINGS_KEY_FILE: keyFile };
});

test('publish release hashes a local file (with progress) and downloads a URL asset; the signed record is what the feed stores', async () => {
  const notes = join(dir, 'notes.md');
  writeFileSync(notes, "## What's new\n\n- Faster sync\n");
  const r = await cli(['publish', 'release', '--channel', 'stable', '--version', '2.1.0', '--title', 'Tidings 2.1.0', '--notes', notes,
    '--asset', `linux-x64=${asset}`, '--url', 'https://downloads.example.com/2.1.0/',
    '--asset', `win32-x64=${files.url}/Tidings-2.1.0.exe`, '--allow-insecure-loopback',
    '--critical', '--rollout', '25', '--platform', 'linux-x64', '--platform', 'win32-x64', '--min-version', '1.4.0', '--max-version', '2.0.9',
    '--expires', '30d', '--id', 'rel-2.1.0', '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const stored = JSON.parse(r.stdout) as Record<string, unknown> & { sig: unknown; seq: number; issued: number; expires: number; release: { assets: unknown[] } };
  const now = Date.now() / 1000;
  assert.equal(stored.id, 'rel-2.1.0');
  assert.equal(stored.kind, 'release');
  assert.equal(stored.title, 'Tidings 2.1.0');
  assert.equal(stored.body, "## What's new\n\n- Faster sync\n");
  assert.ok(Math.abs(stored.issued - now) < 60);
  assert.ok(Math.abs(stored.expires - (stored.issued + 30 * 86_400)) < 2);
  assert.deepEqual(stored.target, { platforms: ['linux-x64', 'win32-x64'], minVersion: '1.4.0', maxVersion: '2.0.9', rollout: 25 });
  assert.deepEqual(stored.release, {
    version: '2.1.0',
    critical: true,
    assets: [
      // sha512 for electron-updater's files; no edSignature: only darwin-* assets are signed for Sparkle.
      { platform: 'linux-x64', url: 'https://downloads.example.com/2.1.0/Tidings-2.1.0.AppImage', sha256: sha(assetBytes), sha512: sha512(assetBytes), size: assetBytes.length },
      { platform: 'win32-x64', url: `${files.url}/Tidings-2.1.0.exe`, sha256: sha(exeBytes), sha512: sha512(exeBytes), size: exeBytes.length },
    ],
  });
  // Signed with the key from keygen, so a companion built with that public key accepts it.
  const ring = await KeyRing.from([publicKey]);
  assert.deepEqual(await ring.verify(stored), { ok: true, keyId });

  // Progress on stderr (not a TTY here: one line per 10 %), none for the small download; stdout stays JSON.
  const lines = r.stderr.split('\n').filter(Boolean);
  const hashing = lines.filter((l) => l.startsWith('hashing Tidings-2.1.0.AppImage: '));
  assert.ok(hashing.length >= 2 && hashing.length <= 11, `throttled progress:\n${r.stderr}`);
  assert.match(hashing.at(-1) as string, /: 100 % of 9\.0 MB$/);
  assert.equal(lines.length, hashing.length, `nothing else on stderr:\n${r.stderr}`);
});

test('list shows the release; retract hides it from new readers; --json pages parse', async () => {
  const listed = await cli(['list', '--channel', 'stable'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^\s+\d+\s+release\s+rel-2\.1\.0\s+2\.1\.0\s+Tidings 2\.1\.0$/m);

  const ret = await cli(['retract', 'rel-2.1.0', '--channel', 'stable', '--json'], env);
  assert.equal(ret.code, 0, ret.stderr);
  const retraction = JSON.parse(ret.stdout) as { kind: string; retracts: string; sig: { key: string } };
  assert.deepEqual([retraction.kind, retraction.retracts, retraction.sig.key], ['retraction', 'rel-2.1.0', keyId]);

  const page = await cli(['list', '--channel', 'stable', '--json'], env);
  assert.equal(page.code, 0, page.stderr);
  const body = JSON.parse(page.stdout) as { messages: { kind: string; id: string; retracts?: string }[]; head: number; more: boolean };
  assert.deepEqual(body.messages.map((m) => [m.kind, m.retracts]), [['retraction', 'rel-2.1.0']]);
  assert.equal(body.more, false);
  const text = await cli(['list', '--channel', 'stable'], env);
  assert.doesNotMatch(text.stdout, /release\s+rel-2\.1\.0/);
  assert.match(text.stdout, /retraction\s+\S+\s+retracts rel-2\.1\.0/);
});

test('publish news from a Markdown file or --body; list pages with --after/--limit', async () => {
  const post = join(dir, 'post.md');
  writeFileSync(post, '# We moved\n\nOur forum lives at https://forum.example.com now.\n');
  const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'We moved our forum', '--body-file', post, '--expires', '2099-01-01'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Posted "We moved our forum" on news \(id [0-9a-f-]{36}, seq \d+\)\.$/m);
  const second = await cli(['publish', 'news', '--channel', 'news', '--title', 'Maintenance tonight', '--body', 'Short downtime at 22:00 UTC.', '--json'], env);
  assert.equal(second.code, 0, second.stderr);
  const posted = JSON.parse(second.stdout) as { seq: number; body: string };
  assert.equal(posted.body, 'Short downtime at 22:00 UTC.');

  const first = await cli(['list', '--channel', 'news', '--limit', '1', '--json'], env);
  const p1 = JSON.parse(first.stdout) as { messages: { title: string; body: string; expires: number }[]; next: number; more: boolean };
  assert.deepEqual([p1.messages.map((m) => m.title), p1.more], [['We moved our forum'], true]);
  assert.equal(p1.messages[0]?.body, readFileSync(post, 'utf8'));
  assert.equal(p1.messages[0]?.expires, Date.parse('2099-01-01') / 1000);
  const moreText = await cli(['list', '--channel', 'news', '--limit', '1'], env);
  assert.match(moreText.stdout, new RegExp(`… more after ${p1.next} \\(use --after ${p1.next}\\)`));
  const rest = await cli(['list', '--channel', 'news', '--after', String(p1.next)], env);
  assert.match(rest.stdout, /news\s+\S+\s+Maintenance tonight/);
  assert.doesNotMatch(rest.stdout, /We moved/);
  const empty = await cli(['list', '--channel', 'nothing-here'], env);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, 'Nothing on nothing-here after 0.\n');
});

test('the feed refusing a publish: exit 1, its message and field on one line, and in --json', async () => {
  // A token without the publish scope.
  const read = await cli(['token', 'create', '--db', db, '--scope', 'read', '--json']);
  const readToken = (JSON.parse(read.stdout) as { token: string }).token;
  const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'x', '--json'], { ...env, TIDINGS_TOKEN: readToken });
  assert.equal(r.code, 1);
  assert.match(oneLine(r), /^tidings: the feed refused it \(HTTP 403\): .*publish/);
  assert.match((JSON.parse(r.stdout) as { error: { message: string } }).error.message, /HTTP 403/);

  // A key the feed does not trust: 422 naming sig.key.
  const stranger = join(dir, 'stranger.key');
  assert.equal((await cli(['keygen', '--out', stranger])).code, 0);
  const s = await cli(['publish', 'news', '--channel', 'news', '--title', 'x', '--key', stranger, '--json'], env);
  assert.equal(s.code, 1);
  assert.match(oneLine(s), /HTTP 422\): the record is signed with a key this feed does not trust \[field: sig\.key\]$/);
  assert.deepEqual(JSON.parse(s.stdout), { error: { message: JSON.parse(s.stdout).error.message, field: 'sig.key' } });

  // The same id with a different record: 409 naming id.
  const c = await cli(['publish', 'news', '--channel', 'news', '--title', 'different', '--id', 'rel-2.1.0'], env);
  assert.equal(c.code, 1);
  assert.match(oneLine(c), /HTTP 409\): a different message with this id was already published \[field: id\]$/);

  // A channel-limited token outside its channels.
  const scoped = await cli(['token', 'create', '--db', db, '--scope', 'publish', '--channel', 'news', '--json']);
  const scopedToken = (JSON.parse(scoped.stdout) as { token: string }).token;
  const o = await cli(['publish', 'news', '--channel', 'announcements', '--title', 'x'], { ...env, TIDINGS_TOKEN: scopedToken });
  assert.equal(o.code, 1);
  assert.match(oneLine(o), /HTTP 403/);
  const ok = await cli(['publish', 'news', '--channel', 'news', '--title', 'scoped ok'], { ...env, TIDINGS_TOKEN: scopedToken });
  assert.equal(ok.code, 0, ok.stderr);

  // Nobody listening: a failure (1), not a usage error.
  const gone = await httpServer(() => {});
  await gone.close();
  const down = await cli(['list', '--channel', 'news', '--server', gone.url], env);
  assert.equal(down.code, 1);
  assert.equal(oneLine(down), `tidings: could not reach ${gone.url}: connect ECONNREFUSED ${gone.url.slice('http://'.length)}`);
});

test('a publish whose answer was lost is retried with the same signed body: stored once, exit 0', async () => {
  const bodies: string[] = [];
  const proxy = await httpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      bodies.push(body);
      void fetch(`${feed.url}${req.url}`, { method: req.method, headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body })
        .then(async (up) => {
          const text = await up.text();
          // The first publish lands on the feed, but its answer never reaches the CLI.
          if (bodies.length === 1) { req.socket.destroy(); return; }
          res.writeHead(up.status, { 'content-type': 'application/json' }).end(text);
        });
    });
  });
  try {
    const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'Lost answer', '--id', 'lost-answer-1', '--json'], { ...env, TIDINGS_SERVER: proxy.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(bodies.length, 2);
    assert.equal(bodies[0], bodies[1], 'the retry sends the identical signed record');
    assert.match(r.stderr, /could not reach .*; trying again in 1 s \(attempt 2 of 3\)/);
    assert.match(r.stderr, /Already published \(same id and content\): nothing changed\./);
    assert.equal((JSON.parse(r.stdout) as { id: string }).id, 'lost-answer-1');
    const page = JSON.parse((await cli(['list', '--channel', 'news', '--json'], env)).stdout) as { messages: { id: string }[] };
    assert.equal(page.messages.filter((m) => m.id === 'lost-answer-1').length, 1);
  } finally {
    await proxy.close();
  }
});

test('flags win over the environment', async () => {
  const r = await cli(['list', '--channel', 'news', '--server', feed.url, '--token', env.TIDINGS_TOKEN as string], { TIDINGS_SERVER: 'http://127.0.0.1:9', TIDINGS_TOKEN: 'tdg_nope' });
  assert.equal(r.code, 0, r.stderr);
  const noToken = await cli(['list', '--channel', 'news'], { TIDINGS_SERVER: feed.url });
  assert.equal(noToken.code, 1, 'this feed is not public');
  assert.match(oneLine(noToken), /HTTP 401/);
});

test('token list shows scopes, channels and revocation; a revoked token is refused', async () => {
  const list = await cli(['token', 'list', '--db', db, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { id: string; name: string; scopes: string[]; channels: string[] | null; created: number; revoked: number | null }[];
  const ci = rows.find((t) => t.name === 'ci');
  assert.ok(ci);
  assert.ok(!JSON.stringify(rows).includes('tdg_'), 'no secrets in the listing');
  const rev = await cli(['token', 'revoke', ci.id, '--db', db]);
  assert.equal(rev.code, 0, rev.stderr);
  assert.match(rev.stdout, new RegExp(`Revoked token ${ci.id}`));
  const text = await cli(['token', 'list', '--db', db]);
  assert.match(text.stdout, /^id\s+name\s+scopes\s+channels\s+created\s+revoked$/m);
  assert.match(text.stdout, new RegExp(`^${ci.id}\\s+ci\\s+publish\\s+\\*\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`, 'm'));
  assert.match(text.stdout, /newsroom\s+publish\+read\s+news,beta\s+\S+ \S+\s+-$/m);

  const r = await cli(['publish', 'news', '--channel', 'news', '--title', 'after revoke'], env);
  assert.equal(r.code, 1);
  assert.match(oneLine(r), /HTTP 401/);
  const twice = await cli(['token', 'revoke', ci.id, '--db', db]);
  assert.equal(twice.code, 1);
  assert.match(oneLine(twice), new RegExp(`no active token with id ${ci.id}`));
});

test('export writes the static feed of what was published', async () => {
  const out = join(dir, 'public');
  const ex = await cli(['export', '--db', db, '--out', out, '--json']);
  assert.equal(ex.code, 0, ex.stderr);
  assert.equal((JSON.parse(ex.stdout) as { channels: number }).channels, 2);
  assert.ok(existsSync(join(out, 'v1', 'index.json')));
});
