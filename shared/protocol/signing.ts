// Ed25519 over RFC 8785 canonical JSON, with WebCrypto so the same code runs in Node and in a browser.
import canonicalize from 'canonicalize';
// CryptoKey is a global type in the DOM lib but not in @types/node; derive it from the API both share.
type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

import { KEY_ID_PATTERN, PUBLIC_KEY_B64_PATTERN, SIGNATURE_B64_PATTERN } from './limits.ts';

/** The record minus the fields the server adds (seq, created) and the signature itself. */
export function signedFields<T extends object>(record: T): Omit<T, 'seq' | 'created' | 'sig'> {
  const { seq: _s, created: _c, sig: _g, ...rest } = record as T & { seq?: unknown; created?: unknown; sig?: unknown };
  return rest as Omit<T, 'seq' | 'created' | 'sig'>;
}

/** RFC 8785 canonical JSON of the signed fields. */
export function canonicalPayload(record: object): string {
  const text = canonicalize(signedFields(record));
  if (text === undefined) throw new Error('record cannot be canonicalized');
  return text;
}

export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function bytes(view: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view);
}

/** Key id: the first 16 hex characters of SHA-256 over the raw 32-byte public key. */
export async function keyIdOf(publicKeyB64: string): Promise<string> {
  if (!PUBLIC_KEY_B64_PATTERN.test(publicKeyB64)) throw new Error('public key must be standard base64 of 32 bytes');
  const digest = await crypto.subtle.digest('SHA-256', bytes(fromBase64(publicKeyB64)));
  return toHex(new Uint8Array(digest)).slice(0, 16);
}

/** retired-key / revoked-key: a key rotation (shared/protocol/rotation.ts) dropped the key before the record was issued. */
export type VerifyFailure = 'unsigned' | 'unknown-key' | 'bad-encoding' | 'bad-signature' | 'retired-key' | 'revoked-key';
export type VerifyResult = { ok: true; keyId: string } | { ok: false; reason: VerifyFailure };

/**
 * The set of publisher keys a verifier trusts. Built once from base64 public keys; imported CryptoKeys
 * are cached because importing costs more than verifying.
 */
export class KeyRing {
  private readonly keys = new Map<string, Promise<CryptoKey>>();
  private readonly raw = new Map<string, string>();

  static async from(publicKeysB64: readonly string[]): Promise<KeyRing> {
    const ring = new KeyRing();
    for (const k of publicKeysB64) await ring.add(k);
    return ring;
  }

  async add(publicKeyB64: string): Promise<string> {
    const id = await keyIdOf(publicKeyB64);
    this.raw.set(id, publicKeyB64);
    this.keys.set(id, crypto.subtle.importKey('raw', bytes(fromBase64(publicKeyB64)), { name: 'Ed25519' }, false, ['verify']));
    return id;
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  ids(): string[] {
    return [...this.keys.keys()];
  }

  publicKey(keyId: string): string | undefined {
    return this.raw.get(keyId);
  }

  /** Checks a record's `sig` against its canonical payload. Never throws for bad input. */
  async verify<T extends { sig?: unknown }>(record: T): Promise<VerifyResult> {
    const sig = record.sig as { key?: unknown; ed25519?: unknown } | null | undefined;
    if (!sig || typeof sig !== 'object') return { ok: false, reason: 'unsigned' };
    if (typeof sig.key !== 'string' || !KEY_ID_PATTERN.test(sig.key)) return { ok: false, reason: 'unknown-key' };
    const key = this.keys.get(sig.key);
    if (!key) return { ok: false, reason: 'unknown-key' };
    if (typeof sig.ed25519 !== 'string' || !SIGNATURE_B64_PATTERN.test(sig.ed25519)) return { ok: false, reason: 'bad-encoding' };
    let payload: string;
    try {
      payload = canonicalPayload(record);
    } catch {
      return { ok: false, reason: 'bad-signature' };
    }
    const good = await crypto.subtle.verify('Ed25519', await key, bytes(fromBase64(sig.ed25519)), bytes(new TextEncoder().encode(payload)));
    return good ? { ok: true, keyId: sig.key } : { ok: false, reason: 'bad-signature' };
  }
}

/** A publisher's signing key: PKCS#8 DER bytes of an Ed25519 private key, and its public half. */
export interface SigningKey {
  keyId: string;
  publicKey: string;
  privateKey: CryptoKey;
}

export async function importSigningKey(pkcs8Der: Uint8Array, publicKeyB64: string): Promise<SigningKey> {
  const privateKey = await crypto.subtle.importKey('pkcs8', bytes(pkcs8Der), { name: 'Ed25519' }, false, ['sign']);
  return { keyId: await keyIdOf(publicKeyB64), publicKey: publicKeyB64, privateKey };
}

/** Returns the record with `sig` set over its canonical payload. */
export async function signRecord<T extends object>(record: T, key: SigningKey): Promise<Omit<T, 'sig'> & { sig: { key: string; ed25519: string } }> {
  const payload = new TextEncoder().encode(canonicalPayload(record));
  const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', key.privateKey, bytes(payload)));
  const { sig: _old, ...rest } = record as T & { sig?: unknown };
  return { ...(rest as Omit<T, 'sig'>), sig: { key: key.keyId, ed25519: toBase64(sig) } };
}

/** Generates a fresh key pair (for `tidings keygen` and tests). */
export async function generateSigningKey(): Promise<SigningKey & { pkcs8: Uint8Array }> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as { publicKey: CryptoKey; privateKey: CryptoKey };
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  const publicKey = toBase64(raw);
  return { keyId: await keyIdOf(publicKey), publicKey, privateKey: pair.privateKey, pkcs8 };
}
