// A publisher's key file (the PKCS#8 PEM `tidings keygen` writes) read with WebCrypto alone, so a browser
// can sign with it (the publisher console opens it locally; it is never uploaded). The public half comes
// from the private key's JWK (`x`), so nothing but the PEM is needed. Pure: no node:* imports (the CLI's
// reader with file-system checks is shared/node/keys.ts).
import { fromBase64, importSigningKey, toBase64, type SigningKey } from '../protocol/signing.ts';

/** A key file is a few hundred bytes; anything much larger is some other file chosen by mistake. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;

export class KeyTextError extends Error {}

/** PEM text → PKCS#8 DER bytes, or a KeyTextError saying plainly what the file is not. */
export function pemToDer(pem: string): Uint8Array {
  if (pem.length > MAX_KEY_FILE_BYTES) throw new KeyTextError('this file is too large to be a key file');
  const m = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(pem);
  if (!m) throw new KeyTextError('this is not a private key file (tidings keygen writes one starting with -----BEGIN PRIVATE KEY-----)');
  try {
    return fromBase64((m[1] as string).replace(/\s+/g, ''));
  } catch {
    throw new KeyTextError('the key file is damaged (its base64 does not decode)');
  }
}

/** Loads an Ed25519 signing key from PEM text, deriving its public key and key id. */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  const der = pemToDer(pem);
  let jwk: { x?: string };
  try {
    const extractable = await crypto.subtle.importKey('pkcs8', new Uint8Array(der), { name: 'Ed25519' }, true, ['sign']);
    jwk = (await crypto.subtle.exportKey('jwk', extractable)) as { x?: string };
  } catch {
    throw new KeyTextError('this is not an Ed25519 private key');
  }
  if (!jwk.x) throw new KeyTextError('this is not an Ed25519 private key');
  const raw = fromBase64(jwk.x.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (jwk.x.length % 4)) % 4));
  return importSigningKey(der, toBase64(raw));
}
