// The publisher keys this service accepts signatures from: those configured at start plus those added
// to the database with `tidings key add` (re-read when that list changes, so no restart is needed), moved
// on by the key rotation statements it stores (docs/key-rotation.md): a key a rotation dropped signs
// nothing new here, whatever date its record claims.
import type { KeyRing, VerifyResult } from '../shared/protocol/signing.ts';
import { ChainKeyRing, followChain, startingSet, type KeySet } from '../shared/protocol/rotation.ts';
import type { FeedStore } from './store/types.ts';

/** The feed service's ring: a dropped key is refused for every new publish (a thief can backdate `issued`). */
export class PublishKeyRing extends ChainKeyRing {
  override async verify<T extends { sig?: unknown }>(record: T): Promise<VerifyResult> {
    const v = await super.verify(record);
    if (!v.ok || this.current(v.keyId)) return v;
    return { ok: false, reason: this.keySet?.revoked.includes(v.keyId) ? 'revoked-key' : 'retired-key' };
  }
}

export interface ChainState {
  /** Where the stored chain stands (seq 0: no rotation yet; the starting set is every trusted key). */
  set: KeySet;
  /** The stored statements as JSON text, in seq order. */
  statements: string[];
}

/** How long the newest statement's seq may be served from memory (other nodes' rotations show within it). */
const ADVERTISE_TTL_MS = 1000;

export class Publishers {
  private ring: Promise<KeyRing> | null = null;
  private chain: Promise<ChainState> | null = null;
  private signature = '';
  private readonly store: FeedStore;
  private readonly configured: string[];
  private advertised = { at: -Infinity, seq: 0 };

  constructor(store: FeedStore, configured: string[]) {
    this.store = store;
    this.configured = configured;
  }

  /** Reads keys and statements; rebuilds the chain and ring only when either changed. */
  private async load(): Promise<{ chain: Promise<ChainState>; ring: Promise<KeyRing> }> {
    const stored = (await this.store.publisherKeys()).map((k) => k.publicKey);
    const statements = await this.store.keyStatements();
    const all = [...new Set([...this.configured, ...stored])];
    const sig = `${all.join(',')}|${statements.length}|${statements.at(-1) ?? ''}`;
    if (!this.ring || !this.chain || sig !== this.signature) {
      this.signature = sig;
      this.chain = (async () => {
        // Every statement was checked before it was stored; they are followed again here, so a row edited
        // in the database by hand cannot hand out trust.
        const r = await followChain(await startingSet(all), statements.map((s) => JSON.parse(s) as unknown), { consecutive: true });
        return { set: r.set, statements: statements.slice(0, r.adopted.length) };
      })();
      this.ring = this.chain.then((c) => PublishKeyRing.of(c.set, all));
      this.chain.catch(() => undefined);
    }
    this.advertised = { at: Date.now(), seq: statements.length };
    return { chain: this.chain, ring: this.ring };
  }

  async keyRing(): Promise<KeyRing> {
    return (await this.load()).ring;
  }

  async chainState(): Promise<ChainState> {
    return (await this.load()).chain;
  }

  /** The newest statement's seq while it is fresh (read within a second), without I/O; else undefined. */
  peekAdvertisedSeq(): number | undefined {
    return Date.now() - this.advertised.at < ADVERTISE_TTL_MS ? this.advertised.seq : undefined;
  }

  /** The newest statement's seq for the heads answer's header: from memory within a second. */
  async advertisedSeq(): Promise<number> {
    const fresh = this.peekAdvertisedSeq();
    if (fresh !== undefined) return fresh;
    await this.load();
    return this.advertised.seq;
  }
}
