// What protects the publisher console (docs/console.md "Security"): the headers on every /console answer,
// the session cookie's flags, and the CSRF rule for changes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';

export const COOKIE = 'tidings_console';
/** A session lasts 8 hours from sign-in, then the publisher signs in again. */
export const SESSION_SECONDS = 8 * 3600;
/** The header every change carries: the session's CSRF token (a value script on another origin can't read or send). */
export const CSRF_HEADER = 'x-csrf-token';
/** Sign-in has no session yet: it carries this custom header instead, which no cross-origin form can set. */
export const SIGN_IN_HEADER = 'x-tidings-console';

/** No inline script or style, nothing from elsewhere, never framed. */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export const isConsolePath = (url: string) => url === '/console' || url.startsWith('/console/') || url.startsWith('/console?');

export const sha256 = (text: string) => createHash('sha256').update(text).digest();
export const newSecret = () => randomBytes(32).toString('base64url');

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The console cookie's value, if the request has one. */
export function sessionCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setCookie(value: string, maxAge: number, secure: boolean): string {
  return `${COOKIE}=${value}; Path=/console; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

export const clearCookie = (secure: boolean) => setCookie('', 0, secure);

/**
 * A change must come from the console's own pages: when the browser says where the request comes from
 * (Origin, Sec-Fetch-Site), that must be this very origin. Cross-site requests are refused before any
 * token is looked at.
 */
export function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `${req.protocol}://${req.headers.host ?? ''}`) {
    throw new HttpError(403, 'cross_origin', 'this request comes from another site; changes are only accepted from the console itself');
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, 'cross_origin', 'this request comes from another site; changes are only accepted from the console itself');
  }
}

/**
 * The session's CSRF token, derived from its id: only a page that was handed it (by sign-in or GET session,
 * same-origin reads) knows it, since the id itself sits in an HttpOnly cookie. Nothing more to store, and
 * every node of a cluster derives the same one.
 */
export const csrfOf = (sessionId: string) => createHash('sha256').update(`tidings-console-csrf\u0000${sessionId}`).digest('base64url');

/** The session's CSRF token must come back in the X-CSRF-Token header of every change. */
export function checkCsrf(req: FastifyRequest, sessionId: string): void {
  checkOrigin(req);
  const presented = req.headers[CSRF_HEADER];
  if (typeof presented !== 'string' || presented === '' || !sameHash(sha256(presented), sha256(csrfOf(sessionId)))) {
    throw new HttpError(403, 'csrf', 'this change is missing the console\'s CSRF token; reload the console and try again');
  }
}
