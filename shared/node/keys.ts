// A publisher's signing key file: the PKCS#8 PEM `tidings keygen` writes (mode 0600), read by the CLI and by
// the companion's publisher page alike. Node-only (node:crypto parses PEM; WebCrypto then signs).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { open } from 'node:fs/promises';
import { importSigningKey, toBase64, type SigningKey } from '../protocol/signing.ts';

/** A key file is a few hundred bytes; anything much larger is some other file chosen by mistake. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

export class KeyFileError extends Error {
  readonly reason: 'unreadable' | 'not-a-key';
  /** Why, in technical words (for the CLI and logs). */
  readonly detail: string;
  constructor(reason: 'unreadable' | 'not-a-key', detail: string) {
    super(detail);
    this.reason = reason;
    this.detail = detail;
  }
}

/** PKCS#8 DER → the PEM text keygen writes. */
export function signingKeyPem(pkcs8: Uint8Array): string {
  const b64 = toBase64(pkcs8).replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function readSmall(file: string): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new KeyFileError('unreadable', (err as Error).message);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new KeyFileError('unreadable', 'not a file');
    if (st.size > MAX_KEY_FILE_BYTES) throw new KeyFileError('not-a-key', `${st.size} bytes is too large for a key file`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Loads an Ed25519 private key (PKCS#8 PEM) and derives its public half and key id. */
export async function readSigningKeyFile(file: string): Promise<SigningKey> {
  const pem = await readSmall(file);
  try {
    const priv = createPrivateKey(pem);
    if (priv.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
    const publicKey = toBase64(new Uint8Array(spki.subarray(spki.length - 32)));
    const der = priv.export({ format: 'der', type: 'pkcs8' });
    return await importSigningKey(new Uint8Array(der), publicKey);
  } catch (err) {
    throw new KeyFileError('not-a-key', (err as Error).message);
  }
}
