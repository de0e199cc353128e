// Key rotation (docs/key-rotation.md): a chain of signed statements, each naming the next set of publisher
// keys. A statement counts only when enough keys of the set before it signed it (the old threshold), enough
// of its own keys signed it (the new threshold), and every key it introduces signed it (proof of
// possession): TUF's root-rotation rule, on Ed25519 keys and RFC 8785 canonical JSON like the records.
// The same code runs in the feed service (before storing a statement) and in the companion (before
// trusting one), so both refuse the same things.
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { KEY_ID_PATTERN, PUBLIC_KEY_B64_PATTERN } from './limits.ts';
import { signature, unixSeconds } from './schemas.ts';
import { fromBase64, keyIdOf, KeyRing, toBase64, type SigningKey, type VerifyResult } from './signing.ts';

/** Keys in one set, revocations in one statement, signatures on one statement. */
export const MAX_SET_KEYS = 16;
/** A chain longer than this is not followed (python-tuf's max_root_rotations is 256 too). */
export const MAX_CHAIN = 256;
/** The answer header that tells a companion which statement is the feed's newest (only when there is one). */
export const KEYS_HEADER = 'tidings-keys';

export const statementBody = z.strictObject({
  v: z.literal(1),
  type: z.literal('tidings-keys'),
  seq: z.int().min(1).max(1_000_000),
  keys: z.array(z.string().regex(PUBLIC_KEY_B64_PATTERN, 'must be standard base64 of a 32-byte Ed25519 public key')).min(1).max(MAX_SET_KEYS),
  threshold: z.int().min(1).max(MAX_SET_KEYS),
  revoked: z.array(z.string().regex(KEY_ID_PATTERN, 'must be a 16-hex-digit key id')).max(MAX_SET_KEYS),
  issued: unixSeconds,
});
export const statementSchema = statementBody.extend({ sigs: z.array(signature).min(1).max(2 * MAX_SET_KEYS) });
export type StatementBody = z.infer<typeof statementBody>;
export type KeyStatement = z.infer<typeof statementSchema>;
export const chainSchema = z.strictObject({ statements: z.array(z.unknown()).max(MAX_CHAIN) });

/** A trusted key set: where a chain stands. seq 0 is the keys an app (or a feed) starts from. */
export interface KeySet {
  seq: number;
  /** key id → public key (base64). */
  keys: Record<string, string>;
  threshold: number;
  /** `issued` of the newest statement followed (0 at the start). */
  issued: number;
  /** Keys dropped from the set: key id → public key and the `issued` of the statement that dropped it. */
  retired: Record<string, { publicKey: string; since: number }>;
  /** Key ids revoked by a statement: never trusted again for anything issued from their revocation on. */
  revoked: string[];
}

/** The set an app starts from: its built-in keys, any one of which may sign the first statement. */
export async function startingSet(publicKeys: readonly string[]): Promise<KeySet> {
  const keys: Record<string, string> = {};
  for (const k of publicKeys) keys[await keyIdOf(k)] = k;
  return { seq: 0, keys, threshold: 1, issued: 0, retired: {}, revoked: [] };
}

/** RFC 8785 canonical JSON of everything but the signatures. */
export function statementPayload(st: StatementBody | KeyStatement): string {
  const { sigs: _s, ...body } = st as KeyStatement;
  const text = canonicalize(body);
  if (text === undefined) throw new Error('statement cannot be canonicalized');
  return text;
}

/** Signs a statement body with each key (old keys and new keys alike). */
export async function signStatement(body: StatementBody, keys: readonly SigningKey[]): Promise<KeyStatement> {
  const payload = new TextEncoder().encode(statementPayload(body));
  const sigs = [];
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.keyId)) continue;
    seen.add(k.keyId);
    const sig = new Uint8Array(await crypto.subtle.sign('Ed25519', k.privateKey, new Uint8Array(payload)));
    sigs.push({ key: k.keyId, ed25519: toBase64(sig) });
  }
  return { ...body, sigs };
}

export type StatementCheck = { ok: true; set: KeySet; statement: KeyStatement } | { ok: false; seq: number | null; reason: string };

/** The key ids whose signature on the payload verifies, among `pubs` (id → key). */
async function validSigners(st: KeyStatement, pubs: Record<string, string>): Promise<Set<string>> {
  const payload = new TextEncoder().encode(statementPayload(st));
  const good = new Set<string>();
  for (const s of st.sigs) {
    const pub = pubs[s.key];
    if (!pub || good.has(s.key)) continue;
    const key = await crypto.subtle.importKey('raw', new Uint8Array(fromBase64(pub)), { name: 'Ed25519' }, false, ['verify']);
    if (await crypto.subtle.verify('Ed25519', key, new Uint8Array(fromBase64(s.ed25519)), new Uint8Array(payload))) good.add(s.key);
  }
  return good;
}

const count = (ids: Set<string>, of: Record<string, string>) => [...ids].filter((id) => id in of).length;

/**
 * Checks one statement against the set before it. `consecutive`: its seq must be exactly the next one (the
 * feed service, which keeps one linear chain); otherwise any later seq (a companion whose app was built with
 * a later key set joins the chain where its keys signed). Never throws for bad input.
 */
