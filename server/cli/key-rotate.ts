// `tidings key rotate`: signs the next key rotation statement (docs/key-rotation.md) with the old keys and
// the new ones, and publishes it to the feed (POST /v1/keys with the publish token). Whatever can be checked
// here is checked before anything is sent; the feed checks the rest against the chain it holds.
import { writeFileSync } from 'node:fs';
import { KEY_ID_PATTERN } from '../../shared/protocol/limits.ts';
import { chainSchema, checkStatement, MAX_SET_KEYS, signStatement, statementSchema, type KeySet, type StatementBody } from '../../shared/protocol/rotation.ts';
import { keyIdOf, type SigningKey } from '../../shared/protocol/signing.ts';
import { CliError, UsageError } from './errors.ts';
import { call, serverUrl } from './http.ts';
import { loadSigningKey } from './keys.ts';
import type { Out } from './output.ts';

export interface RotateFlags {
  server?: string | undefined;
  token?: string | undefined;
  old?: string[] | undefined;
  new?: string[] | undefined;
  threshold?: string | undefined;
  revoke?: string[] | undefined;
  out?: string | undefined;
}

async function loadAll(files: string[], flag: string): Promise<SigningKey[]> {
  const keys: SigningKey[] = [];
  for (const f of files) {
    try {
      keys.push(await loadSigningKey(f));
    } catch (err) {
      if (err instanceof CliError) throw new CliError(`--${flag} ${f}: ${err.message}`, flag);
      throw err;
    }
  }
  return keys;
}

/** The set the newest statement made (what the next one must be signed by), or null before the first one. */
function setOf(last: StatementBody | undefined): KeySet | null {
  if (!last) return null;
  return { seq: last.seq, keys: {}, threshold: last.threshold, issued: last.issued, retired: {}, revoked: last.revoked };
}

export async function keyRotate(v: RotateFlags, out: Out): Promise<void> {
  const server = serverUrl(v.server);
  if (!v.token) throw new UsageError('missing --token: a publish token that covers every channel (or TIDINGS_TOKEN)', 'token');
  if (!v.old?.length) throw new UsageError('missing --old <key file>: the current key (repeat --old for each key a threshold needs)', 'old');
  if (!v.new?.length) throw new UsageError('missing --new <key file>: the key that takes over (repeat --new for each key of the new set)', 'new');
  if (v.new.length > MAX_SET_KEYS) throw new UsageError(`at most ${MAX_SET_KEYS} --new keys`, 'new');
  let threshold = 1;
  if (v.threshold !== undefined) {
    if (!/^[0-9]{1,2}$/.test(v.threshold) || Number(v.threshold) < 1) throw new UsageError(`--threshold must be a whole number from 1 to ${v.new.length} (got "${v.threshold}")`, 'threshold');
    threshold = Number(v.threshold);
    if (threshold > v.new.length) throw new UsageError(`--threshold ${threshold} needs at least ${threshold} --new keys; ${v.new.length} given`, 'threshold');
  }
  const revoke = [...new Set(v.revoke ?? [])];
  for (const id of revoke) if (!KEY_ID_PATTERN.test(id)) throw new UsageError(`--revoke takes a key id (16 hex digits, as tidings key list or keygen prints it), not "${id}"`, 'revoke');
  const olds = await loadAll(v.old, 'old');
  const news = await loadAll(v.new, 'new');
  const newIds = new Set(news.map((k) => k.keyId));
  if (newIds.size !== news.length) throw new UsageError('the same --new key was given twice', 'new');
  for (const id of revoke) if (newIds.has(id)) throw new UsageError(`--revoke ${id} names a key of the new set`, 'revoke');

  // Where the chain stands: the next seq, and the newest set's threshold for a clear error before sending.
  const chainAnswer = await call(server, '/v1/keys', { token: v.token, retries: 2, note: (l) => out.note(l) });
  const chain = chainSchema.safeParse(chainAnswer.body);
  if (!chain.success) throw new CliError(`${server}/v1/keys did not answer with a key chain; is this a Tidings feed that supports key rotation?`, 'server');
  const statements = chain.data.statements.map((s) => statementSchema.parse(s));
  const last = statements.at(-1);
  const body: StatementBody = {
    v: 1, type: 'tidings-keys', seq: (last?.seq ?? 0) + 1, keys: news.map((k) => k.publicKey), threshold, revoked: revoke,
    issued: Math.max(Math.floor(Date.now() / 1000), last?.issued ?? 0),
  };
  const statement = await signStatement(body, [...olds, ...news]);
  const current = setOf(last);
  if (current && last) {
    for (const k of last.keys) current.keys[await keyIdOf(k)] = k;
    const check = await checkStatement(current, statement, { consecutive: true });
    if (!check.ok) throw new CliError(`not sent: the statement ${check.reason} (current keys: ${Object.keys(current.keys).join(', ')})`, 'old');
  }
  if (v.out) writeFileSync(v.out, `${JSON.stringify(statement, null, 2)}\n`);
  const posted = await call(server, '/v1/keys', { method: 'POST', token: v.token, body: statement, retries: 2, note: (l) => out.note(l) });
  if (posted.status === 200) out.note('Already published (the same statement): nothing changed.');
  out.result({ seq: statement.seq, keys: [...newIds], threshold, revoked: revoke, statement }, [
    `Key rotation ${statement.seq} published: the signing keys are now ${[...newIds].join(', ')} (${threshold} of ${news.length} needed for the next rotation).`,
    ...(revoke.length ? [`Revoked: ${revoke.join(', ')}. Installs refuse anything it signs from now on.`] : []),
    `Sign new releases with ${v.new.join(' or ')}; the feed already refuses new records signed by a key this rotation dropped.`,
    'Installs follow the rotation at their next check that brings something new (docs/key-rotation.md).',
    ...(v.out ? [`The statement was also written to ${v.out}.`] : []),
  ]);
}
