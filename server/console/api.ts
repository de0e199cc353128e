// The publisher console's API (docs/console.md): sign-in sessions, the channel overview, and every change
// through the very code the v1 API uses (server/routes/accept.ts for signed records, the failed-start counts
// of server/routes/reports.ts). Each change needs the session cookie and its CSRF token, is allowed by the
// token's scopes and channels exactly as on the v1 API, and is written to the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PublishRecord } from '../../shared/protocol/schemas.ts';
import { requireScope } from '../auth.ts';
import { authenticate } from '../auth.ts';
import { HttpError, badRequest } from '../errors.ts';
import { RateLimiter } from '../ratelimit.ts';
import { recordChecker, storeRecord, type AcceptDeps } from '../routes/accept.ts';
import { failedStartCounts } from '../routes/reports.ts';
import { channelParam } from '../routes/http.ts';
import type { TokenRow } from '../store/types.ts';
import { channelView } from './overview.ts';
import { SESSION_SECONDS, SIGN_IN_HEADER, checkCsrf, checkOrigin, clearCookie, csrfOf, newSecret, sessionCookie, setCookie, sha256 } from './security.ts';

interface Session { id: string; hash: Buffer; token: TokenRow; expires: number }

const signedOut = () => new HttpError(401, 'signed_out', 'you are signed out (or the session expired, or its token was revoked); sign in again');

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw badRequest('', 'the body must be a JSON object');
  return req.body as Record<string, unknown>;
}

function text(body: Record<string, unknown>, field: string, max: number, required = true): string {
  const v = body[field];
  if (v === undefined && !required) return '';
  if (typeof v !== 'string' || (required && v.trim() === '') || v.length > max) throw badRequest(field, `${field} must be text of 1 to ${max} characters`);
  return v.trim();
}

