// The Publish page's handlers for the preview: signs with the demo feed's key (it never reaches the page) and
// posts through the feed service's own publish API, so every check the server makes applies. Asset URLs
// are downloaded and hashed here; choosing local files needs the desktop app's file dialog.
import { createHash, randomBytes } from 'node:crypto';
import type { InvokeArgs, InvokeHandlers } from '../shared/ipc/contract.ts';
import type { PublishedItem, Result } from '../shared/ipc/types.ts';
import { importSigningKey, signRecord } from '../shared/protocol/signing.ts';

export interface PublisherOptions {
  feedUrl: string;
  publishToken: string;
  key: { pkcs8: Uint8Array; publicKey: string; keyId: string; fileName: string };
  channels: string[];
  changed: () => void;
}

type Pick3 = Pick<InvokeHandlers, 'chooseKey' | 'hashFile' | 'publish' | 'listPublished' | 'retract'>;
const refuse = (field: string, message: string) => ({ ok: false as const, error: { field, message } });
/** Server field names (record paths) → the form's field names. */
function formField(field: string, kind: 'news' | 'release'): string {
  const f = field.replace(/^release\.version$/, 'version').replace(/^release\.assets/, 'assets').replace(/^target\./, '').replace(/^release\.critical$/, 'critical');
  if (f === 'body') return kind === 'release' ? 'notes' : 'body';
  return f;
}

export function publisherHandlers(opts: PublisherOptions): Pick3 {
  const keyPromise = importSigningKey(opts.key.pkcs8, opts.key.publicKey);
  const post = async (record: Record<string, unknown>, kind: 'news' | 'release'): Promise<Result<{ seq: number; created: number }>> => {
    const signed = await signRecord({ ...record, issued: Math.floor(Date.now() / 1000) }, await keyPromise);
    const res = await fetch(`${opts.feedUrl}/v1/channels/${encodeURIComponent(String(record.channel))}/messages`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${opts.publishToken}` }, body: JSON.stringify(signed),
    });
    const body = (await res.json().catch(() => ({}))) as { error?: { field?: string; message?: string }; seq?: number; created?: number };
    if (!res.ok) return refuse(formField(body.error?.field ?? '', kind), body.error?.message ?? `The feed refused it (HTTP ${res.status}).`);
    opts.changed();
    return { ok: true, seq: body.seq ?? 0, created: body.created ?? Math.floor(Date.now() / 1000) };
  };
  const hashUrl = async (url: string): Promise<{ sha256: string; size: number } | null> => {
    try {
      const res = await fetch(url, { redirect: 'error' });
      if (!res.ok) return null;
      const bytes = Buffer.from(await res.arrayBuffer());
      return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    } catch {
      return null;
    }
  };
  const newId = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

  return {
    chooseKey: async () => ({ ok: true, key: { keyId: opts.key.keyId, fileName: opts.key.fileName } }),
    hashFile: async () => refuse('assets', 'Choosing a local file needs the desktop app; enter an https address instead.'),
    publish: async (input: InvokeArgs<'publish'>) => {
      if (input.kind === 'news') {
        const id = newId('news');
        const r = await post({ id, channel: input.channel, kind: 'news', title: input.title, body: input.body }, 'news');
        if (!r.ok) return r;
        return { ok: true, item: { id, seq: r.seq, channel: input.channel, kind: 'news', title: input.title, created: r.created, retracted: false } };
      }
      const assets = [];
      for (const [i, a] of input.assets.entries()) {
        if (!a.url) return refuse(`assets.${i}`, 'Choosing a local file needs the desktop app; enter an https address instead.');
        const hashed = await hashUrl(a.url);
        if (!hashed) return refuse(`assets.${i}.url`, 'Tidings couldn’t download this file to compute its hash.');
        assets.push({ platform: a.platform, url: a.url, ...hashed });
      }
      const target: Record<string, unknown> = {};
      if (input.rollout < 100) target.rollout = input.rollout;
      if (input.platforms.length > 0) target.platforms = input.platforms;
      if (input.minVersion) target.minVersion = input.minVersion;
      if (input.maxVersion) target.maxVersion = input.maxVersion;
      const id = newId(`rel-${input.version.replace(/[^A-Za-z0-9.-]/g, '-')}`).slice(0, 64);
      const record: Record<string, unknown> = {
        id, channel: input.channel, kind: 'release', title: input.title || `Version ${input.version}`, body: input.notes,
        release: { version: input.version, ...(input.critical ? { critical: true } : {}), assets },
      };
      if (Object.keys(target).length > 0) record.target = target;
      if (input.expiresDays) record.expires = Math.floor(Date.now() / 1000) + input.expiresDays * 86400;
      const r = await post(record, 'release');
      if (!r.ok) return r;
      return { ok: true, item: { id, seq: r.seq, channel: input.channel, kind: 'release', title: String(record.title), version: input.version, created: r.created, retracted: false } };
    },
    listPublished: async ({ channel }) => {
      const items: PublishedItem[] = [];
      const retracted = new Set<string>();
      for (const ch of channel ? [channel] : opts.channels) {
        let after = 0;
        for (let pages = 0; pages < 50; pages++) {
          const res = await fetch(`${opts.feedUrl}/v1/channels/${encodeURIComponent(ch)}/messages?after=${after}`, { headers: { Authorization: `Bearer ${opts.publishToken}` } });
          if (res.status === 404) break;
          if (!res.ok) return refuse('', 'The feed didn’t answer. Try again in a moment.');
          const page = (await res.json()) as { messages: { id: string; seq: number; channel: string; kind: PublishedItem['kind']; title: string; created: number; release?: { version: string }; retracts?: string }[]; next: number; more: boolean };
          for (const m of page.messages) {
            if (m.retracts) retracted.add(`${m.channel}/${m.retracts}`);
            const item: PublishedItem = { id: m.id, seq: m.seq, channel: m.channel, kind: m.kind, title: m.title, created: m.created, retracted: false };
            if (m.release) item.version = m.release.version;
            items.push(item);
          }
          if (!page.more) break;
          after = page.next;
        }
      }
      const out = items.map((i) => ({ ...i, retracted: retracted.has(`${i.channel}/${i.id}`) })).sort((a, b) => b.created - a.created || b.seq - a.seq);
      return { ok: true, items: out };
    },
    retract: async ({ id, channel }) => {
      const r = await post({ id: newId('retract'), channel, kind: 'retraction', title: '', body: '', retracts: id }, 'news');
      return r.ok ? { ok: true } : r;
    },
  };
}
