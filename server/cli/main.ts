// `tidings`: the publisher CLI. Usage errors exit 2, failures exit 1, each with one plain line on stderr.
import { readFileSync } from 'node:fs';
import { CliError, UsageError } from './errors.ts';
import { makeOut } from './output.ts';
import { parse, checkFlags, helpText } from './args.ts';
import { keygen, keyCommand } from './keys.ts';
import { tokenCommand } from './tokens.ts';
import { publishNews, publishRelease, retract, list, type PublishFlags } from './publish.ts';
import { exportCommand } from './export.ts';
import { keyRotate } from './key-rotate.ts';

/** The command being run, for the "see … --help" hint on a usage error. */
let current: string | null = null;

async function run(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`tidings ${pkg.version}\n`);
    return;
  }
  const parsed = parse(argv);
  const { command, args, values: v, help } = parsed;
  current = command;
  checkFlags(parsed);
  if (help || command === null) {
    process.stdout.write(helpText(command));
    return;
  }
  const out = makeOut(v.json ?? false);
  const db = v.db ?? process.env.TIDINGS_DB;
  const channels = (v.channel ?? []).flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean);
  if (channels.length > 1 && command !== 'token create') throw new UsageError('give --channel once');
  const flags: PublishFlags = {
    ...v,
    server: v.server ?? process.env.TIDINGS_SERVER,
    token: v.token ?? process.env.TIDINGS_TOKEN,
    key: v.key ?? process.env.TIDINGS_KEY_FILE,
    channel: channels[0],
  };
  switch (command) {
    case 'keygen': return keygen(out, v.out, v.force ?? false);
    case 'key add': return keyCommand(out, 'add', args, db, v.name);
    case 'key list': return keyCommand(out, 'list', args, db, v.name);
    case 'key rotate': return keyRotate({ ...v, server: flags.server, token: flags.token }, out);
    case 'token create': return tokenCommand(out, 'create', args, { db, scope: v.scope, channel: channels, name: v.name });
    case 'token list': return tokenCommand(out, 'list', args, { db });
    case 'token revoke': return tokenCommand(out, 'revoke', args, { db });
    case 'publish release': return publishRelease(flags, out);
    case 'publish news': return publishNews(flags, out);
    case 'retract': return retract(flags, args, out);
    case 'list': return list(flags, out);
    case 'export': return exportCommand(out, { db, out: v.out, 'keep-old': v['keep-old'] });
    default: throw new UsageError(`unknown command "${command}"`);
  }
}

try {
  await run(process.argv.slice(2));
} catch (err) {
  const json = process.argv.includes('--json');
  const usage = err instanceof UsageError;
  const known = usage || err instanceof CliError;
  const message = (known ? (err as Error).message : `unexpected error: ${(err as Error).message}`).replace(/\s*\n\s*/g, ' ');
  if (json) process.stdout.write(`${JSON.stringify({ error: { message, ...(err instanceof CliError && err.field ? { field: err.field } : {}) } })}\n`);
  process.stderr.write(`tidings: ${message}${usage ? ` (see tidings ${current ? `${current} ` : ''}--help)` : ''}\n`);
  process.exitCode = usage ? 2 : 1;
}
