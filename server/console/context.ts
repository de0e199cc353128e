// What every console route shares (docs/console.md): the session from the cookie, the rule for a change
// (signed in, same origin, CSRF token), the audit log, and the plain checks of a JSON body.
import type { FastifyRequest } from 'fastify';
import { HttpError, badRequest } from '../errors.ts';
import type { AcceptDeps } from '../routes/accept.ts';
import type { TokenRow } from '../store/types.ts';
import { checkCsrf, checkOrigin, sessionCookie, sha256 } from './security.ts';

export interface Session { id: string; hash: Buffer; token: TokenRow; expires: number }

export interface ConsoleContext {
  deps: AcceptDeps;
  session(req: FastifyRequest): Promise<Session>;
  /** A change: signed in, from this origin, with the CSRF token. */
  change(req: FastifyRequest): Promise<Session>;
  audit(s: Session, action: string, channel: string | null, detail: string): Promise<void>;
}

const signedOut = () => new HttpError(401, 'signed_out', 'you are signed out (or the session expired, or its token was revoked); sign in again');

export function consoleContext(deps: AcceptDeps): ConsoleContext {
  const { store, now } = deps;
  async function session(req: FastifyRequest): Promise<Session> {
    const id = sessionCookie(req);
    if (!id) throw signedOut();
    const hash = sha256(id);
    const s = await store.console.session(hash, now());
    if (!s) throw signedOut();
    const token = await store.tokenById(s.tokenId);
    if (!token || token.revoked !== null) throw signedOut();
    const { hash: _h, ...row } = token;
    return { id, hash, token: row, expires: s.expires };
  }
  return {
    deps,
    session,
    async change(req) {
      checkOrigin(req);
      const s = await session(req);
      checkCsrf(req, s.id);
      return s;
    },
    audit: (s, action, channel, detail) => store.console.addAudit({ at: now(), who: s.token.name, action, channel, detail }),
  };
}

/** Token and key management: the admin scope (docs/console.md "Scopes"). */
export function requireAdmin(s: Session): void {
  if (!s.token.scopes.includes('admin')) throw new HttpError(403, 'insufficient_scope', 'managing tokens and trusted keys needs a token with the admin scope');
}

export function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw badRequest('', 'the body must be a JSON object');
  return req.body as Record<string, unknown>;
}

export function text(body: Record<string, unknown>, field: string, max: number, required = true): string {
  const v = body[field];
  if (v === undefined && !required) return '';
  if (typeof v !== 'string' || (required && v.trim() === '') || v.length > max) throw badRequest(field, `${field} must be text of 1 to ${max} characters`);
  return v.trim();
}
