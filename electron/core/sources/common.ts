// What every source shares: the outcome of a check, protocol errors, and turning an HTTP answer into JSON
// only when status, content type and syntax are all right.
import type { HttpResponse } from '../net/http.ts';
import { retryAfterSeconds, maxAgeSeconds } from '../net/http.ts';
import type { ApplyResult } from '../store/apply.ts';

/** A check failed for a reason the scheduler should know about. Never escapes the engine. */
export class CheckError extends Error {
  readonly status: number | null;
  readonly retryAfterSec: number | null;
  readonly authFailed: boolean;
  constructor(message: string, opts: { status?: number; retryAfterSec?: number | null; authFailed?: boolean } = {}) {
    super(message);
    this.name = 'CheckError';
    this.status = opts.status ?? null;
    this.retryAfterSec = opts.retryAfterSec ?? null;
    this.authFailed = opts.authFailed ?? false;
  }
}

export interface CheckOutcome {
  ok: boolean;
  /** Something new was stored (messages, retractions). */
  changed: boolean;
  detail: string;
  status: number | null;
  retryAfterSec: number | null;
  /** Cache-Control max-age of the routine request: the scheduler's floor. */
  maxAgeSec: number | null;
  authFailed: boolean;
  result: ApplyResult | null;
}

/**
 * Turns a non-success status into the right CheckError (auth, pacing, or plain failure). A Retry-After date is
 * the server's clock, so it is read against the answer's own Date (RFC 9110 §10.2.3), never our clock, which
 * may be hours off (reliability.md P21, case 54); `nowMs` only when the answer has no Date.
 */
export function failForStatus(res: HttpResponse, nowMs: number, what: string): never {
  const s = res.status;
  if (s === 401 || s === 403) throw new CheckError(`${what}: access denied (HTTP ${s}); the token may have been revoked`, { status: s, authFailed: true });
  const date = serverDate(res);
  const retryAfterSec = s === 429 || s === 503 ? retryAfterSeconds(res.headers['retry-after'], date === null ? nowMs : date * 1000) : null;
  throw new CheckError(`${what}: HTTP ${s}`, { status: s, retryAfterSec });
}

export const JSON_TYPE = /^application\/json\b/i;

/** Parses a JSON body after checking the content type (a captive portal's HTML page fails here). */
export function jsonBody(res: HttpResponse, what: string, accept: RegExp = JSON_TYPE): unknown {
  const type = String(res.headers['content-type'] ?? '');
  if (!accept.test(type)) throw new CheckError(`${what}: expected JSON, got "${type || 'no content type'}"`, { status: res.status });
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body));
  } catch {
    throw new CheckError(`${what}: the answer is not valid JSON`, { status: res.status });
  }
}

export function maxAgeOf(res: HttpResponse): number | null {
  return maxAgeSeconds(String(res.headers['cache-control'] ?? ''));
}

/** The server's clock from the Date header, unix seconds (a sanity bound; cursors never use the client clock). */
export function serverDate(res: HttpResponse): number | null {
  const d = res.headers.date ? Date.parse(res.headers.date) : NaN;
  return Number.isNaN(d) ? null : Math.floor(d / 1000);
}

/** The first line of a text, at most 200 code points: titles of untyped messages. */
export function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return Array.from(line.trim()).slice(0, 200).join('') || '(no text)';
}

/** The first https link in free text ("new version" notes carry a download page link). */
export function extractLink(text: string): string | null {
  const m = /https:\/\/[^\s<>"')\]]+/i.exec(text);
  if (!m) return null;
  try {
    return new URL(m[0].replace(/[.,;:!?]+$/, '')).href;
  } catch {
    return null;
  }
}
