// The publisher console's API (docs/console.md): sign-in sessions, the channel overview, and every change
// through the very code the v1 API uses (server/routes/accept.ts for signed records, the report counts of
// server/routes/reports.ts, the halt rule of server/halts.ts). Each change needs the session cookie and its CSRF
// token, is allowed by the token's scopes and channels exactly as on the v1 API, and is written to the audit
// log. Rollouts and halt policies, drafts, and tokens and keys have files of their own.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PublishRecord } from '../../shared/protocol/schemas.ts';
import { DEFAULT_HALT_POLICY } from '../../shared/protocol/reports.ts';
import { authenticate, requireScope } from '../auth.ts';
import { HttpError, badRequest } from '../errors.ts';
import { RateLimiter } from '../ratelimit.ts';
import { recordChecker, storeRecord, type AcceptDeps } from '../routes/accept.ts';
import { failedStartCounts } from '../routes/reports.ts';
import { channelParam } from '../routes/http.ts';
import { allows } from '../tokens.ts';
import { refuseHaltedAdvance } from '../halts.ts';
import { adoptionOf, summarize } from '../adoption.ts';
import { channelView } from './overview.ts';
import { consoleContext, jsonBody, text, type Session } from './context.ts';
import { registerRollouts } from './rollouts.ts';
import { registerDrafts } from './drafts.ts';
import { registerAdmin } from './admin.ts';
import { SESSION_SECONDS, SIGN_IN_HEADER, checkOrigin, clearCookie, csrfOf, newSecret, setCookie, sha256 } from './security.ts';

export function registerConsoleApi(app: FastifyInstance, deps: AcceptDeps): void {
  const { store, config, now } = deps;
  const ctx = consoleContext(deps);
  const { session, change, audit } = ctx;
  const checkRecord = recordChecker(deps);
  const signIns = new RateLimiter(60_000);
  const secure = (req: FastifyRequest) => req.protocol === 'https' || config.console?.secureCookie === true;

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
    const [halts, policies] = await Promise.all([store.console.halts(), store.console.haltPolicies()]);
    const visible = (await store.channels()).filter((c) => s.token.channels === null || s.token.channels.includes(c.name));
    // Adoption and failure counts are the publisher's: only on channels this token may publish to.
    const publishable = visible.filter((c) => allows(s.token, 'publish', c.name)).map((c) => c.name);
    const summaries = publishable.length > 0
      ? summarize(await store.adoption({ channels: publishable }), await store.failedStarts({ channels: publishable }))
      : null;
    return {
      channels: await Promise.all(visible.map(async (c) => {
        const view = await channelView(store, c, halts);
        const policy = policies.find((p) => p.channel === c.name);
        return {
          ...view,
          haltPolicy: policy ? { failPercent: policy.failPercent, minReports: policy.minReports } : { ...DEFAULT_HALT_POLICY },
          releases: view.releases.map((r) => (summaries && publishable.includes(c.name) ? { ...r, adoption: adoptionOf(summaries, c.name, r.version) } : r)),
        };
      })),
    };
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
    // The same rule as the v1 publish API.
    await refuseHaltedAdvance(store, record);
    const version = record.release?.version ?? '';
    const rollout = record.target?.rollout ?? 100;
    const view = await channelView(store, { name: record.channel, kind: 'update', head: 0 }, await store.console.halts());
    const existing = view.releases.find((r) => r.version === version && !r.recalled);
    if (!existing) return { action: 'link version', detail: `${version} at ${rollout} %` };
    // The same rollout again is a renewal (a later copy that moves the expiry; the store's renewal rule checks
    // that it is issued later with the same assets); a lower one would take the release away from installs.
    if (rollout === existing.rollout) {
      const expires = (record as { expires?: number }).expires;
      return { action: 'renew', detail: `${version} at ${rollout} %${expires ? `, now until ${new Date(expires * 1000).toISOString().slice(0, 10)}` : ', without an expiry'}` };
    }
    if (rollout < existing.rollout) throw badRequest('target.rollout', `target.rollout must not be below the current ${existing.rollout} %: a rollout only advances (halt or recall it to stop it)`);
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

  registerRollouts(app, ctx);
  registerDrafts(app, ctx);
  registerAdmin(app, ctx);
}
