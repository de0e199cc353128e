// Typed HTTP errors. Every refusal carries a short code, plain words and (where one is to blame) the JSON
// path of the field, in the shape protocol.md fixes: { error: { code, message, field? } }.
import { StoreUnavailableError } from './store/types.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, field?: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.headers = headers;
  }

  body() {
    return { error: { code: this.code, message: this.message, ...(this.field !== undefined ? { field: this.field } : {}) } };
  }
}

export const badRequest = (field: string, message: string, code = 'invalid') => new HttpError(400, code, message, field);

/** Fastify's own errors for bad requests, translated to ours; anything unknown becomes an opaque 500. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof StoreUnavailableError) {
    return new HttpError(503, 'database_unavailable', 'the feed database is unavailable right now; retry shortly', undefined, { 'Retry-After': String(err.retryAfter) });
  }
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
      return new HttpError(400, 'invalid', 'the Content-Length does not match the body');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'too_large', 'the body is larger than 256 KiB');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'the body is empty', '');
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'the Content-Type header is not valid');
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 429) return new HttpError(429, 'rate_limited', 'too many requests; wait before retrying');
    if (e.statusCode === 413) return new HttpError(413, 'too_large', 'the body is larger than 256 KiB');
    if (e.statusCode === 415) return new HttpError(415, 'unsupported_media_type', 'unsupported Content-Type');
    return new HttpError(e.statusCode, 'bad_request', 'the request could not be read');
  }
  return new HttpError(500, 'internal', 'something went wrong on the server; it has been logged');
}
