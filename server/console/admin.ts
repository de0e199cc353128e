// Token and trusted-key management in the console (docs/console.md "Tokens and keys"): the admin scope only.
// Tokens reuse server/tokens.ts (the CLI's model: only a hash of the secret is stored, the secret is shown once in
// the answer that created it); revoking reaches the token cache through the store's token version, so a revoked
// token is refused within a second on every node. Keys: what `tidings key add` and the v1 key API allow — adding or
// removing a database key before the first rotation, and after it only signed rotation statements.
import type { FastifyInstance } from 'fastify';
import { CHANNEL_PATTERN, PUBLIC_KEY_B64_PATTERN } from '../../shared/protocol/limits.ts';
import { keyIdOf } from '../../shared/protocol/signing.ts';
import { HttpError, badRequest } from '../errors.ts';
import { createToken } from '../tokens.ts';
import { SCOPES, type Scope } from '../store/types.ts';
import { acceptStatement } from '../routes/keys.ts';
import { jsonBody, requireAdmin, text, type ConsoleContext } from './context.ts';

const MAX_TOKEN_CHANNELS = 64;

function scopesOf(v: unknown): Scope[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => !(SCOPES as readonly unknown[]).includes(x))) {
    throw badRequest('scopes', `scopes must be a list of one or more of ${SCOPES.join(', ')}`);
  }
  return [...new Set(v as Scope[])];
}

function channelsOf(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_TOKEN_CHANNELS || v.some((c) => typeof c !== 'string' || !CHANNEL_PATTERN.test(c))) {
    throw badRequest('channels', `channels must be null (every channel) or a list of 1 to ${MAX_TOKEN_CHANNELS} channel names`);
  }
  return [...new Set(v as string[])];
}

export interface TrustedKey {
  keyId: string;
  publicKey: string;
  /** The name given with `tidings key add` or here; null for configured and rotated-in keys. */
  name: string | null;
  /** configured: in the service's configuration; added: in the database; rotation: brought in by a statement. */
  source: 'configured' | 'added' | 'rotation';
  /** Unix seconds it was added to the database, else null. */
  added: number | null;
  /** Signs new records now. */
  current: boolean;
  /** `issued` of the rotation that dropped it, else null. */
  retired: number | null;
  revoked: boolean;
}

