// Command line parsing for `tidings`: one table of commands, the flags each accepts and its help text.
// A flag that a command does not use is refused rather than silently ignored.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

export const options = {
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
  'patch-from': { type: 'string', multiple: true },
  'chunk-map': { type: 'boolean' },
  old: { type: 'string', multiple: true },
  new: { type: 'string', multiple: true },
  threshold: { type: 'string' },
  revoke: { type: 'string', multiple: true },
} as const;

export type Flag = keyof typeof options;
export type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>['values'];

interface Spec {
  /** Flags this command accepts besides --help and --json. */
  flags: Flag[];
  /** Positional arguments after the command words (at most). */
  args: number;
  help: string;
}

const SEND: Flag[] = ['server', 'token', 'key'];
const COMMON = `Server, token and key also come from TIDINGS_SERVER, TIDINGS_TOKEN and TIDINGS_KEY_FILE.
--json prints one JSON document on stdout (errors too: { "error": { "message", "field" } }).`;

export const COMMANDS: Record<string, Spec> = {
  keygen: {
    flags: ['out', 'force'], args: 0,
    help: `tidings keygen --out publisher.key [--force]

Creates an Ed25519 signing key. The private key is written to --out (PKCS#8 PEM, mode 0600); an existing
file is never replaced without --force. Prints the public key (base64) to build into the app and trust on
the feed service, and its key id.`,
  },
  'key add': {
    flags: ['db', 'name'], args: 1,
    help: `tidings key add <public key> --db ./feed.db [--name n]

Trusts a publisher public key (standard base64 of 32 bytes, as printed by keygen) on a local feed service.
--db is the service's SQLite file or a postgres:// URL (or TIDINGS_DB).`,
  },
  'key rotate': {
    flags: ['server', 'token', 'old', 'new', 'threshold', 'revoke', 'out'], args: 0,
    help: `tidings key rotate --old current.key [--old …] --new next.key [--new …] [--threshold k] [--revoke <key id>]…

Replaces the publisher's signing key without stranding any install (docs/key-rotation.md). Signs the next
key rotation statement with every --old key (as many as the current threshold asks for) and every --new key
(proof that you hold them), and publishes it to the feed with a publish token that covers every channel.
  --new file          a key of the new set (repeat for each; the new set is exactly these keys)
  --threshold k       signatures the next rotation will need from the new set (default 1)
  --revoke id         a key that must not be believed from now on (lost or stolen); its records issued
                      before this rotation stay valid
  --out file          also write the signed statement to this file
Installs with only an older key follow the chain of rotations at their next check, however many they missed.`,
  },
  'key list': { flags: ['db'], args: 0, help: 'tidings key list --db ./feed.db\n\nLists the publisher keys the feed service trusts.' },
  'token create': {
    flags: ['db', 'scope', 'channel', 'name'], args: 0,
    help: `tidings token create --db ./feed.db --scope read|publish [--scope …] [--channel c]… [--name n]

Creates an access token and prints it once (only its hash is stored). --scope and --channel may be
repeated or given as a comma list; without --channel the token covers every channel.`,
  },
  'token list': { flags: ['db'], args: 0, help: 'tidings token list --db ./feed.db\n\nLists tokens: id, name, scopes, channels, created, revoked.' },
  'token revoke': { flags: ['db'], args: 1, help: 'tidings token revoke <token id> --db ./feed.db\n\nRevokes a token (ids as shown by token list).' },
  'publish release': {
    flags: [...SEND, 'channel', 'version', 'title', 'notes', 'asset', 'url', 'critical', 'rollout', 'platform', 'min-version', 'max-version', 'expires', 'id', 'allow-insecure-loopback', 'patch-from', 'chunk-map'],
    args: 0,
    help: `tidings publish release --channel stable --version 2.1.0 --notes notes.md --asset <platform>=<file or URL>…

  --asset linux-x64=./Tidings-2.1.0.AppImage --url https://cdn.example.com/2.1.0
                             hash a local file; clients download <--url>/<file name>
  --asset linux-x64=./Tidings-2.1.0.AppImage@https://cdn.example.com/Tidings.AppImage
                             hash a local file; clients download the URL after @
  --asset win32-x64=https://cdn.example.com/Tidings-2.1.0.exe
                             download the URL and hash it (https only)
  --title t                  default "Version <version>"
  --notes file.md            release notes (Markdown)
  --critical                 cannot be skipped, always notifies
  --rollout N                offer to N % of installs (0–100)
  --platform p …             only for these platforms (linux-x64, win32-x64, darwin-arm64, …)
  --min-version v / --max-version v   only for installs within this version range
  --expires 30d|12h|2027-01-31        clients stop trusting the offer after this unless renewed
  --id id                    message id (default: a new UUID); the same id and record again is a safe retry
  --patch-from [platform@]version=old-file   (repeatable, up to 5 per asset) write <asset>.from-<version>.patch
                             beside the local asset, signed in the record: installs of that version download
                             only it (docs/delta.md); upload it beside the asset
  --chunk-map                write <asset>.chunks (implied by --patch-from): other installs fetch only the
                             chunks they lack, by Range
  --allow-insecure-loopback  accept http:// asset URLs on localhost (development and tests)
  --server, --token, --key   feed URL, publish token, private key file`,
  },
  'publish news': {
    flags: [...SEND, 'channel', 'title', 'body', 'body-file', 'expires', 'id'], args: 0,
    help: `tidings publish news --channel news --title "…" (--body "…" | --body-file post.md) [--expires 30d] [--id id]

Posts a signed news item (Markdown body) to a news channel.`,
  },
  retract: {
    flags: [...SEND, 'channel', 'id'], args: 1,
    help: `tidings retract <message id> --channel c

Publishes a signed retraction: clients hide the message and withdraw an update offer built on it.
--id sets the retraction's own id (default: a new UUID).`,
  },
  list: {
    flags: ['server', 'token', 'channel', 'after', 'limit'], args: 0,
    help: `tidings list --channel c [--after seq] [--limit 1..100]

Lists a channel's messages as readers see them (retracted ones are skipped). --token is needed when the
feed is not public (a read or publish token).`,
  },
  export: {
    flags: ['db', 'out', 'keep-old'], args: 0,
    help: `tidings export --db ./feed.db --out ./public [--keep-old seconds]

Writes the feed as static files (v1/index.json and pages) for any static host or CDN.`,
  },
};

