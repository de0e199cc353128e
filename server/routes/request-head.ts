// The one HTTP/1.1 request head the raw routine lane (routes/routine.ts) reads itself; anything else is
// node:http's to read. A second HTTP reader in front of untrusted input is where request smuggling comes
// from (two readers disagreeing on where a request ends), so this accepts only a strict subset:
// - `GET <origin-form target> HTTP/1.1`, header lines `token ":" value` ending in CRLF, a blank line. No
//   obs-fold, no bare CR or LF, no control bytes: a request a proxy could split differently never passes.
// - No body: Content-Length, Transfer-Encoding, Expect and Upgrade refuse the request (so the end of the
//   head is the end of the request; nothing after it can be taken for a body, or a body for a request).
// - Host exactly once (node:http answers 400 otherwise); Authorization and If-None-Match at most once;
//   Connection `keep-alive` or `close` only.

/** node:http's default maxHeaderSize. */
export const MAX_HEAD = 16 * 1024;
const HEAD = /^GET (\/[\x21-\x7e]*) HTTP\/1\.1\r\n(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t\x20-\x7e\x80-\xff]*\r\n)*\r\n$/;

/** What a request's head asks for; `target` null when the request is not one for this lane. */
export interface Head {
  target: string | null;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  close: boolean;
}

/** Parses one request head (`text` from its first byte to its blank line, inclusive). */
export function parseHead(text: string, into: Head): Head {
  into.target = null;
  const m = HEAD.exec(text);
  if (m === null) return into;
  let host = 0;
  let authorization: string | undefined;
  let inm: string | undefined;
  let close = false;
  let i = text.indexOf('\r\n') + 2;
  while (i < text.length - 2) {
    const end = text.indexOf('\r\n', i);
    const colon = text.indexOf(':', i);
    const value = ows(text.slice(colon + 1, end));
    switch (text.slice(i, colon).toLowerCase()) {
      case 'host':
        host++;
        break;
      case 'authorization':
        if (authorization !== undefined) return into;
        authorization = value;
        break;
      case 'if-none-match':
        if (inm !== undefined) return into;
        inm = value;
        break;
      case 'connection': {
        const v = value.toLowerCase();
        if (v === 'close') close = true;
        else if (v !== 'keep-alive') return into;
        break;
      }
      case 'content-length':
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return into;
    }
    i = end + 2;
  }
  if (host !== 1) return into;
  into.target = m[1] as string;
  into.authorization = authorization;
  into.ifNoneMatch = inm;
  into.close = close;
  return into;
}

/** A header value without the optional whitespace around it: spaces and tabs only, as node:http trims. */
function ows(v: string): string {
  let a = 0;
  let b = v.length;
  while (a < b && (v.charCodeAt(a) === 32 || v.charCodeAt(a) === 9)) a++;
  while (b > a && (v.charCodeAt(b - 1) === 32 || v.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === v.length ? v : v.slice(a, b);
}
