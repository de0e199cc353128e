// A tiny in-memory feed v1 (heads with ETag/304, paged messages) served by the fault server, so transport
// and cursor faults can be injected around otherwise correct answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { signRecord, generateSigningKey, type SigningKey } from '../../../shared/protocol/signing.ts';
import type { UnsignedRecord } from '../../../shared/protocol/schemas.ts';
import { sendJson } from './fault-server.ts';

export interface MiniFeed {
  key: SigningKey;
  records: Record<string, unknown>[];
  epoch: string;
  add(record: Partial<UnsignedRecord> & { channel: string }, opts?: { key?: SigningKey; unsigned?: boolean; tamper?: (r: Record<string, unknown>) => void }): Promise<Record<string, unknown>>;
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  heads(): Record<string, number>;
}

/** `maxAge`: the Cache-Control max-age of heads answers (the companion's floor between checks). */
export async function miniFeed(key?: SigningKey, opts: { maxAge?: number } = {}): Promise<MiniFeed> {
  const cacheControl = `max-age=${opts.maxAge ?? 60}`;
  const k = key ?? (await generateSigningKey());
  let seq = 0;
  const feed: MiniFeed = {
    key: k,
    records: [],
    epoch: 'e1',
    async add(record, opts = {}) {
      const base = { id: randomUUID(), kind: 'news', issued: 1_700_000_000, title: 'Untitled', body: '', ...record } as UnsignedRecord;
      const signed: Record<string, unknown> = opts.unsigned ? { ...base, sig: null } : await signRecord(base, opts.key ?? k);
      opts.tamper?.(signed);
      const stored = { ...signed, seq: ++seq, created: 1_700_000_000 + seq };
      feed.records.push(stored);
      return stored;
    },
    heads() {
      const h: Record<string, number> = {};
      for (const r of feed.records) h[r.channel as string] = Math.max(h[r.channel as string] ?? 0, r.seq as number);
      return h;
    },
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/v1/heads') {
        const heads = feed.heads();
        const etag = `"${feed.epoch}-${Object.values(heads).reduce((a, b) => Math.max(a, b), 0)}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag, 'cache-control': cacheControl });
          res.end();
        } else sendJson(res, 200, { heads }, { etag, 'cache-control': cacheControl });
        return true;
      }
      const m = /^\/v1\/channels\/([^/]+)\/messages$/.exec(url.pathname);
      if (m) {
        const channel = decodeURIComponent(m[1]!);
        const after = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 50);
        const all = feed.records.filter((r) => r.channel === channel && (r.seq as number) > after);
        const page = all.slice(0, limit);
        const head = feed.heads()[channel] ?? 0;
        sendJson(res, 200, { channel, messages: page, next: (page.at(-1)?.seq as number | undefined) ?? after, head, more: all.length > limit });
        return true;
      }
      return false;
    },
  };
  return feed;
}
