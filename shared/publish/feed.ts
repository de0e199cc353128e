// Requests to the feed service's v1 API, for every publisher (the CLI, the companion's publisher page in
// Electron and in the preview): time-limited, retried with the very same body when the answer was lost or
// the feed asked to wait, and with the service's error envelope kept whole (status, code, field).
// Pure: the global fetch of Node and browsers, no node:* imports.

const TIMEOUT_MS = 60_000;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A feed URL as configured (with or without a trailing `/v1`, with or without `/`) → the base v1 paths go under. */
export function feedBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** Why a fetch failed, in words: "connect ECONNREFUSED 127.0.0.1:9" rather than "fetch failed". */
export function fetchFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.message ?? e.cause?.code ?? e.message;
}

/**
 * A request the feed refused (`status` set: its code, message and field as it sent them) or never answered
 * (`status` undefined). `message` is one technical line, as the CLI prints it; the companion words it
 * for people (shared/publish/form.ts).
 */
export class FeedError extends Error {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly field: string | undefined;
  /** The feed's own words (without the HTTP prefix), or why it could not be reached. */
  readonly detail: string;
  readonly retryAfter: number | undefined;
  constructor(message: string, o: { status?: number; code?: string; field?: string; detail: string; retryAfter?: number }) {
    super(message);
    this.status = o.status;
    this.code = o.code;
    this.field = o.field;
    this.detail = o.detail;
    this.retryAfter = o.retryAfter;
  }
  /** No answer, a 429 or a 5xx: the same request may succeed later (and whether it landed is unknown). */
  get transient(): boolean {
    return this.status === undefined || RETRYABLE.has(this.status);
  }
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface CallOptions {
  method?: string;
  token?: string | undefined;
  body?: unknown;
  /** Tries again after a lost answer, a 429 or a 5xx, with the same body (a publish is idempotent by id). */
  retries?: number;
  /** A wait longer than this (seconds; Retry-After or backoff) is not waited for: the error is thrown. Without it, waits are capped at 30 s. */
  maxWaitSeconds?: number;
  onRetry?: (err: FeedError, waitSeconds: number, attempt: number, attempts: number) => void;
  timeoutMs?: number;
}

/** Sends one request to `${server}${path}`; a non-2xx answer or no answer throws a FeedError. */
export async function feedCall(server: string, path: string, init: CallOptions = {}): Promise<Answer> {
  const retries = init.retries ?? 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(server, path, init);
    } catch (err) {
      if (!(err instanceof FeedError) || attempt >= retries || !err.transient) throw err;
      const wanted = err.retryAfter ?? 2 ** attempt;
      if (init.maxWaitSeconds !== undefined && wanted > init.maxWaitSeconds) throw err;
      const wait = Math.min(30, wanted);
      init.onRetry?.(err, wait, attempt + 2, retries + 1);
      await sleep(wait * 1000);
    }
  }
}

async function once(server: string, path: string, init: CallOptions): Promise<Answer> {
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
      signal: AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    text = await res.text();
  } catch (err) {
    const why = fetchFailure(err);
    throw new FeedError(`could not reach ${server}: ${why}`, { field: 'server', detail: why });
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch { /* not JSON: reported below if the status says it failed */ }
  if (res.status < 200 || res.status > 299) {
    const e = (body.error ?? {}) as { message?: unknown; field?: unknown; code?: unknown };
    const message = typeof e.message === 'string' ? e.message : text.slice(0, 200).replace(/\s+/g, ' ').trim() || res.statusText;
    const field = typeof e.field === 'string' ? e.field : undefined;
    const retryHeader = res.headers.get('retry-after');
    const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : undefined;
    throw new FeedError(`the feed refused it (HTTP ${res.status}): ${message}${field ? ` [field: ${field}]` : ''}`, {
      status: res.status, detail: message,
      ...(field !== undefined ? { field } : {}), ...(typeof e.code === 'string' ? { code: e.code } : {}), ...(retryAfter !== undefined ? { retryAfter } : {}),
    });
  }
  return { status: res.status, body };
}

export interface Posted {
  /** The message as the feed stored it (with seq and created). */
  stored: Record<string, unknown>;
  /** 200: the feed already had this very record (same id, content and signature); nothing new was stored. */
  already: boolean;
}

/** POSTs a signed record to its channel (v1 publish API). */
export async function postRecord(server: string, token: string, record: { channel: string }, opts: Pick<CallOptions, 'retries' | 'maxWaitSeconds' | 'onRetry'> = {}): Promise<Posted> {
  const res = await feedCall(server, `/v1/channels/${encodeURIComponent(record.channel)}/messages`, { ...opts, method: 'POST', token, body: record });
  return { stored: res.body, already: res.status === 200 };
}

/** One stored message as a channel page lists it (only the fields a publisher's list needs). */
export interface ListedMessage {
  id: string;
  seq: number;
  channel: string;
  kind: 'release' | 'news' | 'retraction';
  title: string;
  created: number;
  release?: { version: string };
  retracts?: string;
}

/** Every message of a channel, oldest first, page by page (at most `maxPages`). A channel the feed doesn't know is empty. */
export async function listChannel(server: string, token: string | undefined, channel: string, maxPages = 50): Promise<ListedMessage[]> {
  const out: ListedMessage[] = [];
  let after = 0;
  for (let pages = 0; pages < maxPages; pages++) {
    let page: { messages?: ListedMessage[]; next?: number; more?: boolean };
    try {
      page = (await feedCall(server, `/v1/channels/${encodeURIComponent(channel)}/messages?after=${after}`, { token })).body as typeof page;
    } catch (err) {
      if (err instanceof FeedError && err.status === 404) return out;
      throw err;
    }
    out.push(...(page.messages ?? []));
    if (!page.more || typeof page.next !== 'number') break;
    after = page.next;
  }
  return out;
}
