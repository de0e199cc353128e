// `tidings key rotate` as a publisher runs it: a child process against a real feed service, key files on
// disk. Three rotations (one to a 2-of-3 set, one revoking a key), and the refusals a publisher can meet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, type SigningKey } from '../../shared/protocol/signing.ts';
import { signingKeyPem } from '../../shared/node/keys.ts';
import { news, startFeed, type Feed } from './helpers.ts';
import { cli, oneLine } from './cli-helpers.ts';

function keyFile(dir: string, name: string, key: SigningKey & { pkcs8?: Uint8Array }): string {
  const file = join(dir, `${name}.key`);
  writeFileSync(file, signingKeyPem(key.pkcs8 as Uint8Array), { mode: 0o600 });
  return file;
}

type Held = { file: string; key: SigningKey };
type Five = [Held, Held, Held, Held, Held];

const chain = async (feed: Feed) => ((await (await feed.get('/v1/keys')).json()) as { statements: { seq: number; keys: string[]; threshold: number; revoked: string[] }[] }).statements;

test('key rotate: three rotations through the CLI, a 2-of-3 set among them, and a revocation', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  const env = { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: feed.publishToken };
  const k0 = keyFile(feed.dir, 'k0', feed.key);
  const keys = await Promise.all(['k1', 'a', 'b', 'c', 'd'].map(async (n) => ({ n, key: await generateSigningKey() })));
  const [k1, a, b, c, d] = keys.map(({ n, key }) => ({ file: keyFile(feed.dir, n, key), key })) as unknown as Five;

  const first = await cli(['key', 'rotate', '--old', k0, '--new', k1.file], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^Key rotation 1 published: the signing keys are now ${k1.key.keyId} \\(1 of 1 needed for the next rotation\\)\\.`));
  assert.match(first.stdout, /Sign new releases with .*k1\.key/);

  const out = join(feed.dir, 'rotation-2.json');
  const second = await cli(['key', 'rotate', '--old', k1.file, '--new', a.file, '--new', b.file, '--new', c.file, '--threshold', '2', '--out', out, '--json'], env);
  assert.equal(second.code, 0, second.stderr);
  const result = JSON.parse(second.stdout) as { seq: number; threshold: number; keys: string[] };
  assert.deepEqual([result.seq, result.threshold, result.keys], [2, 2, [a.key.keyId, b.key.keyId, c.key.keyId]]);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).seq, 2, '--out wrote the signed statement');

  // One key of a 2-of-3 set is not enough: refused before anything is sent.
  const alone = await cli(['key', 'rotate', '--old', a.file, '--new', d.file], env);
  assert.equal(alone.code, 1);
  assert.match(oneLine(alone), /^tidings: not sent: the statement is signed by 1 of the trusted keys; 2 needed \(current keys: /);
  assert.equal((await chain(feed)).length, 2);

  const third = await cli(['key', 'rotate', '--old', a.file, '--old', b.file, '--new', d.file, '--revoke', a.key.keyId], env);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, new RegExp(`Revoked: ${a.key.keyId}\\. Installs refuse anything it signs from now on\\.`));
  const statements = await chain(feed);
  assert.deepEqual(statements.map((s) => [s.seq, s.keys.length, s.threshold, s.revoked]), [[1, 1, 1, []], [2, 3, 2, []], [3, 1, 1, [a.key.keyId]]]);

  // What the feed now accepts: only d.
  assert.equal((await feed.publish(news('news', 'from d'), { key: d.key })).status, 201);
  assert.equal((await feed.publish(news('news', 'from a'), { key: a.key })).status, 422);
  assert.equal((await feed.publish(news('news', 'from k0'))).status, 422);
});

test('key rotate: usage errors and refusals are one plain line, and nothing is stored', async (t) => {
  const feed = await startFeed();
  t.after(() => feed.close());
  const env = { TIDINGS_SERVER: feed.url, TIDINGS_TOKEN: feed.publishToken };
  const k0 = keyFile(feed.dir, 'k0', feed.key);
  const k1 = keyFile(feed.dir, 'k1', await generateSigningKey());
  const stranger = keyFile(feed.dir, 'stranger', await generateSigningKey());

  const cases: [string[], Record<string, string>, number, RegExp][] = [
    [['--old', k0], env, 2, /missing --new <key file>/],
    [['--new', k1], env, 2, /missing --old <key file>/],
    [['--old', k0, '--new', k1, '--threshold', '2'], env, 2, /--threshold 2 needs at least 2 --new keys; 1 given/],
    [['--old', k0, '--new', k1, '--threshold', 'two'], env, 2, /--threshold must be a whole number/],
    [['--old', k0, '--new', k1, '--revoke', 'laptop'], env, 2, /--revoke takes a key id/],
    [['--old', k0, '--new', k1], { TIDINGS_SERVER: feed.url }, 2, /missing --token/],
    [['--old', join(feed.dir, 'nope.key'), '--new', k1], env, 1, /--old .*nope\.key: key file not found or not readable/],
    [['--old', k0, '--new', k1], { ...env, TIDINGS_TOKEN: feed.readToken }, 1, /lacks the publish scope/],
    // Signed by a key the feed does not trust: the feed's reason, word for word.
    [['--old', stranger, '--new', k1], env, 1, /the key statement is signed by 0 of the trusted keys; 1 needed/],
  ];
  for (const [args, e, code, line] of cases) {
    const r = await cli(['key', 'rotate', ...args], e);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(oneLine(r), line, args.join(' '));
  }
  assert.deepEqual(await chain(feed), []);
  const help = await cli(['key', 'rotate', '--help']);
  assert.match(help.stdout, /--revoke id/);
});
