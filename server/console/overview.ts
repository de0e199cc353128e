// What the console shows per channel: releases (every copy with its rollout, retracted or not, halted or
// not) and news, read through the store's pages like any reader, plus the retracted messages by id.
import type { FeedStore } from '../store/types.ts';
import type { RolloutHalt } from '../store/console.ts';

interface Msg {
  id: string;
  seq: number;
  kind: 'release' | 'news' | 'retraction';
  issued: number;
  title: string;
  body: string;
  expires?: number;
  retracts?: string;
  target?: { rollout?: number };
  release?: { version: string; critical?: boolean; assets: unknown[] };
}

export interface ReleaseCopy { id: string; issued: number; rollout: number; retracted: boolean; expires: number | null }
export interface ReleaseView {
  version: string;
  title: string;
  /** The highest rollout of a live copy: what installs see (every copy counts on its own). 0 when recalled. */
  rollout: number;
  /** Every copy retracted. */
  recalled: boolean;
  /** automatic: halted by the self-halt rule (server/halts.ts), not by a publisher. */
  halt: { reason: string; at: number; by: string; automatic: boolean } | null;
  copies: ReleaseCopy[];
  /** The newest copy as published (without seq/created), the base of an advance. */
  latest: Record<string, unknown>;
}
export interface NewsView { id: string; title: string; body: string; issued: number; retracted: boolean }
export interface ChannelView { name: string; kind: string; head: number; releases: ReleaseView[]; news: NewsView[] }

const PAGE = 500;

async function allMessages(store: FeedStore, channel: string): Promise<Msg[]> {
  const out: Msg[] = [];
  let after = 0;
  for (;;) {
    const page = await store.page(channel, after, PAGE, 4 * 1024 * 1024);
    for (const item of page.items) out.push(JSON.parse(item.json) as Msg);
    if (!page.more || page.next <= after) return out;
    after = page.next;
  }
}

const strip = (m: Msg) => {
  const { seq: _s, created: _c, ...rest } = m as Msg & { created?: number };
  return rest as Record<string, unknown>;
};

export async function channelView(store: FeedStore, channel: { name: string; kind: string; head: number }, halts: RolloutHalt[]): Promise<ChannelView> {
  const live = await allMessages(store, channel.name);
  // Retracted messages are not in pages; their retractions are, and name them.
  const retractedIds = live.filter((m) => m.kind === 'retraction' && m.retracts).map((m) => m.retracts as string);
  const retracted: Msg[] = [];
  for (const id of new Set(retractedIds)) {
    const m = await store.byId(id);
    if (m) retracted.push(m as unknown as Msg);
  }
  const all = [...live.filter((m) => m.kind !== 'retraction').map((m) => ({ m, retracted: false })), ...retracted.map((m) => ({ m, retracted: true }))]
    .sort((a, b) => a.m.seq - b.m.seq);
  const byVersion = new Map<string, { m: Msg; retracted: boolean }[]>();
  const news: NewsView[] = [];
  for (const x of all) {
    if (x.m.kind === 'release' && x.m.release) {
      const list = byVersion.get(x.m.release.version) ?? [];
      list.push(x);
      byVersion.set(x.m.release.version, list);
    } else if (x.m.kind === 'news') {
      news.push({ id: x.m.id, title: x.m.title, body: x.m.body, issued: x.m.issued, retracted: x.retracted });
    }
  }
  const releases: ReleaseView[] = [...byVersion.entries()].map(([version, copies]) => {
    const liveCopies = copies.filter((c) => !c.retracted);
    const halt = halts.find((h) => h.channel === channel.name && h.version === version && h.halted);
    const latest = copies.at(-1)!.m;
    return {
      version,
      title: latest.title,
      rollout: liveCopies.reduce((max, c) => Math.max(max, c.m.target?.rollout ?? 100), 0),
      recalled: liveCopies.length === 0,
      halt: halt ? { reason: halt.reason, at: halt.at, by: halt.by, automatic: halt.automatic === true } : null,
      copies: copies.map((c) => ({ id: c.m.id, issued: c.m.issued, rollout: c.m.target?.rollout ?? 100, retracted: c.retracted, expires: c.m.expires ?? null })),
      latest: strip(latest),
    };
  }).reverse();
  return { name: channel.name, kind: channel.kind, head: channel.head, releases, news: news.reverse() };
}
