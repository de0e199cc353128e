// Bearer-token authentication and scope checks, answered as RFC 6750 says (401 invalid_token, 403
// insufficient_scope, with WWW-Authenticate).
import type { FeedStore, Scope, TokenRow } from './store/types.ts';
import { HttpError } from './errors.ts';
import { allows, verifyToken } from './tokens.ts';

/** undefined: no token presented; null: a token was presented and is unknown or revoked. */
export type Presented = TokenRow | null | undefined;

export async function authenticate(store: FeedStore, header: string | undefined, formToken?: string): Promise<Presented> {
  let raw: string | undefined;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    raw = m ? m[1] : '';
  } else if (formToken !== undefined && formToken !== '') {
    raw = formToken;
  }
  if (raw === undefined) return undefined;
  const r = await verifyToken(store, raw);
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
