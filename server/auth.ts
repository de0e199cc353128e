// Bearer-token authentication and scope checks, answered as RFC 6750 says (401 invalid_token, 403
// insufficient_scope, with WWW-Authenticate).
import type { FeedStore, Scope, TokenRow } from './store/types.ts';
import { HttpError } from './errors.ts';
import { allows } from './tokens.ts';
import { tokenCacheOf } from './tokencache.ts';

/** undefined: no token presented; null: a token was presented and is unknown or revoked. */
export type Presented = TokenRow | null | undefined;

/** The token text of an Authorization header ('' when it is not a Bearer token). */
export function bearerOf(header: string): string {
  // The plain `Bearer <token>` every client sends is sliced without a regular expression.
  if (header.startsWith('Bearer ') && header.indexOf(' ', 7) < 0 && header.length > 7) return header.slice(7);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? (m[1] as string) : '';
}

/**
 * A token found in the store's token cache, without I/O: the routine read with a token is answered
 * synchronously. undefined when the store must be asked (then call authenticate).
 */
export function peekAuthenticated(store: FeedStore, header: string): TokenRow | undefined {
  return tokenCacheOf(store).peek(bearerOf(header));
}

export async function authenticate(store: FeedStore, header: string | undefined, formToken?: string): Promise<Presented> {
  let raw: string | undefined;
  if (header !== undefined) raw = bearerOf(header);
  else if (formToken !== undefined && formToken !== '') raw = formToken;
  if (raw === undefined) return undefined;
  const r = await tokenCacheOf(store).verify(raw);
  return r.ok ? r.token : null;
}

export function requireScope(token: Presented, scope: Scope, channel: string | undefined, publicRead: boolean): void {
  if (token === null) {
    throw new HttpError(401, 'invalid_token', 'the access token is unknown or revoked', undefined, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  if (token === undefined) {
    if (scope === 'read' && publicRead) return;
    throw new HttpError(401, 'unauthorized', 'an access token is required (Authorization: Bearer <token>)', undefined, { 'WWW-Authenticate': 'Bearer' });
  }
  if (!allows(token, scope, channel)) {
    const what = channel === undefined || token.scopes.includes(scope) || (scope === 'read' && token.scopes.includes('publish'))
      ? `the access token may not use channel ${channel}`
      : `the access token lacks the ${scope} scope`;
    throw new HttpError(403, 'insufficient_scope', what, undefined, { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` });
  }
}

/** Channels a token may read (null = all). */
export function readableChannels(token: Presented): string[] | null {
  return token ? token.channels : null;
}
