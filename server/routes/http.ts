// Small helpers shared by the routes: conditional GETs and query-parameter parsing.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CHANNEL_PATTERN } from '../../shared/protocol/limits.ts';
import { badRequest } from '../errors.ts';
import type { ServerConfig } from '../config.ts';

/** The Cache-Control value of every feed GET, computed once per service. */
export function cacheControlOf(config: ServerConfig): string {
  // A private feed needs no `private` or `Vary: Authorization`: shared caches never store answers to
  // requests that carry Authorization unless told `public` (RFC 9111 §3.5). Every byte counts here.
  return config.publicRead ? `public, max-age=${config.maxAge}` : `max-age=${config.maxAge}`;
}

/** Whether an If-None-Match value names this strong ETag (or is `*`); weak validators never match. */
export function etagMatches(inm: string | undefined, etag: string): boolean {
  if (!inm) return false;
  if (inm === etag) return true;
  for (const t of inm.split(',')) {
    const v = t.trim();
    if (v === '*' || v === etag) return true;
  }
  return false;
}

/** True when If-None-Match names this (strong) ETag; then a 304 with the same validators is sent. */
export function notModified(req: FastifyRequest, reply: FastifyReply, etag: string, cacheControl: string): boolean {
  void reply.header('ETag', etag);
  void reply.header('Cache-Control', cacheControl);
  const match = etagMatches(req.headers['if-none-match'], etag);
  if (match) void reply.code(304).send();
  return match;
}

export function channelParam(raw: string | undefined): string {
  if (raw === undefined || !CHANNEL_PATTERN.test(raw)) {
    throw badRequest('channel', 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', 'invalid_channel');
  }
  return raw;
}

export function intParam(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw badRequest(name, `must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(name, `must be a whole number from ${min} to ${max}`);
  return n;
}
