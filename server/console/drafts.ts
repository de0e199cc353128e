// Drafts (docs/console.md "Drafts"): news posts and releases a publisher is still writing, kept by the service per
// channel so they survive a reload or another browser. A draft is never signed or served to readers; the page
// signs it when the publisher posts it. Publish scope on the channel, every change audited.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { semverString } from '../../shared/protocol/schemas.ts';
import { MAX_BODY_BYTES, MAX_TITLE_CODE_POINTS, codePointLength, utf8Length } from '../../shared/protocol/limits.ts';
import { requireScope } from '../auth.ts';
import { HttpError, badRequest } from '../errors.ts';
import { channelParam } from '../routes/http.ts';
import type { Draft } from '../store/console.ts';
import { jsonBody, type ConsoleContext } from './context.ts';

/** A bound on what one channel keeps (drafts are meant to be posted or thrown away). */
export const MAX_DRAFTS_PER_CHANNEL = 200;
const FIELDS = new Set(['channel', 'kind', 'title', 'body', 'version', 'rollout', 'critical']);

type Fields = Pick<Draft, 'kind' | 'title' | 'body' | 'version' | 'rollout' | 'critical'>;

/** The draft's fields from a body, each checked against the limits of a message; one sentence naming the field. */
function fieldsOf(body: Record<string, unknown>): Fields {
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) throw badRequest(k, `unknown field "${k}": a draft has kind, title, body, version, rollout and critical`);
  const kind = body.kind ?? 'news';
  if (kind !== 'news' && kind !== 'release') throw badRequest('kind', 'kind must be news or release');
  const title = body.title ?? '';
  if (typeof title !== 'string' || codePointLength(title) > MAX_TITLE_CODE_POINTS) throw badRequest('title', `title must be text of at most ${MAX_TITLE_CODE_POINTS} characters`);
  const text = body.body ?? '';
  if (typeof text !== 'string' || utf8Length(text) > MAX_BODY_BYTES) throw badRequest('body', `body must be Markdown text of at most ${MAX_BODY_BYTES / 1024} KiB`);
  let version: string | null = null;
  if (body.version !== undefined && body.version !== null && body.version !== '') {
    if (typeof body.version !== 'string' || body.version.length > 64 || !semverString.safeParse(body.version).success) throw badRequest('version', 'version must be a semantic version such as 2.1.0');
    version = body.version;
  }
  let rollout: number | null = null;
  if (body.rollout !== undefined && body.rollout !== null) {
    if (typeof body.rollout !== 'number' || !Number.isInteger(body.rollout) || body.rollout < 0 || body.rollout > 100) throw badRequest('rollout', 'rollout must be a whole percentage from 0 to 100');
    rollout = body.rollout;
  }
  if (body.critical !== undefined && typeof body.critical !== 'boolean') throw badRequest('critical', 'critical must be true or false');
  return { kind, title, body: text, version, rollout, critical: body.critical === true };
}

const notFound = (id: string) => new HttpError(404, 'unknown_draft', `there is no draft ${id} (it may have been deleted)`);

export function registerDrafts(app: FastifyInstance, { deps, session, change, audit }: ConsoleContext): void {
  const { store, now } = deps;

  app.get('/console/api/drafts', async (req) => {
    const s = await session(req);
    const channel = channelParam((req.query as { channel?: string }).channel);
    requireScope(s.token, 'publish', channel, false);
    return { drafts: await store.console.drafts(channel) };
  });

  app.post('/console/api/drafts', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    const body = jsonBody(req);
    const channel = channelParam(typeof body.channel === 'string' ? body.channel : undefined);
    requireScope(s.token, 'publish', channel, false);
    const fields = fieldsOf(body);
    if ((await store.console.drafts(channel)).length >= MAX_DRAFTS_PER_CHANNEL) {
      throw new HttpError(409, 'too_many_drafts', `${channel} already keeps ${MAX_DRAFTS_PER_CHANNEL} drafts; post or delete some first`);
    }
    const at = now();
    const draft: Draft = { id: randomUUID(), channel, ...fields, created: at, updated: at, by: s.token.name };
    await store.console.saveDraft(draft);
    await audit(s, 'save draft', channel, `${draft.kind} "${draft.title}"`);
    return reply.code(201).send(draft);
  });

  /** The draft with this id, if the session may publish on its channel (else 403, or 404 when there is none). */
  const mine = async (id: string, token: Parameters<typeof requireScope>[0]) => {
    const d = await store.console.draft(id);
    if (!d) throw notFound(id);
    requireScope(token, 'publish', d.channel, false);
    return d;
  };

  app.put('/console/api/drafts/:id', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    const body = jsonBody(req);
    const old = await mine((req.params as { id: string }).id, s.token);
    if (body.channel !== undefined && body.channel !== old.channel) throw badRequest('channel', 'a draft stays on its channel; make a new draft for another one');
    // Fields left out keep their values (a page may save only the title and body).
    const { kind, title, body: text, version, rollout, critical } = old;
    const draft: Draft = { ...old, ...fieldsOf({ kind, title, body: text, version, rollout, critical, ...body }), updated: now(), by: s.token.name };
    await store.console.saveDraft(draft);
    await audit(s, 'save draft', draft.channel, `${draft.kind} "${draft.title}"`);
    return reply.code(200).send(draft);
  });

  app.delete('/console/api/drafts/:id', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    const d = await mine((req.params as { id: string }).id, s.token);
    if (!(await store.console.deleteDraft(d.id))) throw notFound(d.id);
    await audit(s, 'delete draft', d.channel, `${d.kind} "${d.title}"`);
    return reply.code(204).send();
  });
}
