// Strict application/x-www-form-urlencoded decoding for the Cryptolens dialect. Content is stored byte for
// byte, so bytes that are not UTF-8 (raw or percent-encoded) are refused: lenient parsers silently turn
// them into U+FFFD or keep "%C3%28" as literal text, and the publisher's message would be stored altered.
import { HttpError } from './errors.ts';

function refuse(field: string): HttpError {
  return new HttpError(400, 'invalid_utf8', `${field || 'the form'} is not valid percent-encoded UTF-8`, field, { 'X-Tidings-Field': field });
}

/** Decodes `a=1&b=x+y`; the first occurrence of a name wins. Throws a 400 for malformed or non-UTF-8 data. */
export function decodeForm(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      throw refuse('');
    }
    let value: string;
    try {
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw refuse(key);
    }
    if (!(key in out)) out[key] = value;
  }
  return out;
}

/** A form body: its bytes must be UTF-8 before any percent-decoding happens. */
export function decodeFormBody(body: Buffer): Record<string, string> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw refuse('');
  }
  return decodeForm(text);
}
