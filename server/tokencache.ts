// Verified tokens kept in memory, so a read with a token costs one Map lookup instead of a database query
// and a SHA-256 per request (issue 17: that was half the routine check's CPU).
//
// Keyed by the presented token text itself: the Map hashes it with V8's seeded string hash and then
// compares the whole string, so no collision can ever let a different token in. Only verified tokens are
// kept (an unknown token always goes to the store, so garbage cannot evict good entries or be "known").
//
// An entry is trusted while both hold:
// - the store's tokensVersion() is the one it was verified under: every token change (create, revoke) on
//   any node moves it (SQLite: this process's writes and PRAGMA data_version for other processes;
//   PostgreSQL: the LISTEN notification), and the store answers undefined while it cannot see changes
//   (a LISTEN connection being re-established), which disables the cache;
// - it is younger than MAX_AGE_MS, a safety net for a notification that never came (a LISTEN connection
//   that died silently): revocation takes effect within a second even then.
import type { FeedStore, TokenRow } from './store/types.ts';
import { verifyToken, type AuthResult } from './tokens.ts';

const MAX_AGE_MS = 1000;
/** Bound on remembered tokens; past it the oldest entries go first. */
const MAX_ENTRIES = 10_000;

interface Entry {
  token: TokenRow;
  version: number;
  at: number;
}

export class TokenCache {
  private readonly store: FeedStore;
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<AuthResult>>();
  private readonly max: number;

  constructor(store: FeedStore, max = MAX_ENTRIES) {
    this.store = store;
    this.max = max;
  }

  /** The verified token for this presented text, without I/O; undefined when the store must be asked. */
  peek(presented: string): TokenRow | undefined {
    const e = this.entries.get(presented);
    if (e === undefined) return undefined;
    if (e.version === this.store.tokensVersion() && Date.now() - e.at < MAX_AGE_MS) return e.token;
    this.entries.delete(presented);
    return undefined;
  }

  /** Verifies through the cache; concurrent misses for the same token share one lookup. */
  verify(presented: string): AuthResult | Promise<AuthResult> {
    const hit = this.peek(presented);
    if (hit !== undefined) return { ok: true, token: hit };
    let p = this.pending.get(presented);
    if (p === undefined) {
      // The version is read before the lookup: a change that lands during it leaves the entry stale at once.
      const version = this.store.tokensVersion();
      const at = Date.now();
      p = verifyToken(this.store, presented).then((r) => {
        if (r.ok && version !== undefined) this.remember(presented, { token: r.token, version, at });
        return r;
      }).finally(() => this.pending.delete(presented));
      this.pending.set(presented, p);
    }
    return p;
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(presented: string, e: Entry): void {
    this.entries.delete(presented);
    this.entries.set(presented, e);
    // Insertion order is age order: drop the oldest past the bound.
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(k);
    }
  }
}

const caches = new WeakMap<FeedStore, TokenCache>();

/** The one cache of a store (every route authenticating against it shares it). */
export function tokenCacheOf(store: FeedStore): TokenCache {
  let c = caches.get(store);
  if (c === undefined) caches.set(store, (c = new TokenCache(store)));
  return c;
}
