// Key rotation on the wire (docs/key-rotation.md):
//   GET  /v1/keys  every stored rotation statement, oldest first, with a strong ETag (reader)
//   POST /v1/keys  the next statement, checked against the chain before it is stored (publisher)
// Companions fetch the chain only when a record is signed by a key they do not know or when a heads answer
// (a 200, never the routine 304) advertises a newer statement in its `Tidings-Keys` header.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import canonicalize from 'canonicalize';
import { checkStatement, statementSchema } from '../../shared/protocol/rotation.ts';
import { firstIssue } from '../../shared/protocol/schemas.ts';
import { badRequest, HttpError } from '../errors.ts';
import { requireScope } from '../auth.ts';
import type { ServerConfig } from '../config.ts';
import type { FeedStore } from '../store/types.ts';
import type { Publishers } from '../publishers.ts';
import { cacheControlOf, notModified } from './http.ts';

interface Deps {
  store: FeedStore;
  config: ServerConfig;
  now: () => number;
  publishers: Publishers;
}

function jsonOnly(req: FastifyRequest): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
}

export function registerKeys(app: FastifyInstance, { store, config, now, publishers }: Deps): void {
  const cacheControl = cacheControlOf(config);

  app.get('/v1/keys', async (req, reply) => {
    requireScope(req.token, 'read', undefined, config.publicRead);
    const { statements } = await publishers.chainState();
    if (notModified(req, reply, `"${store.epoch}-k${statements.length}"`, cacheControl)) return reply;
    return reply.type('application/json; charset=utf-8').send(`{"statements":[${statements.join(',')}]}`);
  });

  app.post('/v1/keys', {
    config: { publish: true },
    onRequest: async (req) => {
      requireScope(req.token, req.token ? 'read' : 'publish', undefined, false);
      // Changing who may sign is a feed-wide act: a publish token, and one that covers every channel.
      const t = req.token;
      if (t && (!t.scopes.includes('publish') || t.channels !== null)) {
        const why = t.scopes.includes('publish') ? 'a key rotation needs a publish token that covers every channel' : 'the access token lacks the publish scope';
        throw new HttpError(403, 'insufficient_scope', why, undefined, { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="publish"' });
      }
      jsonOnly(req);
    },
  }, async (req, reply) => {
    const r = await acceptStatement({ store, now, publishers }, req.body);
    return reply.code(r.status).send({ seq: r.seq, statement: r.statement });
  });
}

/**
 * The next key rotation statement, checked against the chain and stored: the one path of `POST /v1/keys` and the
 * console's key management. 201 stored, 200 the same statement again; else a typed refusal.
 */
export async function acceptStatement({ store, now, publishers }: Pick<Deps, 'store' | 'now' | 'publishers'>, body: unknown): Promise<{ status: 200 | 201; seq: number; statement: unknown }> {
  const parsed = statementSchema.safeParse(body);
  if (!parsed.success) {
    const { field, message } = firstIssue(parsed.error);
    throw badRequest(field, `${field || 'body'} ${message}`);
  }
  const st = parsed.data;
  const chain = await publishers.chainState();
  const next = chain.set.seq + 1;
  if (st.seq < next) {
    // The same statement again is a safe retry; anything else at a taken seq is a conflict.
    const stored = chain.statements[st.seq - 1];
    if (stored !== undefined && canonicalize(JSON.parse(stored)) === canonicalize(st)) return { status: 200, seq: st.seq, statement: st };
    throw new HttpError(409, 'seq_conflict', `statement ${st.seq} already exists; the next one is ${next}`, 'seq');
  }
  const verdict = await checkStatement(chain.set, st, { consecutive: true });
  if (!verdict.ok) throw new HttpError(422, 'bad_statement', `the key statement ${verdict.reason}`, verdict.reason.includes('signed by') || verdict.reason.includes('without its signature') ? 'sigs' : undefined);
  const json = JSON.stringify(verdict.statement);
  if (!(await store.addKeyStatement(st.seq, json, now()))) {
    throw new HttpError(409, 'seq_conflict', `statement ${st.seq} was stored by another publish just now; fetch the chain and sign the next one`, 'seq');
  }
  return { status: 201, seq: st.seq, statement: verdict.statement };
}
