// Talking to the publisher console's API as its page does: a cookie jar of one session cookie, the CSRF
// token from sign-in, same-origin headers.
import assert from 'node:assert/strict';
import type { Feed } from './helpers.ts';

export interface ConsoleSession {
  cookie: string;
  csrf: string;
  setCookie: string;
  body: Record<string, unknown>;
}

export function signInRequest(feed: Feed, token: string, headers: Record<string, string> = {}) {
  return fetch(`${feed.url}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tidings-console': '1', origin: feed.url, ...headers },
    body: JSON.stringify({ token }),
  });
}

export async function signIn(feed: Feed, token: string): Promise<ConsoleSession> {
  const res = await signInRequest(feed, token);
  assert.equal(res.status, 201, await res.clone().text());
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as Record<string, unknown>;
  return { cookie: setCookie.split(';')[0] as string, csrf: body.csrf as string, setCookie, body };
}

/** A request with the session's cookie; changes also carry the CSRF token unless `csrf: false`. */
export function call(feed: Feed, s: ConsoleSession | null, method: string, path: string, body?: unknown, o: { csrf?: boolean; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { origin: feed.url, ...(s ? { cookie: s.cookie } : {}) };
  if (s && o.csrf !== false && method !== 'GET') headers['x-csrf-token'] = s.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${feed.url}${path}`, { method, headers: { ...headers, ...o.headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

export async function ok<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return (text ? JSON.parse(text) : {}) as T;
}

export async function refused(res: Response, status: number, code: string): Promise<{ code: string; message: string; field?: string }> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  const e = (JSON.parse(text) as { error: { code: string; message: string; field?: string } }).error;
  assert.equal(e.code, code, text);
  assert.ok(e.message.length > 10, 'a plain sentence');
  return e;
}
