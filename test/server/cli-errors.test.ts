// Every bad invocation of the publisher CLI: one clear line on stderr, exit 2 for usage errors and 1 for
// failures, a JSON error with --json, and nothing sent to the feed. Plus --help, per-command help and the
// npm bin shim.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, httpServer, oneLine } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidings-cli-err-'));
const key = join(dir, 'publisher.key');
const asset = join(dir, 'app.AppImage');
const notes = join(dir, 'notes.md');
let feed: Awaited<ReturnType<typeof httpServer>>;
/** Requests the fake feed received: every case below must fail before sending anything. */
const received: string[] = [];
let env: Record<string, string> = {};

before(async () => {
  writeFileSync(asset, 'binary');
  writeFileSync(notes, 'notes');
  writeFileSync(join(dir, 'nul.md'), 'a\u0000b');
  writeFileSync(join(dir, 'not-a-key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
  feed = await httpServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    res.writeHead(500);
    res.end();
  });
  const k = await cli(['keygen', '--out', key]);
  assert.equal(k.code, 0, k.stderr);
  env = { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: 'tdg_000000000000_x', TIDINGS_KEY_FILE: key };
});
after(async () => {
  await feed.close();
  rmSync(dir, { recursive: true, force: true });
});

const rel = (...extra: string[]) => ['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', `linux-x64=${asset}`, '--url', 'https://cdn.example.com/2.2.0', ...extra];
const releaseWith = (asset2: string, ...extra: string[]) => ['publish', 'release', '--channel', 'stable', '--version', '2.2.0', '--asset', asset2, ...extra];

