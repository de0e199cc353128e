// The one place a feed v1 URL is normalised, so every URL builder (heads, pages, SSE) agrees. People and build
// configurations write a feed's address with or without the protocol's `/v1` and with or without a trailing
// slash (build/tidings.config.json ships https://feed.tidings.dev/v1); all of them name the same feed, and the
// builders add `/v1/…` exactly once. A static export is named by its index.json and is used as it is.
import { isStaticFeedUrl } from './static-feed.ts';

/** The service's base URL: no trailing slash, no trailing `/v1`, no query or fragment. Static feed URLs unchanged. */
export function feedBase(url: string): string {
  const trimmed = url.trim();
  if (isStaticFeedUrl(trimmed)) return trimmed;
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    // Not a URL: left for the caller's validation to refuse, only without its trailing slashes.
    return trimmed.replace(/\/+$/, '');
  }
  const path = u.pathname.replace(/\/+$/, '').replace(/\/v1$/i, '').replace(/\/+$/, '');
  return `${u.origin}${path}`;
}

/** A feed v1 endpoint under a feed URL in any of its spellings: feedV1Url('https://x/v1/', 'heads') → https://x/v1/heads */
export function feedV1Url(url: string, path: string): string {
  return `${feedBase(url)}/v1/${path.replace(/^\/+/, '')}`;
}
