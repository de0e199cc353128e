// `tidings`: the publisher CLI. Usage errors exit 2, failures exit 1, each with one plain line on stderr.
import { parseArgs } from 'node:util';
import { CliError, UsageError } from './errors.ts';
import { makeOut } from './output.ts';
import { keygen, keyCommand } from './keys.ts';
import { tokenCommand } from './tokens.ts';
import { publishNews, publishRelease, retract, list, type PublishFlags } from './publish.ts';
import { exportCommand } from './export.ts';

const HELP = `tidings — publish releases and news to a Tidings feed

  tidings keygen --out publisher.key [--force]
  tidings key add <public key> --db <db> [--name n]      trust a publisher key on a local service
  tidings key list --db <db>
  tidings token create --db <db> --scope read|publish [--channel c]… [--name n]
  tidings token list --db <db>
  tidings token revoke <token id> --db <db>
  tidings publish release --channel stable --version 2.1.0 --notes notes.md
        --asset linux-x64=./Tidings-2.1.0.AppImage --url https://cdn.example.com/2.1.0
        [--asset win32-x64=https://cdn.example.com/Tidings-2.1.0.exe] [--asset darwin-arm64=./x.dmg@https://…]
        [--title t] [--critical] [--rollout 10] [--platform linux-x64]… [--min-version v] [--max-version v]
        [--expires 30d|2027-01-31] [--id id]
  tidings publish news --channel news --title "…" (--body "…" | --body-file post.md) [--expires 30d]
  tidings retract <message id> --channel c
  tidings list --channel c [--after seq] [--limit n]
  tidings export --db <db> --out ./public [--keep-old seconds]

Common: --server <url> (TIDINGS_SERVER), --token <t> (TIDINGS_TOKEN), --key <file> (TIDINGS_KEY_FILE),
        --json (machine-readable output), --allow-insecure-loopback (http:// assets on localhost, for testing).
<db> is a SQLite file or a postgres:// URL.
`;

const options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  db: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  name: { type: 'string' },
  scope: { type: 'string', multiple: true },
  server: { type: 'string' },
  token: { type: 'string' },
  key: { type: 'string' },
  channel: { type: 'string', multiple: true },
  version: { type: 'string' },
  title: { type: 'string' },
  notes: { type: 'string' },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  asset: { type: 'string', multiple: true },
  url: { type: 'string' },
  critical: { type: 'boolean' },
  rollout: { type: 'string' },
  platform: { type: 'string', multiple: true },
  'min-version': { type: 'string' },
  'max-version': { type: 'string' },
  expires: { type: 'string' },
  id: { type: 'string' },
  'allow-insecure-loopback': { type: 'boolean' },
  after: { type: 'string' },
  limit: { type: 'string' },
  'keep-old': { type: 'string' },
} as const;

async function run(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  const v = parsed.values;
  const [cmd, sub, ...rest] = parsed.positionals;
  const out = makeOut(v.json ?? false);
  if (v.help || !cmd || cmd === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const channels = v.channel ?? [];
  const flags: PublishFlags = {
    ...v,
    server: v.server ?? process.env.TIDINGS_SERVER,
    token: v.token ?? process.env.TIDINGS_TOKEN,
    key: v.key ?? process.env.TIDINGS_KEY_FILE,
    channel: channels.length > 1 ? undefined : channels[0],
  };
  if (channels.length > 1 && cmd !== 'token') throw new UsageError('give --channel once');
  switch (cmd) {
    case 'keygen': return keygen(out, v.out, v.force ?? false);
    case 'key': return keyCommand(out, sub, rest, v.db ?? process.env.TIDINGS_DB, v.name);
    case 'token': return tokenCommand(out, sub, rest, { db: v.db ?? process.env.TIDINGS_DB, scope: v.scope, channel: v.channel, name: v.name });
    case 'publish':
      if (sub === 'release') return publishRelease(flags, out);
      if (sub === 'news') return publishNews(flags, out);
      throw new UsageError('usage: tidings publish release|news …');
    case 'retract': return retract(flags, sub ? [sub, ...rest] : rest, out);
    case 'list': return list(flags, out);
    case 'export': return exportCommand(out, { db: v.db ?? process.env.TIDINGS_DB, out: v.out, 'keep-old': v['keep-old'] });
    default: throw new UsageError(`unknown command "${cmd}" (see tidings --help)`);
  }
}

try {
  await run(process.argv.slice(2));
} catch (err) {
  const json = process.argv.includes('--json');
  const usage = err instanceof UsageError;
  const known = usage || err instanceof CliError;
  const message = known ? (err as Error).message : `unexpected error: ${(err as Error).message}`;
  if (json) process.stdout.write(`${JSON.stringify({ error: { message, ...(err instanceof CliError && err.field ? { field: err.field } : {}) } })}\n`);
  process.stderr.write(`tidings: ${message}${usage ? ' (see tidings --help)' : ''}\n`);
  process.exitCode = usage ? 2 : 1;
}
