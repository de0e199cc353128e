// Access tokens: `tdg_<id>_<secret>`. Only a SHA-256 of the secret is stored; the id finds the row and the
// secret is compared in constant time. Unknown ids still pay for a comparison, so timing reveals nothing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FeedStore, Scope, TokenRow } from './store/types.ts';

const TOKEN_PATTERN = /^tdg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const DUMMY_HASH = createHash('sha256').update('tidings-no-such-token').digest();

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export interface NewToken {
  token: string;
  row: TokenRow;
}

export async function createToken(store: FeedStore, opts: { name: string; scopes: Scope[]; channels: string[] | null; now: number }): Promise<NewToken> {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const row = { id, name: opts.name, scopes: [...new Set(opts.scopes)].sort() as Scope[], channels: opts.channels, created: opts.now, revoked: null };
  await store.createToken({ ...row, hash: hashSecret(secret) });
  return { token: `tdg_${id}_${secret}`, row };
}

export type AuthResult = { ok: true; token: TokenRow } | { ok: false };

/** A presented token's id and secret, or null when it is not shaped like one. */
export function parseToken(presented: string): { id: string; secret: string } | null {
  const m = TOKEN_PATTERN.exec(presented);
  return m ? { id: m[1] as string, secret: m[2] as string } : null;
}

/** Looks a presented token up; never throws. */
export async function verifyToken(store: FeedStore, presented: string): Promise<AuthResult> {
  const parts = parseToken(presented);
  const secretHash = hashSecret(parts?.secret ?? presented);
  const row = parts ? await store.tokenById(parts.id) : undefined;
  const equal = timingSafeEqual(row ? row.hash : DUMMY_HASH, secretHash);
  if (!row || !equal || row.revoked !== null) return { ok: false };
  const { hash: _h, ...token } = row;
  return { ok: true, token };
}

export function allows(token: TokenRow, scope: Scope, channel?: string): boolean {
  // A publish token may also read (protocol.md, Cryptolens dialect details).
  const scoped = token.scopes.includes(scope) || (scope === 'read' && token.scopes.includes('publish'));
  if (!scoped) return false;
  return channel === undefined || token.channels === null || token.channels.includes(channel);
}
