// Publisher keys: `tidings keygen` writes the private key (PKCS#8 PEM, 0600); `tidings key add|list`
// manages which public keys a local feed service accepts signatures from.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { generateSigningKey, keyIdOf, type SigningKey } from '../../shared/protocol/signing.ts';
import { KeyFileError, readSigningKeyFile, signingKeyPem } from '../../shared/node/keys.ts';
import { PUBLIC_KEY_B64_PATTERN } from '../../shared/protocol/limits.ts';
import { openDb } from './db.ts';
import { CliError, UsageError } from './errors.ts';
import type { Out } from './output.ts';

/**
 * Writes the PEM so that it is never readable by others, not even for a moment: a new file is created
 * with mode 0600 and O_EXCL; with --force a fresh 0600 file replaces the old one by rename.
 */
function writeSecret(file: string, pem: string, force: boolean): void {
  const target = force ? join(dirname(file), `.${basename(file)}.${process.pid}.tmp`) : file;
  let fd: number;
  try {
    fd = openSync(target, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && !force) throw new CliError(`${file} already exists; pass --force to replace it (the old key can no longer sign)`, 'out');
    throw new CliError(`cannot write the key file ${file}: ${(err as Error).message}`, 'out');
  }
  try {
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
  if (force) {
    try {
      renameSync(target, file);
    } catch (err) {
      rmSync(target, { force: true });
      throw new CliError(`cannot write the key file ${file}: ${(err as Error).message}`, 'out');
    }
  }
}

export async function keygen(out: Out, file: string | undefined, force: boolean): Promise<void> {
  if (!file) throw new UsageError('keygen needs --out <file> for the private key');
  const key = await generateSigningKey();
  writeSecret(file, signingKeyPem(key.pkcs8), force);
  out.result({ file, keyId: key.keyId, publicKey: key.publicKey }, [
    `Private key written to ${file} (mode 0600). Keep it secret; it signs your releases.`,
    `Public key: ${key.publicKey}`,
    `Key id:     ${key.keyId}`,
    'Build the public key into the app, and trust it on the feed service with:',
    `  tidings key add ${key.publicKey} --db <feed database>`,
  ]);
}

/** Loads a private key file written by keygen (or any Ed25519 PKCS#8 PEM): shared/node/keys.ts, as the publisher page does. */
export async function loadSigningKey(file: string | undefined): Promise<SigningKey> {
  if (!file) throw new UsageError('a signing key is needed: --key <file> or TIDINGS_KEY_FILE');
  try {
    return await readSigningKeyFile(file);
  } catch (err) {
    if (!(err instanceof KeyFileError)) throw err;
    if (err.reason === 'unreadable') throw new CliError(`key file not found or not readable: ${file}`, 'key');
    throw new CliError(`${file} is not an Ed25519 private key (${err.detail})`, 'key');
  }
}

export async function keyCommand(out: Out, sub: 'add' | 'list', positional: string[], db: string | undefined, name: string | undefined): Promise<void> {
  const pub = positional[0];
  if (sub === 'add' && (!pub || !PUBLIC_KEY_B64_PATTERN.test(pub))) throw new UsageError('key add needs a public key: standard base64 of 32 bytes, as printed by tidings keygen');
  const store = await openDb(db, `key ${sub}`, sub === 'list');
  try {
    if (sub === 'add' && pub) {
      const keyId = await keyIdOf(pub);
      await store.addPublisherKey(pub, keyId, name ?? keyId, Math.floor(Date.now() / 1000));
      out.result({ keyId, publicKey: pub }, [`Trusted publisher key ${keyId}. Running services pick it up on the next publish.`]);
    } else {
      const keys = (await store.publisherKeys()).map(({ keyId, publicKey, name }) => ({ keyId, publicKey, name }));
      out.result(keys, keys.length ? keys.map((k) => `${k.keyId}  ${k.name}  ${k.publicKey}`) : ['No publisher keys are trusted yet.']);
    }
  } finally {
    await store.close();
  }
}
