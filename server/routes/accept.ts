// Accepting a signed record: the one path every publish takes (the v1 publish endpoint and the publisher
// console, server/console/api.ts): the schema, the channel, the signature against the trusted (and
// rotated) keys, then the store's publish rules.
import { firstIssue, schemas, type PublishRecord } from '../../shared/protocol/schemas.ts';
import type { ServerConfig } from '../config.ts';
import { HttpError, badRequest } from '../errors.ts';
import type { Publishers } from '../publishers.ts';
import type { FeedStore } from '../store/types.ts';

export interface AcceptDeps {
  store: FeedStore;
  config: ServerConfig;
  now: () => number;
  publishers: Publishers;
}

export type Accepted =
  | { status: 201 | 200; message: Record<string, unknown> }
  | { status: 202; message: { accepted: true; live: true } };

export function recordChecker({ config, publishers }: Pick<AcceptDeps, 'config' | 'publishers'>) {
  const parse = schemas({ allowLoopbackHttp: config.allowLoopbackHttp });
  /** The body as a publish record for `channel`, signed by a key this feed trusts; else a typed refusal. */
  return async (body: unknown, channel: string): Promise<PublishRecord> => {
    const parsed = parse.publish.safeParse(body);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      throw badRequest(field, `${field || 'body'} ${message}`);
    }
    const record: PublishRecord = parsed.data;
    if (record.channel !== channel) throw badRequest('channel', `must equal the channel in the path (${channel})`);
    const ring = await publishers.keyRing();
    const verdict = await ring.verify(record);
    if (!verdict.ok) {
      if (verdict.reason === 'unknown-key') throw new HttpError(422, 'unknown_key', 'the record is signed with a key this feed does not trust', 'sig.key');
      if (verdict.reason === 'retired-key' || verdict.reason === 'revoked-key') throw new HttpError(422, verdict.reason === 'revoked-key' ? 'revoked_key' : 'retired_key', `the record is signed with a key a key rotation ${verdict.reason === 'revoked-key' ? 'revoked' : 'retired'}; sign with the current key`, 'sig.key');
      throw new HttpError(422, 'bad_signature', 'the signature does not match the record', 'sig.ed25519');
    }
    return record;
  };
}

/** Stores (or, live-only, pushes) a checked record under the store's publish rules. */
export async function storeRecord({ store, now }: Pick<AcceptDeps, 'store' | 'now'>, record: PublishRecord): Promise<Accepted> {
  if (record.persistent === false) {
    // Live-only: pushed to connected readers and forgotten (no seq, never stored or replayed).
    await store.publishLive(record.channel, JSON.stringify({ ...record, created: now() }));
    return { status: 202, message: { accepted: true, live: true } };
  }
  const result = await store.insert({ record, now: now() });
  if (result.status === 'rejected') throw new HttpError(result.httpStatus, result.code, result.message, result.field);
  const { retracted: _r, ...message } = result.message as typeof result.message & { retracted?: boolean };
  return { status: result.status === 'created' ? 201 : 200, message };
}