const cases: { args: string[]; code: 1 | 2; message: RegExp; env?: Record<string, string> }[] = [
  // Flags and commands
  { args: ['frobnicate'], code: 2, message: /^tidings: unknown command "frobnicate" \(see tidings --help\)$/ },
  { args: ['publish'], code: 2, message: /"tidings publish" needs one of: release, news/ },
  { args: ['publish', 'relase'], code: 2, message: /unknown command "tidings publish relase" \(use one of: release, news\)/ },
  { args: ['token', 'delete', 'x'], code: 2, message: /unknown command "tidings token delete"/ },
  { args: ['list', '--channel', 'news', '--bogus'], code: 2, message: /Unknown option '--bogus'/ },
  { args: ['publish', 'news', '--channel', 'news', '--title', 'x', '--asset', `linux-x64=${asset}`], code: 2, message: /--asset is not an option of "tidings publish news" \(see tidings publish news --help\)$/ },
  { args: ['keygen', '--out', join(dir, 'k2'), '--db', 'x.db'], code: 2, message: /--db is not an option of "tidings keygen"/ },
  { args: ['list', 'stable', '--channel', 'stable'], code: 2, message: /unexpected argument "stable" for "tidings list"/ },
  { args: ['publish', 'release', '--channel', 'stable', '--version'], code: 2, message: /argument missing/ },
  // Versions
  { args: rel('--version', '2.1'), code: 2, message: /--version must be a semantic version such as 2\.1\.0 \(got "2\.1"\)/ },
  { args: ['publish', 'release', '--channel', 'stable', '--asset', `linux-x64=${asset}`], code: 2, message: /missing --version/ },
  { args: rel('--min-version', 'one'), code: 2, message: /--min-version must be a semantic version/ },
  { args: rel('--max-version', 'v2.0.0'), code: 2, message: /--max-version must be a semantic version/ },
  { args: [...releaseWith(`linux-x64=${asset}`, '--url', 'https://cdn.example.com'), '--version', '3.0.0-beta.1'], code: 2, message: /not sent: release\.version a pre-release version cannot be published on the stable channel/ },
  // Assets
  { args: releaseWith('linux-x64=http://cdn.example.com/x.AppImage'), code: 2, message: /asset URL must be https: http:\/\/cdn\.example\.com\/x\.AppImage/ },
  { args: releaseWith('linux-x64=http://127.0.0.1:1/x.AppImage'), code: 2, message: /asset URL must be https/ },
  { args: releaseWith('linux-x64=ftp://cdn.example.com/x'), code: 2, message: /asset URL must be https/ },
  { args: releaseWith(`linux-x64=${asset}@http://cdn.example.com/x`), code: 2, message: /asset URL must be https/ },
  { args: releaseWith(`linux-x64=${asset}`, '--url', 'http://cdn.example.com'), code: 2, message: /--url must be an https URL/ },
  { args: releaseWith(`linux/x64=${asset}`), code: 2, message: /unknown platform "linux\/x64"/ },
  { args: releaseWith(asset), code: 2, message: /--asset must be platform=file or platform=url/ },
  { args: releaseWith(`linux-x64=${asset}`), code: 2, message: /say where clients download it: linux-x64=.*@https:\/\/…, or --url <base URL>/ },
  { args: [...rel(), '--asset', 'linux-x64=https://cdn.example.com/other'], code: 2, message: /--asset linux-x64 is given twice/ },
  { args: ['publish', 'release', '--channel', 'stable', '--version', '2.2.0'], code: 2, message: /a release needs at least one --asset/ },
  { args: releaseWith(`linux-x64=${join(dir, 'missing.bin')}`, '--url', 'https://cdn.example.com'), code: 1, message: /asset file not found or not readable: .*missing\.bin/ },
  { args: releaseWith(`linux-x64=${dir}`, '--url', 'https://cdn.example.com'), code: 1, message: /asset file not found or not readable/ },
  // Channels and targeting
  { args: ['publish', 'release', '--channel', '../etc', '--version', '2.2.0'], code: 2, message: /invalid channel name "\.\.\/etc"/ },
  { args: ['publish', 'news', '--channel', 'a b', '--title', 'x'], code: 2, message: /invalid channel name "a b"/ },
  { args: ['publish', 'news', '--channel', 'news', '--channel', 'beta', '--title', 'x'], code: 2, message: /give --channel once/ },
  { args: ['publish', 'news', '--title', 'x'], code: 2, message: /missing --channel/ },
  { args: rel('--rollout', '140'), code: 2, message: /--rollout must be a whole percentage 0–100 \(got "140"\)/ },
  { args: rel('--rollout', '10%'), code: 2, message: /--rollout must be a whole percentage/ },
  { args: rel('--platform', 'amiga'), code: 2, message: /unknown platform "amiga"/ },
  { args: rel('--id', 'has space'), code: 2, message: /--id must be 1–64 letters/ },
  { args: rel('--title', 'x'.repeat(201)), code: 2, message: /not sent: title must be at most 200 characters/ },
  // Expiry
  { args: rel('--expires', 'someday'), code: 2, message: /--expires must be a duration like 30d \/ 12h or a date like 2027-01-31, got "someday"/ },
  { args: rel('--expires', '2001-01-01'), code: 2, message: /--expires 2001-01-01 is in the past/ },
  // Files: key, notes, body
  { args: rel('--key', join(dir, 'nope.key')), code: 1, message: /key file not found or not readable: .*nope\.key/ },
  { args: rel('--key', join(dir, 'not-a-key.pem')), code: 1, message: /not-a-key\.pem is not an Ed25519 private key/ },
  { args: rel(), code: 2, message: /a signing key is needed: --key <file> or TIDINGS_KEY_FILE/, env: { TIDINGS_KEY_FILE: '' } },
  { args: rel('--notes', join(dir, 'nope.md')), code: 1, message: /cannot read --notes file: .*nope\.md/ },
  { args: rel('--notes', dir), code: 1, message: /cannot read --notes file/ },
  { args: ['publish', 'news', '--channel', 'news', '--title', 'x', '--body-file', join(dir, 'nope.md')], code: 1, message: /cannot read --body-file file/ },
  { args: ['publish', 'news', '--channel', 'news', '--title', 'x', '--body', 'a', '--body-file', notes], code: 2, message: /either --body or --body-file, not both/ },
  { args: ['publish', 'news', '--channel', 'news', '--body', 'no title'], code: 2, message: /missing --title/ },
  { args: ['publish', 'news', '--channel', 'news', '--title', 'x', '--body-file', join(dir, 'nul.md')], code: 2, message: /not sent: body must not contain NUL characters/ },
  // Server and token
  { args: rel(), code: 2, message: /missing --server <url> \(or TIDINGS_SERVER\)/, env: { TIDINGS_SERVER: '' } },
  { args: rel('--server', 'http://feed.example.com'), code: 2, message: /--server must be an https URL \(or http on localhost\)/ },
  { args: rel(), code: 2, message: /missing --token \(or TIDINGS_TOKEN\)/, env: { TIDINGS_TOKEN: '' } },
  // Retract and list
  { args: ['retract', '--channel', 'stable'], code: 2, message: /missing the id of the message to retract/ },
  { args: ['retract', 'a/b', '--channel', 'stable'], code: 2, message: /"a\/b" is not a message id/ },
  { args: ['list', '--channel', 'news', '--limit', '0'], code: 2, message: /--limit must be 1–100, got "0"/ },
  { args: ['list', '--channel', 'news', '--limit', '500'], code: 2, message: /--limit must be 1–100/ },
  { args: ['list', '--channel', 'news', '--after=-1'], code: 2, message: /--after must be a seq number \(0 or more\), got "-1"/ },
  { args: ['list', '--channel', 'news', '--after', '-1'], code: 2, message: /Option '--after' argument is ambiguous\. .*'--after=-XYZ'/ },
  // Local database commands
  { args: ['token', 'create', '--db', join(dir, 'feed.db')], code: 2, message: /token create needs --scope read or --scope publish/ },
  { args: ['token', 'create', '--db', join(dir, 'feed.db'), '--scope', 'owner'], code: 2, message: /unknown scope "owner": use read, publish or admin/ },
  { args: ['token', 'create', '--db', join(dir, 'feed.db'), '--scope', 'admin', '--channel', 'stable'], code: 2, message: /an admin token covers every channel/ },
  { args: ['token', 'create', '--db', join(dir, 'feed.db'), '--scope', 'read', '--channel', '../x'], code: 2, message: /invalid channel name "\.\.\/x"/ },
  { args: ['token', 'create', '--scope', 'read'], code: 2, message: /token create needs --db/ },
  { args: ['token', 'list', '--db', join(dir, 'typo.db')], code: 1, message: /no feed database at .*typo\.db/ },
  { args: ['token', 'revoke', '--db', join(dir, 'typo.db')], code: 2, message: /token revoke needs the token id/ },
  { args: ['key', 'list', '--db', join(dir, 'typo.db')], code: 1, message: /no feed database at .*typo\.db/ },
  { args: ['key', 'add', 'not-base64', '--db', join(dir, 'feed.db')], code: 2, message: /key add needs a public key: standard base64 of 32 bytes/ },
  { args: ['key', 'add', 'A'.repeat(43) + '=', '--db', join(dir, 'no', 'such', 'dir', 'feed.db')], code: 1, message: /cannot open the feed database/ },
  { args: ['keygen'], code: 2, message: /keygen needs --out <file>/ },
  { args: ['keygen', '--out', join(dir, 'no', 'such', 'dir', 'k')], code: 1, message: /cannot write the key file/ },
];