export async function checkStatement(set: KeySet, raw: unknown, opts: { consecutive: boolean }): Promise<StatementCheck> {
  const parsed = statementSchema.safeParse(raw);
  const rawSeq = typeof (raw as { seq?: unknown } | null)?.seq === 'number' ? (raw as { seq: number }).seq : null;
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, seq: rawSeq, reason: `does not match the statement schema (${issue?.path.join('.') || 'statement'}: ${issue?.message ?? 'invalid'})` };
  }
  const st = parsed.data;
  const fail = (reason: string): StatementCheck => ({ ok: false, seq: st.seq, reason });
  if (st.seq <= set.seq) return fail(`is not newer than the trusted key set (statement ${set.seq})`);
  if (opts.consecutive && st.seq !== set.seq + 1) return fail(`skips ahead: the next statement must be ${set.seq + 1}`);
  if (st.issued < set.issued) return fail('is dated before the statement it follows');
  const keys: Record<string, string> = {};
  for (const k of st.keys) {
    const id = await keyIdOf(k);
    if (id in keys) return fail(`lists key ${id} twice`);
    keys[id] = k;
  }
  if (st.threshold > st.keys.length) return fail(`asks for ${st.threshold} signatures but names ${st.keys.length} keys`);
  const revoked = new Set([...set.revoked, ...st.revoked]);
  for (const id of Object.keys(keys)) if (revoked.has(id)) return fail(`names key ${id}, which was revoked`);
  for (const id of st.revoked) {
    if (!(id in set.keys) && !(id in set.retired) && !set.revoked.includes(id)) return fail(`revokes key ${id}, which this chain never had`);
  }
  const signers = await validSigners(st, { ...set.keys, ...keys });
  const fromOld = count(signers, set.keys);
  if (fromOld < set.threshold) return fail(`is signed by ${fromOld} of the trusted keys; ${set.threshold} needed`);
  const fromNew = count(signers, keys);
  if (fromNew < st.threshold) return fail(`is signed by ${fromNew} of its own keys; ${st.threshold} needed`);
  for (const id of Object.keys(keys)) if (!(id in set.keys) && !signers.has(id)) return fail(`introduces key ${id} without its signature`);
  const retired = { ...set.retired };
  for (const [id, pub] of Object.entries(set.keys)) if (!(id in keys)) retired[id] = { publicKey: pub, since: st.issued };
  // A revoked key that was retired earlier keeps its earlier date; one revoked in this statement stops now.
  for (const id of st.revoked) if (!(id in retired) && id in set.keys) retired[id] = { publicKey: set.keys[id] as string, since: st.issued };
  return { ok: true, statement: st, set: { seq: st.seq, keys, threshold: st.threshold, issued: st.issued, retired, revoked: [...revoked] } };
}

export interface ChainResult {
  set: KeySet;
  adopted: KeyStatement[];
  /** Statements newer than the set that were not followed, with the reason (forged, out of order…). */
  refused: { seq: number | null; reason: string }[];
}

/**
 * Follows a chain from `set`: statements in seq order, each checked against the set the previous one left.
 * Statements at or below the set's seq are already known and skipped; a refused one is reported and passed
 * over, so it changes nothing.
 */
export async function followChain(set: KeySet, statements: readonly unknown[], opts: { consecutive: boolean }): Promise<ChainResult> {
  const seqOf = (s: unknown) => (typeof (s as { seq?: unknown } | null)?.seq === 'number' ? (s as { seq: number }).seq : Number.MAX_SAFE_INTEGER);
  const ordered = [...statements].slice(0, MAX_CHAIN).sort((a, b) => seqOf(a) - seqOf(b));
  const adopted: KeyStatement[] = [];
  const refused: ChainResult['refused'] = [];
  let current = set;
  for (const s of ordered) {
    if (seqOf(s) <= current.seq) continue;
    const c = await checkStatement(current, s, opts);
    if (c.ok) {
      current = c.set;
      adopted.push(c.statement);
    } else refused.push({ seq: c.seq, reason: c.reason });
  }
  return { set: current, adopted, refused };
}

/**
 * Verifies records against a key set: its keys for anything, a retired or revoked key only for records it
 * signed (`issued`) before the statement that dropped it. Extra keys (an operator's `tidings key add`) are
 * trusted like the set's own unless the chain dropped them.
 */
export class ChainKeyRing extends KeyRing {
  private set: KeySet | null = null;

  static async of(set: KeySet, extra: readonly string[] = []): Promise<ChainKeyRing> {
    const ring = new this(); // `this`: a subclass (the feed service's PublishKeyRing) gets its own kind
    ring.set = set;
    const seen = new Set<string>();
    for (const k of [...Object.values(set.keys), ...Object.values(set.retired).map((r) => r.publicKey), ...extra]) {
      if (seen.has(k)) continue;
      seen.add(k);
      await ring.add(k);
    }
    return ring;
  }

  get keySet(): KeySet | null {
    return this.set;
  }

  /** Whether a key may sign something new (the feed service's publish check and `key rotate`'s hint). */
  current(keyId: string): boolean {
    return this.has(keyId) && !(this.set && (keyId in this.set.retired || this.set.revoked.includes(keyId)));
  }

  override async verify<T extends { sig?: unknown }>(record: T): Promise<VerifyResult> {
    const v = await super.verify(record);
    if (!v.ok || !this.set) return v;
    const retired = this.set.retired[v.keyId];
    const revoked = this.set.revoked.includes(v.keyId);
    if (!retired && !revoked) return v;
    const issued = (record as { issued?: unknown }).issued;
    if (retired && typeof issued === 'number' && issued < retired.since) return v;
    return { ok: false, reason: revoked ? 'revoked-key' : 'retired-key' };
  }
}

/** The newest statement's seq a feed advertises in its answer header, or null. */
export function advertisedSeq(header: unknown): number | null {
  const text = Array.isArray(header) ? header[0] : header;
  if (typeof text !== 'string' || !/^[0-9]{1,7}$/.test(text)) return null;
  return Number(text);
}
