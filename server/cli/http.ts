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

/** Sends one request; a non-2xx answer becomes a CliError carrying the feed's message and field. */
export async function call(server: string, path: string, init: { method?: string; token?: string | undefined; body?: unknown }): Promise<Answer> {
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
    const message = typeof e.message === 'string' ? e.message : text.slice(0, 200).replace(/\s+/g, ' ') || res.statusText;
    const field = typeof e.field === 'string' ? e.field : undefined;
    const retry = res.headers.get('retry-after');
    throw new CliError(`the feed refused it (HTTP ${res.status}): ${message}${field ? ` [field: ${field}]` : ''}${retry ? ` (retry after ${retry} s)` : ''}`, field);
  }
  return { status: res.status, body };
}
