// What a host app receives for each new message (the companion's `message` event, docs/library.md): the same
// fields for a stored post and a live-only push, with the publisher's `code` and JSON `data` read from the
// verified record (a Cryptolens message has neither).
import type { HostMessage } from './api.ts';
import type { LiveMessage } from './sources/live.ts';
import type { InboxItem } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function storedMessage(item: InboxItem): HostMessage {
  const r = isObject(item.record) ? item.record : {};
  const body = typeof r['body'] === 'string' ? r['body'] : typeof r['content'] === 'string' ? r['content'] : '';
  const code = typeof r['code'] === 'number' && Number.isInteger(r['code']) ? r['code'] : null;
  return {
    id: item.id, sourceId: item.sourceId, channel: item.channel, kind: item.kind === 'retraction' ? 'news' : item.kind,
    title: item.title, body, code, data: isObject(r['data']) ? r['data'] : null,
    trusted: item.trusted, persistent: true, expires: item.expires, key: item.key,
  };
}

export function liveMessage(m: LiveMessage, sourceId: string): HostMessage {
  return {
    id: m.id, sourceId, channel: m.channel, kind: 'news', title: m.title, body: m.body, code: m.code, data: m.data,
    trusted: m.trusted, persistent: false, expires: m.expires, key: null,
  };
}
