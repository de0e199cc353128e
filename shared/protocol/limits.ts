// Wire limits from docs/protocol.md. One place, so server and client refuse the same things.
export const CHANNEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
/** Strict standard base64 (with padding) of exactly 64 bytes: an Ed25519 signature. */
export const SIGNATURE_B64_PATTERN = /^[A-Za-z0-9+/]{86}==$/;
/** Strict standard base64 (with padding) of exactly 32 bytes: a raw Ed25519 public key. */
export const PUBLIC_KEY_B64_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
export const PLATFORM_PATTERN = /^(linux|win32|darwin)-(x64|arm64|ia32|armv7l|universal)$/;
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
/** Strict standard base64 (with padding) of exactly 64 bytes: a SHA-512 digest. */
export const SHA512_B64_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

export const MAX_TITLE_CODE_POINTS = 200;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_DATA_BYTES = 8 * 1024;
export const MAX_PUBLISH_BODY_BYTES = 256 * 1024;
export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 50;
/** The companion's byte cap on one feed answer (heads, a page): reading stops at cap+1 (reliability.md P4). */
export const MAX_FEED_ANSWER_BYTES = 1024 * 1024;
/**
 * A page's messages stay within this many UTF-8 bytes (the service's page budget), so a whole page, envelope
 * included, always fits the companion's cap: a page the client refuses would stall its channel (case 56).
 */
export const PAGE_BUDGET_BYTES = MAX_FEED_ANSWER_BYTES - 8 * 1024;
export const MAX_ASSETS = 32;
/** Patches per asset: from the last few releases on the channel (docs/updates.md). */
export const MAX_PATCHES = 5;
/** Cryptolens overlap window, seconds (protocol.md). */
export const CRYPTOLENS_OVERLAP_SECONDS = 60;
/** A Cryptolens `Time` more than this far in the future is refused. */
export const MAX_FUTURE_SECONDS = 5 * 60;

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * https always; plain http only to a loopback host and only when the caller's configuration says this is
 * development or a test. Parsed with the URL parser, never with string prefixes.
 */
export function isAllowedUrl(raw: string, allowLoopbackHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname);
}
