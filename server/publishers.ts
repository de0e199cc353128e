// The publisher keys this service accepts signatures from: those configured at start plus those added
// to the database with `tidings key add` (re-read when that list changes, so no restart is needed).
import { KeyRing } from '../shared/protocol/signing.ts';
import type { FeedStore } from './store/types.ts';

export class Publishers {
  private ring: Promise<KeyRing> | null = null;
  private signature = '';
  private readonly store: FeedStore;
  private readonly configured: string[];

  constructor(store: FeedStore, configured: string[]) {
    this.store = store;
    this.configured = configured;
  }

  async keyRing(): Promise<KeyRing> {
    const stored = (await this.store.publisherKeys()).map((k) => k.publicKey);
    const all = [...new Set([...this.configured, ...stored])];
    const sig = all.join(',');
    if (!this.ring || sig !== this.signature) {
      this.signature = sig;
      this.ring = KeyRing.from(all);
    }
    return this.ring;
  }
}