export const HELP = `tidings — publish releases and news to a Tidings feed

  tidings keygen --out publisher.key [--force]
  tidings key add <public key> --db <db> [--name n]      trust a publisher key on a local service
  tidings key list --db <db>
  tidings key rotate --old current.key --new next.key [--threshold k] [--revoke <key id>]   replace the signing key
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

Each command has its own help: tidings publish release --help. tidings --version prints the version.
${COMMON}
--allow-insecure-loopback accepts http:// asset URLs on localhost (for testing). <db> is a SQLite file or a
postgres:// URL (or TIDINGS_DB).
`;

export interface Parsed {
  /** The command key in COMMANDS ("publish release"), or null for the general help. */
  command: string | null;
  args: string[];
  values: Values;
  help: boolean;
}

const GROUPS = new Set(['key', 'token', 'publish']);

/** Parses argv; throws UsageError for unknown commands or flags, or flags the command does not use. */
export function parse(argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\s*\n\s*/g, ' ').trim() || 'bad arguments');
  }
  const values = parsed.values;
  let words = parsed.positionals;
  let help = values.help ?? false;
  if (words[0] === 'help') {
    help = true;
    words = words.slice(1);
  }
  if (words.length === 0) return { command: null, args: [], values, help: true };
  const [first = '', second] = words;
  if (GROUPS.has(first)) {
    const subs = Object.keys(COMMANDS).filter((c) => c.startsWith(`${first} `)).map((c) => c.slice(first.length + 1));
    if (second === undefined) {
      if (help) return { command: null, args: [], values, help: true };
      throw new UsageError(`"tidings ${first}" needs one of: ${subs.join(', ')}`);
    }
    if (!subs.includes(second)) throw new UsageError(`unknown command "tidings ${first} ${second}" (use one of: ${subs.join(', ')})`);
  } else if (!(first in COMMANDS)) {
    throw new UsageError(`unknown command "${first}"`);
  }
  const command = GROUPS.has(first) ? `${first} ${String(second)}` : first;
  const args = words.slice(GROUPS.has(first) ? 2 : 1);
  return { command, args, values, help };
}

/** Refuses flags the command does not use, and extra arguments. */
export function checkFlags(p: Parsed): void {
  if (p.command === null || p.help) return;
  const spec = COMMANDS[p.command] as Spec;
  for (const flag of Object.keys(p.values) as Flag[]) {
    if (flag === 'help' || flag === 'json') continue;
    if (!spec.flags.includes(flag)) throw new UsageError(`--${flag} is not an option of "tidings ${p.command}"`, flag);
  }
  if (p.args.length > spec.args) throw new UsageError(`unexpected argument "${p.args[spec.args]}" for "tidings ${p.command}"`);
}

export function helpText(command: string | null): string {
  if (command === null) return HELP;
  return `${(COMMANDS[command] as Spec).help}\n\n${COMMON}\n`;
}
