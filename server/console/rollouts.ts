// Halting and resuming a rollout, and each channel's halt policy (docs/console.md "API"; the self-halt rule in
// server/halts.ts). A halt is the service's own state, not a signed record: while it lasts, the routine check
// carries the version as a hold and no advance is accepted. A resume takes the hold away and makes the counts at
// that moment the self-halt rule's baseline.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireScope } from '../auth.ts';
import { HttpError, badRequest } from '../errors.ts';
import { channelParam } from '../routes/http.ts';
import { resumeBaseline } from '../halts.ts';
import { channelView } from './overview.ts';
import { jsonBody, text, type ConsoleContext } from './context.ts';

export const FAIL_PERCENT = { min: 0.1, max: 100 } as const;
export const MIN_REPORTS = { min: 1, max: 100_000 } as const;

export function registerRollouts(app: FastifyInstance, { deps, change, audit }: ConsoleContext): void {
  const { store, now } = deps;

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
    const base = halted ? undefined : await resumeBaseline(store, channel, version);
    await store.console.setHalt({ channel, version, halted, reason, at: now(), by: s.token.name, automatic: false, ...(base ? { base } : {}) });
    const was = release.halt?.automatic ? ' (it had stopped by itself)' : '';
    await audit(s, halted ? 'halt rollout' : 'resume rollout', channel, `${version} at ${release.rollout} %${reason ? `: ${reason}` : was}`);
    return reply.code(200).send({ channel, version, halted, reason });
  };
  app.post('/console/api/rollouts/halt', { config: { publish: true } }, haltRoute(true));
  app.post('/console/api/rollouts/resume', { config: { publish: true } }, haltRoute(false));

  app.put('/console/api/channels/:channel/halt-policy', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    const channel = channelParam((req.params as { channel?: string }).channel);
    requireScope(s.token, 'publish', channel, false);
    const body = jsonBody(req);
    for (const k of Object.keys(body)) if (k !== 'failPercent' && k !== 'minReports') throw badRequest(k, `unknown field "${k}": a halt policy has failPercent and minReports`);
    const { failPercent, minReports } = body;
    if (typeof failPercent !== 'number' || !Number.isFinite(failPercent) || failPercent < FAIL_PERCENT.min || failPercent > FAIL_PERCENT.max) {
      throw badRequest('failPercent', `failPercent must be a number from ${FAIL_PERCENT.min} to ${FAIL_PERCENT.max} (the percentage of installs that tried a release and failed to start)`);
    }
    if (typeof minReports !== 'number' || !Number.isInteger(minReports) || minReports < MIN_REPORTS.min || minReports > MIN_REPORTS.max) {
      throw badRequest('minReports', `minReports must be a whole number from ${MIN_REPORTS.min} to ${MIN_REPORTS.max} (failed-start reports needed before a rollout halts itself)`);
    }
    if (!(await store.channels()).some((c) => c.name === channel)) throw badRequest('channel', `there is no channel ${channel}`, 'unknown_channel');
    await store.console.setHaltPolicy({ channel, failPercent, minReports, at: now(), by: s.token.name });
    await audit(s, 'set halt policy', channel, `halt by itself at ${failPercent} % failed starts with at least ${minReports} reports`);
    return reply.code(200).send({ channel, haltPolicy: { failPercent, minReports } });
  });
}
