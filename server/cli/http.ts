// Requests to the feed service (shared/publish/feed.ts): time-limited, the service's error envelope as one line.
import { CliError, UsageError } from './errors.ts';
import { isAllowedUrl } from '../../shared/protocol/limits.ts';
import { FeedError, feedCall, type Answer } from '../../shared/publish/feed.ts';

/** The --server value, checked: https, or http on a loopback host. No trailing slash. */
export function serverUrl(raw: string | undefined): string {
  if (!raw) throw new UsageError('missing --server <url> (or TIDINGS_SERVER)', 'server');
  if (!isAllowedUrl(raw, true)) throw new UsageError(`--server must be an https URL (or http on localhost): ${raw}`, 'server');
  return raw.replace(/\/+$/, '');
}

export type { Answer };

/** The feed's refusal (or silence) as the CLI's error: its one line, and the field the feed named. */
export function cliError(err: unknown): never {
  if (err instanceof FeedError) throw new CliError(err.message, err.field);
  throw err;
}

/** The note printed before a retry: "tidings: could not reach …; trying again in 1 s (attempt 2 of 3)". */
export const retryNote = (out: { note(line: string): void }) => (e: FeedError, wait: number, attempt: number, attempts: number) =>
  out.note(`tidings: ${e.message}; trying again in ${wait} s (attempt ${attempt} of ${attempts})`);

/**
 * Sends a request (shared/publish/feed.ts, the same the companion's publisher page uses); a non-2xx answer
 * becomes a CliError carrying the feed's message and field. With `retries`, an unreachable feed, a 429 or a
 * 5xx is tried again with the very same body (a publish is idempotent by id, so a retry of a publish that
 * did land answers 200), after Retry-After or a backoff.
 */
export async function call(server: string, path: string, init: { method?: string; token?: string | undefined; body?: unknown; retries?: number; note?: (line: string) => void }): Promise<Answer> {
  const { note, ...rest } = init;
  return feedCall(server, path, { ...rest, ...(note ? { onRetry: retryNote({ note }) } : {}) }).catch(cliError);
}