export function registerAdmin(app: FastifyInstance, { deps, session, change, audit }: ConsoleContext): void {
  const { store, now, config, publishers } = deps;

  app.get('/console/api/tokens', async (req) => {
    requireAdmin(await session(req));
    return { tokens: await store.listTokens() };
  });

  app.post('/console/api/tokens', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    requireAdmin(s);
    const body = jsonBody(req);
    const name = text(body, 'name', 64);
    const scopes = scopesOf(body.scopes);
    const channels = channelsOf(body.channels);
    if (scopes.includes('admin') && channels !== null) throw badRequest('channels', 'an admin token covers every channel: leave channels empty');
    const made = await createToken(store, { name, scopes, channels, now: now() });
    // The secret is in this answer only; the audit log and every log line name the token by its id.
    await audit(s, 'create token', null, `${made.row.id} "${name}": ${made.row.scopes.join('+')} on ${channels ? channels.join(', ') : 'every channel'}`);
    return reply.code(201).send({ token: made.token, row: made.row });
  });

  app.delete('/console/api/tokens/:id', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    requireAdmin(s);
    const id = (req.params as { id: string }).id;
    if (id === s.token.id) throw new HttpError(409, 'own_token', 'this is the token you are signed in with; sign in with another admin token to revoke it');
    const row = (await store.listTokens()).find((t) => t.id === id);
    if (!row) throw new HttpError(404, 'unknown_token', `there is no token ${id}`);
    if (row.revoked !== null) throw new HttpError(409, 'revoked', `token ${id} was already revoked`);
    const at = now();
    await store.revokeToken(id, at);
    await audit(s, 'revoke token', null, `${id} "${row.name}"`);
    return reply.code(200).send({ id, revoked: at });
  });

  async function trustedKeys(): Promise<{ keys: TrustedKey[]; rotation: { seq: number; threshold: number } }> {
    const { set } = await publishers.chainState();
    const stored = await store.publisherKeys();
    const configured = await Promise.all(config.publisherKeys.map(async (publicKey) => ({ publicKey, keyId: await keyIdOf(publicKey) })));
    const byId = new Map<string, TrustedKey>();
    const add = (keyId: string, publicKey: string, source: TrustedKey['source'], name: string | null, added: number | null) => {
      if (byId.has(keyId)) return;
      byId.set(keyId, { keyId, publicKey, name, source, added, current: keyId in set.keys, retired: set.retired[keyId]?.since ?? null, revoked: set.revoked.includes(keyId) });
    };
    for (const k of configured) add(k.keyId, k.publicKey, 'configured', null, null);
    for (const k of stored) add(k.keyId, k.publicKey, 'added', k.name, k.added);
    for (const [keyId, publicKey] of Object.entries(set.keys)) add(keyId, publicKey, 'rotation', null, null);
    for (const [keyId, r] of Object.entries(set.retired)) add(keyId, r.publicKey, 'rotation', null, null);
    return { keys: [...byId.values()], rotation: { seq: set.seq, threshold: set.threshold } };
  }

  const afterRotation = () => new HttpError(409, 'rotated', 'this feed\'s keys have changed by a signed rotation since: add or retire a key with the next rotation statement (tidings key rotate), signed by the current keys');

  app.get('/console/api/keys', async (req) => {
    requireAdmin(await session(req));
    return trustedKeys();
  });

  app.post('/console/api/keys', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    requireAdmin(s);
    const body = jsonBody(req);
    const publicKey = body.publicKey;
    if (typeof publicKey !== 'string' || !PUBLIC_KEY_B64_PATTERN.test(publicKey)) throw badRequest('publicKey', 'publicKey must be an Ed25519 public key: standard base64 of 32 bytes, as tidings keygen prints it');
    const name = text(body, 'name', 64, false);
    const current = await trustedKeys();
    if (current.rotation.seq > 0) throw afterRotation();
    const keyId = await keyIdOf(publicKey);
    if (current.keys.some((k) => k.keyId === keyId)) throw new HttpError(409, 'exists', `key ${keyId} is trusted already`, 'publicKey');
    await store.addPublisherKey(publicKey, keyId, name || keyId, now());
    await audit(s, 'add key', null, `${keyId}${name ? ` "${name}"` : ''}`);
    const key = (await trustedKeys()).keys.find((k) => k.keyId === keyId);
    return reply.code(201).send({ key });
  });

  app.delete('/console/api/keys/:keyId', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    requireAdmin(s);
    const keyId = (req.params as { keyId: string }).keyId;
    const current = await trustedKeys();
    const key = current.keys.find((k) => k.keyId === keyId);
    if (!key) throw new HttpError(404, 'unknown_key', `no trusted key has the id ${keyId}`);
    if (current.rotation.seq > 0) throw afterRotation();
    if (key.source === 'configured') throw new HttpError(409, 'configured', `key ${keyId} is set in the service's configuration; remove it there and restart`);
    if (current.keys.filter((k) => k.current).length <= 1) throw new HttpError(409, 'last_key', `key ${keyId} is the only trusted key; add its successor first`);
    await store.removePublisherKey(keyId);
    await audit(s, 'retire key', null, keyId);
    return reply.code(200).send({ keyId, retired: true });
  });

  app.post('/console/api/keys/statements', { config: { publish: true } }, async (req, reply) => {
    const s = await change(req);
    requireAdmin(s);
    const body = jsonBody(req);
    const r = await acceptStatement({ store, now, publishers }, body.statement);
    const st = r.statement as { keys?: string[]; revoked?: string[]; threshold?: number };
    if (r.status === 201) {
      const ids = await Promise.all((st.keys ?? []).map((k) => keyIdOf(k)));
      await audit(s, 'rotate keys', null, `statement ${r.seq}: keys ${ids.join(', ')} (threshold ${st.threshold ?? 1})${st.revoked?.length ? `; revoked ${st.revoked.join(', ')}` : ''}`);
    }
    return reply.code(r.status).send({ seq: r.seq, statement: r.statement });
  });
}