export function registerConsoleApi(app: FastifyInstance, deps: AcceptDeps): void {
  const { store, config, now } = deps;
  const checkRecord = recordChecker(deps);
  const signIns = new RateLimiter(60_000);
  const secure = (req: FastifyRequest) => req.protocol === 'https' || config.console?.secureCookie === true;

  async function session(req: FastifyRequest): Promise<Session> {
    const id = sessionCookie(req);
    if (!id) throw signedOut();
    const hash = sha256(id);
    const s = await store.console.session(hash, now());
    if (!s) throw signedOut();
    const token = await store.tokenById(s.tokenId);
    if (!token || token.revoked !== null) throw signedOut();
    const { hash: _h, ...row } = token;
    return { id, hash, token: row, expires: s.expires };
  }

  /** A change: signed in, from this origin, with the CSRF token. */
  async function change(req: FastifyRequest): Promise<Session> {
    checkOrigin(req);
    const s = await session(req);
    checkCsrf(req, s.id);
    return s;
  }

  const audit = (s: Session, action: string, channel: string | null, detail: string) =>
    store.console.addAudit({ at: now(), who: s.token.name, action, channel, detail });

  const describe = (s: Session) => ({
    name: s.token.name,
    scopes: s.token.scopes,
    channels: s.token.channels,
    expires: s.expires,
    csrf: csrfOf(s.id),
  });

  app.post('/console/api/session', async (req, reply) => {
    // Counted before anything is looked at, so guessing tokens costs the guesser time.
    const v = signIns.hit(`ip:${req.ip}`, config.console?.signInsPerMinute ?? 10);
    if (!v.ok) throw new HttpError(429, 'rate_limited', `too many sign-in attempts; wait ${v.retryAfter} s`, undefined, { 'Retry-After': String(v.retryAfter) });
    checkOrigin(req);
    if (req.headers[SIGN_IN_HEADER] !== '1') throw new HttpError(403, 'csrf', 'sign in from the console page itself');
    const body = jsonBody(req);
    const raw = text(body, 'token', 200);
    const token = await authenticate(store, undefined, raw);
    if (!token) throw new HttpError(401, 'invalid_token', 'this token is unknown or revoked; check it and try again', 'token');
    const id = newSecret();
    const expires = now() + SESSION_SECONDS;
    await store.console.createSession(sha256(id), { tokenId: token.id, created: now(), expires });
    const s: Session = { id, hash: sha256(id), token, expires };
    await audit(s, 'sign in', null, `scopes ${token.scopes.join(', ')}; channels ${token.channels?.join(', ') ?? 'all'}`);
    void reply.header('Set-Cookie', setCookie(id, SESSION_SECONDS, secure(req)));
    return reply.code(201).send(describe(s));
  });

  app.get('/console/api/session', async (req) => describe(await session(req)));

  app.delete('/console/api/session', async (req, reply) => {
    const s = await change(req);
    await store.console.deleteSession(s.hash);
    await audit(s, 'sign out', null, '');
    void reply.header('Set-Cookie', clearCookie(secure(req)));
    return reply.code(204).send();
  });

  app.get('/console/api/channels', async (req) => {
    const s = await session(req);
    const halts = await store.console.halts();
    const visible = (await store.channels()).filter((c) => s.token.channels === null || s.token.channels.includes(c.name));
    return { channels: await Promise.all(visible.map((c) => channelView(store, c, halts))) };
  });

  app.get('/console/api/failed-starts', async (req) => {
    const s = await session(req);
    requireScope(s.token, 'publish', undefined, false);
    return failedStartCounts(store, s.token.channels);
  });

  app.get('/console/api/audit', async (req) => {
    const s = await session(req);
    return { entries: await store.console.audit({ channels: s.token.channels, limit: 200 }) };
  });

  /** What a signed record does, for the audit log; refuses an advance of a halted or a lowered rollout. */
  async function actionOf(record: PublishRecord): Promise<{ action: string; detail: string }> {
    if (record.kind === 'news') return { action: 'post news', detail: record.title };
    if (record.kind === 'retraction') {
      const target = await store.byId(record.retracts ?? '');
      if (target?.kind === 'release') return { action: 'recall', detail: `${target.release?.version ?? ''} (copy ${target.id})` };
      return { action: 'retract', detail: target ? `${target.kind} "${target.title}"` : String(record.retracts) };
    }
    const version = record.release?.version ?? '';
    const rollout = record.target?.rollout ?? 100;
    const view = await channelView(store, { name: record.channel, kind: 'update', head: 0 }, await store.console.halts());
    const existing = view.releases.find((r) => r.version === version && !r.recalled);
    if (!existing) return { action: 'link version', detail: `${version} at ${rollout} %` };
    if (existing.halt) throw new HttpError(409, 'halted', `the rollout of ${version} is halted (${existing.halt.reason}); resume it before advancing`, 'target.rollout');
    if (rollout <= existing.rollout) throw badRequest('target.rollout', `target.rollout must be above the current ${existing.rollout} %: a rollout only advances (halt or recall it to stop it)`);
    return { action: 'advance rollout', detail: `${version} from ${existing.rollout} % to ${rollout} %` };
  }

  app.post('/console/api/records', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    const body = jsonBody(req);
    const record = body.record as { channel?: unknown } | undefined;
    if (typeof record !== 'object' || record === null) throw badRequest('record', 'record must be a signed feed record');
    const channel = channelParam(typeof record.channel === 'string' ? record.channel : undefined);
    requireScope(s.token, 'publish', channel, false);
    const checked = await checkRecord(record, channel);
    const what = await actionOf(checked);
    const accepted = await storeRecord(deps, checked);
    if (accepted.status === 201 || accepted.status === 202) await audit(s, what.action, channel, what.detail);
    return reply.code(accepted.status).send(accepted.message);
  });

  const haltRoute = (halted: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const s = await change(req);
    const body = jsonBody(req);
    const channel = channelParam(typeof body.channel === 'string' ? body.channel : undefined);
    requireScope(s.token, 'publish', channel, false);
    const version = text(body, 'version', 64);
    const reason = halted ? text(body, 'reason', 200, false) || `halted by ${s.token.name}` : '';
    const view = await channelView(store, { name: channel, kind: 'update', head: 0 }, await store.console.halts());
    const release = view.releases.find((r) => r.version === version);
    if (!release) throw badRequest('version', `there is no release ${version} on ${channel}`, 'unknown_release');
    if (release.recalled) throw new HttpError(409, 'recalled', `${version} was recalled; there is no rollout to ${halted ? 'halt' : 'resume'}`, 'version');
    if (Boolean(release.halt) === halted) throw new HttpError(409, halted ? 'halted' : 'not_halted', `the rollout of ${version} is ${halted ? 'already halted' : 'not halted'}`, 'version');
    await store.console.setHalt({ channel, version, halted, reason, at: now(), by: s.token.name });
    await audit(s, halted ? 'halt rollout' : 'resume rollout', channel, `${version} at ${release.rollout} %${reason ? `: ${reason}` : ''}`);
    return reply.code(200).send({ channel, version, halted, reason });
  };
  app.post('/console/api/rollouts/halt', { config: { publish: true } }, haltRoute(true));
  app.post('/console/api/rollouts/resume', { config: { publish: true } }, haltRoute(false));
}
