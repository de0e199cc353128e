// A store + feed v1 source + key ring wired the way the engine wires them, for source-level tests.
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { KeyRing } from '../../../shared/protocol/signing.ts';
import { Store } from '../../../electron/core/store/store.ts';
import { FeedV1Source } from '../../../electron/core/sources/feed-v1.ts';
import { runCheck } from '../../../electron/core/sync.ts';
import type { Limits } from '../../../electron/core/net/http.ts';
import { tempDir } from './tmp.ts';

export async function v1Harness(t: TestContext, url: string, publicKeys: string[], opts: { token?: string; limits?: Partial<Limits>; file?: string } = {}) {
  const file = opts.file ?? join(tempDir(t), 'c.db');
  const store = new Store({ file });
  t.after(() => store.close());
  const keys = await KeyRing.from(publicKeys);
  const source = new FeedV1Source({ id: 's', url, token: opts.token, allowLoopbackHttp: true, limits: opts.limits });
  store.ensureSource('s', source.kind, url);
  const check = (channels: string[] = ['stable', 'news']) =>
    runCheck(store, 's', Date.now(), () => source.check(store, channels, keys, Date.now()));
  const count = () => store.db.prepare('SELECT COUNT(*) FROM messages').pluck().get() as number;
  return { store, source, keys, check, count, file };
}