test('each bad invocation: one clear line, the right exit code, nothing sent', async () => {
  for (const c of cases) {
    const r = await cli(c.args, { ...env, ...c.env });
    const what = c.args.join(' ');
    assert.equal(r.code, c.code, `${what}: ${r.stderr}`);
    assert.match(oneLine(r), c.message, what);
    assert.match(r.stderr, /^tidings: /, what);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    if (c.code === 2) assert.match(r.stderr, /\(see tidings [a-z ]*--help\)\n$/, `${what}: points at help`);
  }
  assert.deepEqual(received, [], 'nothing reached the feed');
  assert.ok(!existsSync(join(dir, 'feed.db')), 'no database created by a refused command');
  assert.ok(!existsSync(join(dir, 'typo.db')), 'listing a mistyped database does not create it');
});

test('--json errors are one JSON document on stdout with the message and the field', async () => {
  const usage = await cli([...rel('--rollout', '140'), '--json'], env);
  assert.equal(usage.code, 2);
  assert.deepEqual(JSON.parse(usage.stdout), { error: { message: '--rollout must be a whole percentage 0–100 (got "140")', field: 'rollout' } });
  const schema = await cli(['publish', 'release', '--channel', 'stable', '--version', '3.0.0-rc.1', '--asset', 'linux-x64=https://cdn.example.com/x', '--json'], env);
  assert.equal(schema.code, 2);
  assert.equal((JSON.parse(schema.stdout) as { error: { field: string } }).error.field, 'release.version');
  const failure = await cli([...rel('--key', join(dir, 'nope.key')), '--json'], env);
  assert.equal(failure.code, 1);
  assert.deepEqual(JSON.parse(failure.stdout), { error: { message: `key file not found or not readable: ${join(dir, 'nope.key')}`, field: 'key' } });
  const server = await cli(['list', '--channel', 'x', '--json'], env);
  assert.equal(server.code, 1, 'a 500 from the feed is a failure');
  assert.match((JSON.parse(server.stdout) as { error: { message: string } }).error.message, /^the feed refused it \(HTTP 500\)/);
  received.length = 0;
});

