// The Cryptolens-compatible Messaging API (GetMessages / CreateMessage / RemoveMessage), form-encoded,
// with the exact envelope Cryptolens clients parse: {"result":0|1,"message":...}.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CHANNEL_PATTERN, MAX_BODY_BYTES, MAX_FUTURE_SECONDS, MAX_TITLE_CODE_POINTS, utf8Length } from '../../shared/protocol/limits.ts';
import type { ServerConfig } from '../config.ts';
import { HttpError } from '../errors.ts';
import { authenticate, requireScope } from '../auth.ts';
import { decodeForm } from '../form.ts';
import type { FeedStore } from '../store/types.ts';

interface Deps {
  store: FeedStore;
  config: ServerConfig;
  now: () => number;
}

const INCORRECT = 'The input parameters were incorrect.';
const DENIED = 'Access denied.';
/** Cryptolens has no paging; a GetMessages answer holds at most this many (newest first). */
const MAX_MESSAGES = 10_000;
/** Cryptolens messages without a channel are filed here (v1 needs a channel name). */
export const DEFAULT_CRYPTOLENS_CHANNEL = 'news';

export function isCryptolensPath(url: string): boolean {
  return /^\/+api\//i.test(url);
}

/** Our typed errors in the Cryptolens envelope; the field goes in a header so the body stays byte-compatible. */
export function cryptolensError(e: HttpError) {
  if (e.status === 401 || e.status === 403) return { result: 1, message: DENIED };
  if (e.status === 429) return { result: 1, message: 'Too many requests. Please wait and try again.' };
  if (e.status === 503) return { result: 1, message: 'The service is unavailable. Please try again later.' };
  if (e.status >= 500) return { result: 1, message: 'Something went wrong on the server.' };
  return { result: 1, message: INCORRECT };
}

function incorrect(field: string, why: string): HttpError {
  return new HttpError(400, 'invalid', `${field} ${why}`, field, { 'X-Tidings-Field': field });
}

type Params = Record<string, string | undefined>;

function params(req: FastifyRequest): Params {
  const out: Params = {};
  // The query is decoded as strictly as the form body (Fastify's query parser keeps malformed escapes).
  const q = req.url.indexOf('?');
  const query = q < 0 ? {} : decodeForm(req.url.slice(q + 1));
  for (const source of [query, req.body]) {
    if (!source || typeof source !== 'object') continue;
    for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
      // Cryptolens field names are case-insensitive in practice (`Token`, `token`).
      out[k.toLowerCase()] = Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
    }
  }
  return out;
}

function intField(p: Params, name: string, required: boolean): number | undefined {
  const raw = p[name.toLowerCase()];
  if (raw === undefined || raw === '') {
    if (required) throw incorrect(name, 'is required');
    return undefined;
  }
  if (!/^\d{1,15}$/.test(raw)) throw incorrect(name, 'must be a whole number');
  return Number(raw);
}

function channelField(p: Params, allowEmpty: boolean): string | null {
  const raw = p.channel;
  if (raw === undefined || raw === '') {
    if (allowEmpty) return null;
    return DEFAULT_CRYPTOLENS_CHANNEL;
  }
  if (!CHANNEL_PATTERN.test(raw)) throw incorrect('Channel', 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
  return raw;
}

/** The v1 title of a free-text message: its first non-empty line, at most 200 characters. */
function titleOf(content: string): string {
  const line = content.split(/\r\n|\r|\n/).find((l) => l.trim() !== '')?.trim() ?? 'Message';
  return [...line].slice(0, MAX_TITLE_CODE_POINTS).join('');
}

export function registerCryptolens(app: FastifyInstance, { store, config, now }: Deps): void {
  const route = (path: string, publish: boolean, handler: (req: FastifyRequest) => Promise<object>) => {
    for (const method of ['GET', 'POST'] as const) {
      app.route({
        method,
        url: path,
        config: { publish },
        preValidation: async (req) => {
          const p = params(req);
          req.token = await authenticate(store, undefined, p.token);
        },
        handler: async (req, reply) => reply.code(200).send(await handler(req)),
      });
    }
  };

  route('/api/message/getmessages', false, async (req) => {
    const p = params(req);
    const channel = channelField(p, true);
    requireScope(req.token, 'read', channel ?? undefined, config.publicRead);
    const time = intField(p, 'Time', false) ?? 0;
    let messages = await store.cryptolensMessages(channel, time, MAX_MESSAGES);
    const allowed = req.token ? req.token.channels : null;
    if (allowed) messages = messages.filter((m) => allowed.includes(m.channel));
    return { messages, result: 0, message: null };
  });

  route('/api/message/createmessage', true, async (req) => {
    const p = params(req);
    const channel = channelField(p, false) as string;
    requireScope(req.token, 'publish', channel, false);
    const content = p.content;
    if (content === undefined || content === '') throw incorrect('Content', 'is required');
    if (content.includes('\u0000')) throw incorrect('Content', 'must not contain NUL characters');
    if (utf8Length(content) > MAX_BODY_BYTES) throw incorrect('Content', `must be at most ${MAX_BODY_BYTES} bytes`);
    const clock = now();
    const time = intField(p, 'Time', false);
    const explicit = time === undefined || time === 0 ? undefined : time;
    if (explicit !== undefined && explicit > clock + MAX_FUTURE_SECONDS) throw incorrect('Time', 'is more than 5 minutes in the future');
    const result = await store.insert({
      record: { id: 'cl-pending', channel, kind: 'news', issued: explicit ?? clock, title: titleOf(content), body: content, sig: null },
      content,
      now: clock,
      idFromSeq: 'cl-',
      ...(explicit !== undefined ? { created: explicit } : {}),
    });
    if (result.status === 'rejected') throw incorrect(result.field === 'Time' ? 'Time' : 'Content', result.message);
    return { messageId: result.message.seq, result: 0, message: null };
  });

  route('/api/message/removemessage', true, async (req) => {
    const p = params(req);
    if (req.token === undefined || req.token === null) requireScope(req.token, 'publish', undefined, false);
    const id = intField(p, 'Id', true) as number;
    const target = await store.bySeq(id);
    if (!target || target.kind === 'retraction') throw incorrect('Id', 'names no message');
    requireScope(req.token, 'publish', target.channel, false);
    const clock = now();
    // A deterministic id makes a repeated RemoveMessage a safe retry rather than a second retraction.
    const result = await store.insert({
      record: { id: `rm-${target.seq}`, channel: target.channel, kind: 'retraction', issued: clock, title: '', body: '', retracts: target.id, sig: null },
      content: '',
      now: clock,
    });
    if (result.status === 'rejected') throw incorrect('Id', result.message);
    return { result: 0, message: null };
  });
}
