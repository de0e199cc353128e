// The publisher CLI's pure parts, in process: argument parsing, --expires, the progress line (TTY and
// not), and hashing of files and downloads (redirect rules).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, checkFlags, helpText, COMMANDS } from '../../server/cli/args.ts';
import { UsageError, CliError } from '../../server/cli/errors.ts';
import { parseExpires } from '../../server/cli/publish.ts';
import { progress, PROGRESS_MIN_BYTES } from '../../server/cli/output.ts';
import { hashFile, hashUrl } from '../../server/cli/hash.ts';
import { httpServer } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tidings-cli-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('parse: commands, group subcommands, repeated flags, help', () => {
  const p = parse(['publish', 'release', '--asset', 'a=b', '--asset', 'c=d', '--channel', 'stable', '--critical']);
  assert.equal(p.command, 'publish release');
  assert.deepEqual(p.values.asset, ['a=b', 'c=d']);
  assert.equal(p.values.critical, true);
  checkFlags(p);
  assert.deepEqual(parse(['retract', 'abc', '--channel', 'x']).args, ['abc']);
  assert.equal(parse([]).help, true);
  assert.equal(parse(['help', 'list']).command, 'list');
  assert.equal(parse(['list', '-h']).help, true);
  assert.throws(() => parse(['publish']), UsageError);
  assert.throws(() => parse(['what']), /unknown command "what"/);
  assert.throws(() => checkFlags(parse(['list', '--channel', 'c', '--critical'])), /--critical is not an option of "tidings list"/);
  assert.throws(() => checkFlags(parse(['token', 'revoke', 'a', 'b', '--db', 'x'])), /unexpected argument "b"/);
  // Every command's help starts with its own usage line; every flag a command accepts is in its help.
  for (const [name, spec] of Object.entries(COMMANDS)) {
    const text = helpText(name);
    assert.ok(text.startsWith(`tidings ${name}`), name);
    for (const f of spec.flags) {
      if (f === 'server' || f === 'token' || f === 'key' || f === 'db') continue;
      assert.ok(text.includes(`--${f}`), `${name} help mentions --${f}`);
    }
  }
});

test('parseExpires: durations from now, ISO dates, refusals', () => {
  assert.equal(parseExpires('30d', 1_000), 1_000 + 30 * 86_400);
  assert.equal(parseExpires('12h', 1_000), 1_000 + 12 * 3_600);
  assert.equal(parseExpires('90m', 1_000), 1_000 + 90 * 60);
  assert.equal(parseExpires('2030-01-31', 1_000), Date.UTC(2030, 0, 31) / 1000);
  assert.equal(parseExpires('2030-01-31T12:00:00Z', 1_000), Date.UTC(2030, 0, 31, 12) / 1000);
  for (const bad of ['30 days', 'tomorrow', '2030-13-45', '1.5d', '-3d', 'Jan 5']) assert.throws(() => parseExpires(bad, 1_000), /--expires must be a duration/, bad);
  assert.throws(() => parseExpires('1999-01-01', 2_000_000_000), /is in the past/);
  assert.throws(() => parseExpires('0d', 1_000), /is in the past/);
});

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

test('progress: nothing for small files; one line per 10 % off a terminal', () => {
  const small = fakeStream(false);
  const p = progress('hashing a', 1000, small.stream);
  for (let d = 0; d <= 1000; d += 10) p.update(d);
  p.end();
  assert.deepEqual(small.writes, []);

  const total = PROGRESS_MIN_BYTES * 2;
  const big = fakeStream(false);
  const q = progress('hashing b', total, big.stream);
  for (let d = 65_536; d < total; d += 65_536) q.update(d);
  q.update(total);
  q.end();
  assert.equal(big.writes.length, 11, big.writes.join(''));
  assert.equal(big.writes.at(-1), 'hashing b: 100 % of 16.0 MB\n');
  assert.ok(big.writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
});

test('progress: on a terminal the line is rewritten in place, throttled, and ended', () => {
  const total = PROGRESS_MIN_BYTES * 4;
  const tty = fakeStream(true);
  const p = progress('downloading c', total, tty.stream);
  // Hundreds of chunks within a few milliseconds: the first and the final state are drawn.
  for (let d = 65_536; d <= total; d += 65_536) p.update(d);
  p.end();
  assert.equal(tty.writes.length, 3, JSON.stringify(tty.writes));
  assert.match(tty.writes[0] as string, /^\rdownloading c: 0\.1 of 32\.0 MB \(0 %\)\s*$/);
  assert.match(tty.writes[1] as string, /^\rdownloading c: 32\.0 of 32\.0 MB \(100 %\)\s*$/);
  assert.equal(tty.writes[2], '\n');

  // Unknown size (no Content-Length): sizes without a percentage, and the line still ends.
  const unknown = fakeStream(true);
  const u = progress('downloading d', null, unknown.stream);
  u.update(PROGRESS_MIN_BYTES + 1);
  u.end();
  assert.match(unknown.writes[0] as string, /^\rdownloading d: 8\.0 MB\s*$/);
  assert.equal(unknown.writes.at(-1), '\n');
});

test('hashFile and hashUrl: the same bytes give the same sha256 and size; redirects stay on https or allowed loopback', async () => {
  const bytes = Buffer.from('release bytes\n'.repeat(1000));
  const file = join(dir, 'asset.bin');
  writeFileSync(file, bytes);
  const want = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  assert.deepEqual(await hashFile(file), want);
  await assert.rejects(hashFile(join(dir, 'missing')), CliError);

  const srv = await httpServer((req, res) => {
    if (req.url === '/hop1') res.writeHead(301, { location: '/hop2' }).end();
    else if (req.url === '/hop2') res.writeHead(307, { location: '/file' }).end();
    else if (req.url === '/loop') res.writeHead(302, { location: '/loop' }).end();
    else if (req.url === '/file') res.writeHead(200).end(bytes); // chunked: no Content-Length
    else res.writeHead(404).end();
  });
  try {
    assert.deepEqual(await hashUrl(`${srv.url}/file`, true), want);
    assert.deepEqual(await hashUrl(`${srv.url}/hop1`, true), want, 'relative redirects are followed');
    await assert.rejects(hashUrl(`${srv.url}/loop`, true), /more than 10 redirects/);
    await assert.rejects(hashUrl(`${srv.url}/file`, false), /asset URL must be https/);
  } finally {
    await srv.close();
  }
});
