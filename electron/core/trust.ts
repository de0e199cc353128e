// Which publisher keys this install trusts (docs/key-rotation.md). It starts from the keys built into the
// app and follows the feed's chain of key rotation statements, each of which must be signed by the set
// before it (shared/protocol/rotation.ts). The chain is fetched (GET /v1/keys, conditional) only when a
// changed heads answer advertises a newer statement than this install has, or when a record is signed by a
// key it does not know; the routine unchanged check is untouched. A statement that is forged, out of order
// or otherwise refused changes nothing and is logged in Status.
import { KeyRing, type VerifyResult } from '../../shared/protocol/signing.ts';
import { advertisedSeq, chainSchema, ChainKeyRing, followChain, startingSet, type KeySet, type KeyStatement } from '../../shared/protocol/rotation.ts';
import { request } from './net/http.ts';
import type { Store } from './store/store.ts';
import { feedV1Url, feedBase } from './sources/feed-url.ts';
import type { SourceConfig } from './api.ts';

/** At most one chain fetch per source in this long for records signed by unknown keys (a feed full of them). */
const UNKNOWN_KEY_REFETCH_MS = 60_000;

export class Trust {
  private set: KeySet;
  private ring: ChainKeyRing;
  private readonly store: Store;
  private readonly nowSec: () => number;

  private constructor(store: Store, set: KeySet, ring: ChainKeyRing, nowSec: () => number) {
    this.store = store;
    this.set = set;
    this.ring = ring;
    this.nowSec = nowSec;
  }

  /** Follows the statements this install already adopted, again, from the app's built-in keys. */
  static async open(store: Store, builtIn: readonly string[], nowSec: () => number): Promise<Trust> {
    const rows = store.db.prepare('SELECT json FROM key_statements ORDER BY seq').pluck().all() as string[];
    const parsed = rows.flatMap((r) => {
      try {
        return [JSON.parse(r) as unknown];
      } catch {
        return [];
      }
    });
    const { set } = await followChain(await startingSet(builtIn), parsed, { consecutive: false });
    return new Trust(store, set, await ChainKeyRing.of(set), nowSec);
  }

  get seq(): number {
    return this.set.seq;
  }

  get current(): KeyRing {
    return this.ring;
  }

  /** A line in the Status log of a source. */
  log(sourceId: string, line: string): void {
    this.store.log(sourceId, this.nowSec(), false, line);
  }

  /** A key ring for one source that delegates to the trusted set; with `fetchChain`, it follows rotations. */
  ringFor(fetchChain?: ChainFetcher): FollowingKeyRing {
    return new FollowingKeyRing(this, fetchChain ?? null);
  }

  /** Follows whatever of `statements` is newer than the trusted set; logs what was followed and what not. */
  async adopt(statements: readonly unknown[], sourceId: string): Promise<void> {
    const r = await followChain(this.set, statements, { consecutive: false });
    const now = this.nowSec();
    if (r.adopted.length > 0) {
      this.store.db.transaction((adopted: KeyStatement[]) => {
        const ins = this.store.db.prepare('INSERT OR REPLACE INTO key_statements (seq, json, source_id, adopted) VALUES (?, ?, ?, ?)');
        for (const s of adopted) ins.run(s.seq, JSON.stringify(s), sourceId, now);
      })(r.adopted);
      this.set = r.set;
      this.ring = await ChainKeyRing.of(r.set);
      for (const s of r.adopted) {
        const ids = Object.keys(r.set.keys);
        this.store.log(sourceId, now, true, `key rotation ${s.seq} followed: the publisher's keys are now ${s.seq === r.set.seq ? ids.join(', ') : `those of rotation ${s.seq}`}${s.revoked.length ? `; revoked ${s.revoked.join(', ')}` : ''}`);
      }
    }
    for (const x of r.refused) this.store.log(sourceId, now, false, `key statement ${x.seq ?? '(no seq)'} ignored: it ${x.reason}`);
  }
}

export type ChainFetcher = (ifNoneMatch: string | null) => Promise<{ status: 304 } | { status: 200; etag: string | null; statements: unknown[] }>;

/** GET /v1/keys of a feed v1 service, conditional; what failed is thrown as one sentence. */
export function feedChainFetcher(config: SourceConfig, allowLoopbackHttp: boolean): ChainFetcher {
  return async (ifNoneMatch) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (config.token) headers.authorization = `Bearer ${config.token}`;
    if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch;
    const res = await request({ url: feedV1Url(feedBase(config.url), 'keys'), headers, allowLoopbackHttp, redirects: 'same-host' });
    if (res.status === 304) return { status: 304 };
    if (res.status !== 200) throw new Error(`the feed answered HTTP ${res.status} for its key chain`);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(res.body));
    } catch {
      throw new Error('the key chain is not valid JSON');
    }
    const parsed = chainSchema.safeParse(body);
    if (!parsed.success) throw new Error('the key chain does not match the feed v1 schema');
    return { status: 200, etag: typeof res.headers.etag === 'string' ? res.headers.etag : null, statements: parsed.data.statements };
  };
}

/**
 * What a source verifies records with: the install's trusted set, which it moves on by fetching the chain
 * when its feed advertises a newer statement or a record names an unknown key.
 */
export class FollowingKeyRing extends KeyRing {
  private readonly trust: Trust;
  private readonly fetchChain: ChainFetcher | null;
  private etag: string | null = null;
  private lastUnknownFetch = -Infinity;
  private sourceId = '';

  constructor(trust: Trust, fetchChain: ChainFetcher | null) {
    super();
    this.trust = trust;
    this.fetchChain = fetchChain;
  }

  /** The source this ring belongs to, for the Status log. */
  forSource(id: string): this {
    this.sourceId = id;
    return this;
  }

  override has(keyId: string): boolean {
    return this.trust.current.has(keyId);
  }

  override ids(): string[] {
    return this.trust.current.ids();
  }

  override publicKey(keyId: string): string | undefined {
    return this.trust.current.publicKey(keyId);
  }

  override async verify<T extends { sig?: unknown }>(record: T): Promise<VerifyResult> {
    const v = await this.trust.current.verify(record);
    if (v.ok || v.reason !== 'unknown-key' || !this.fetchChain || Date.now() - this.lastUnknownFetch < UNKNOWN_KEY_REFETCH_MS) return v;
    this.lastUnknownFetch = Date.now();
    await this.follow();
    return this.trust.current.verify(record);
  }

  /** A changed heads answer's `Tidings-Keys` header: the chain is fetched when it names a newer statement. */
  async advertised(header: unknown): Promise<void> {
    const seq = advertisedSeq(header);
    if (seq !== null && seq > this.trust.seq) await this.follow();
  }

  /** Fetches the chain (conditionally) and follows it; a failure is logged and changes nothing. */
  private async follow(): Promise<void> {
    if (!this.fetchChain) return;
    try {
      const r = await this.fetchChain(this.etag);
      if (r.status === 304) return;
      await this.trust.adopt(r.statements, this.sourceId);
      this.etag = r.etag;
    } catch (e) {
      this.trust.log(this.sourceId, `could not read the feed's key chain: ${(e as Error).message}`);
    }
  }
}