test('a download that fails or redirects to http is refused before anything is sent', async () => {
  const assets = await httpServer((req, res) => {
    if (req.url === '/redirect') res.writeHead(302, { location: 'http://example.com/x' }).end();
    else if (req.url === '/short') { res.writeHead(200, { 'content-length': 100 }); res.end('only a few bytes'); }
    else res.writeHead(404).end();
  });
  try {
    const missing = await cli(releaseWith(`linux-x64=${assets.url}/missing.exe`, '--allow-insecure-loopback'), env);
    assert.equal(missing.code, 1);
    assert.equal(oneLine(missing), `tidings: could not download ${assets.url}/missing.exe: HTTP 404`);
    const short = await cli(releaseWith(`linux-x64=${assets.url}/short`, '--allow-insecure-loopback'), env);
    assert.equal(short.code, 1);
    assert.match(oneLine(short), new RegExp(`download of ${assets.url}/short (ended early|failed)`));
    const redirect = await cli(releaseWith(`linux-x64=${assets.url}/redirect`, '--allow-insecure-loopback'), env);
    assert.equal(redirect.code, 1);
    assert.match(oneLine(redirect), /redirected to a non-https address: http:\/\/example\.com\/x/);
  } finally {
    await assets.close();
  }
  assert.deepEqual(received, []);
});

test('--help and per-command help; the npm bin shim runs the same CLI', async () => {
  const top = await cli(['--help']);
  assert.equal(top.code, 0);
  for (const c of ['keygen', 'key add', 'token create', 'token list', 'token revoke', 'publish release', 'publish news', 'retract', 'list', 'export']) {
    assert.match(top.stdout, new RegExp(`tidings ${c} `), c);
  }
  assert.equal((await cli([])).stdout, top.stdout, 'no command prints the help');
  const release = await cli(['publish', 'release', '--help']);
  assert.equal(release.code, 0);
  assert.match(release.stdout, /^tidings publish release --channel stable --version 2\.1\.0/);
  assert.match(release.stdout, /--rollout N\s+offer to N % of installs/);
  assert.doesNotMatch(release.stdout, /token create/);
  assert.equal((await cli(['help', 'publish', 'release'])).stdout, release.stdout);
  const token = await cli(['token', 'create', '-h']);
  assert.match(token.stdout, /^tidings token create --db/);
  const group = await cli(['token', '--help']);
  assert.equal(group.stdout, top.stdout);

  const version = await cli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^tidings \d+\.\d+\.\d+\n$/);

  const shim = await cli(['--help'], {}, 'server/cli/bin.mjs');
  assert.equal(shim.code, 0, shim.stderr);
  assert.equal(shim.stdout, top.stdout);
  const shimErr = await cli(['nope'], {}, 'server/cli/bin.mjs');
  assert.equal(shimErr.code, 2);
});
