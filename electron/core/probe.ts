// Test Connection: reaches a source exactly as a check would (the same source code, the same validation and
// signature checks) but into a throwaway store, so nothing is kept and the user's inbox is untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyRing } from '../../shared/protocol/signing.ts';
import type { SourceConfig } from './api.ts';
import { Store } from './store/store.ts';
import { FeedV1Source } from './sources/feed-v1.ts';
import { CryptolensSource } from './sources/cryptolens.ts';
import { runCheck } from './sync.ts';
import { UPDATE_CHANNELS } from '../../shared/channels.ts';
import semverRcompare from 'semver/functions/rcompare.js';

export type ProbeResult =
  | { ok: true; channels: number; latestStable: string | null; latestExperimental: string | null; posts: number }
  /** field: which part of the form is at fault ('url', 'token' or 'key'); detail: the check's technical detail. */
  | { ok: false; field: 'url' | 'token' | 'key'; detail: string };

export interface ProbeContext {
  keys: KeyRing;
  platform: string;
  allowLoopbackHttp: boolean;
}

const newest = (versions: (string | null)[]) => versions.filter((v): v is string => v !== null).sort(semverRcompare)[0] ?? null;

export async function probeSource(config: SourceConfig, ctx: ProbeContext): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-probe-'));
  const store = new Store({ file: join(dir, 'probe.db') });
  try {
    const id = 'probe';
    store.ensureSource(id, config.kind, config.url);
    const now = Date.now();
    const outcome = await runCheck(store, id, now, () => {
      if (config.kind === 'feed-v1') {
        const source = new FeedV1Source({ id, url: config.url, token: config.token, allowLoopbackHttp: ctx.allowLoopbackHttp });
        return source.check(store, [...UPDATE_CHANNELS, ...(config.newsChannels ?? ['news'])], ctx.keys, now);
      }
      const source = new CryptolensSource({
        id, url: config.url, token: config.token, allowLoopbackHttp: ctx.allowLoopbackHttp,
        updates: config.updateChannel ? { channel: config.updateChannel, installedReleaseTime: 0 } : undefined,
        news: config.newsChannel ? { channel: config.newsChannel } : undefined,
      });
      return source.check(store, ctx.keys, now);
    });
    if (!outcome.ok) return { ok: false, field: outcome.authFailed ? 'token' : 'url', detail: outcome.detail };
    const stable = store.releases(['stable']).map((r) => r.version);
    const experimental = store.releases(['experimental']).map((r) => r.version);
    const badlySigned = store.checkLog(200).filter((e) => !e.ok && /signature|signed/i.test(e.detail));
    // Releases came, none of them signed by a key this app trusts: the feed belongs to another publisher.
    if (badlySigned.length > 0 && stable.length + experimental.length === 0) return { ok: false, field: 'key', detail: badlySigned[0]!.detail };
    const channels = (store.db.prepare(`SELECT COUNT(DISTINCT channel) AS n FROM messages WHERE source_id = ?`).get(id) as { n: number }).n;
    return { ok: true, channels, latestStable: newest(stable), latestExperimental: newest(experimental), posts: store.count({}) };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
