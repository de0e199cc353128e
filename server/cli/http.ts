// Requests to the feed service: time-limited, with the service's error envelope turned into one line.
import { CliError } from './errors.ts';
import { isAllowedUrl } from '../../shared/protocol/limits.ts';
import { UsageError } from './errors.ts';

const TIMEOUT_MS = 60_000;

/** The --server value, checked: https, or http on a loopback host. No trailing slash. */
export function serverUrl(raw: string | undefined): string {
  if (!raw) throw new UsageError('missing --server <url> (or TIDINGS_SERVER)', 'server');
  if (!isAllowedUrl(raw, true)) throw new UsageError(`--server must be an https URL (or http on localhost): ${raw}`, 'server');
  return raw.replace(/\/+$/, '');
}

/** Why a fetch failed, in words: "connect ECONNREFUSED 127.0.0.1:9" rather than "fetch failed". */
export function reason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.message ?? e.cause?.code ?? e.message;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a request; a non-2xx answer becomes a CliError carrying the feed's message and field. With
 * `retries`, an unreachable feed, a 429 or a 5xx is tried again with the very same body (a publish is
 * idempotent by id, so a retry of a publish that did land answers 200), after Retry-After or a backoff.
 */
export async function call(server: string, path: string, init: { method?: string; token?: string | undefined; body?: unknown; retries?: number; note?: (line: string) => void }): Promise<Answer> {
  const retries = init.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(server, path, init);
    } catch (err) {
      const e = err as CliError & { retryAfter?: number; status?: number };
      const transient = e.status === undefined || RETRYABLE.has(e.status);
      if (attempt >= retries || !transient) throw err;
      const wait = Math.min(30, e.retryAfter ?? 2 ** attempt);
      init.note?.(`tidings: ${e.message}; trying again in ${wait} s (attempt ${attempt + 2} of ${retries + 1})`);
      await sleep(wait * 1000);
    }
  }
}

async function once(server: string, path: string, init: { method?: string; token?: string | undefined; body?: unknown }): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${server}${path}`, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    text = await res.text();
  } catch (err) {
    throw new CliError(`could not reach ${server}: ${reason(err)}`, 'server');
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch { /* not JSON: reported below if the status says it failed */ }
  if (res.status < 200 || res.status > 299) {
    const e = (body.error ?? {}) as { message?: unknown; field?: unknown };
    const message = typeof e.message === 'string' ? e.message : text.slice(0, 200).replace(/\s+/g, ' ').trim() || res.statusText;
    const field = typeof e.field === 'string' ? e.field : undefined;
    const retryHeader = res.headers.get('retry-after');
    const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
    const err = new CliError(`the feed refused it (HTTP ${res.status}): ${message}${field ? ` [field: ${field}]` : ''}`, field);
    throw Object.assign(err, { status: res.status, retryAfter });
  }
  return { status: res.status, body };
}
