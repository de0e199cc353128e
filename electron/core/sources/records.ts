// Turns a schema-checked v1 record into what the store keeps: signature verified against the built-in keys,
// unsigned records downgraded to untrusted text, badly signed ones dropped (evidence of tampering).
import type { KeyRing } from '../../../shared/protocol/signing.ts';
import type { StoredMessage, UnsignedRecord } from '../../../shared/protocol/schemas.ts';
import type { IncomingMessage } from '../types.ts';
import { extractLink } from './common.ts';

type V1Record = (StoredMessage | (UnsignedRecord & { sig: StoredMessage['sig'] })) & { seq?: number; created?: number };

export type Converted = { ok: true; message: IncomingMessage } | { ok: false; reason: string };

export async function fromV1Record(record: V1Record, keys: KeyRing, created: number, seq: number | null): Promise<Converted> {
  const v = await keys.verify(record);
  if (!v.ok && v.reason !== 'unsigned') return { ok: false, reason: `${record.id}: signature rejected (${v.reason})` };
  const trusted = v.ok;
  // Unsigned releases are never offers: they become untyped "new version" notes with their link.
  const kind = record.kind === 'release' && !trusted ? 'note' : record.kind;
  const asset = record.release?.assets[0];
  return {
    ok: true,
    message: {
      id: record.id,
      seq,
      channel: record.channel,
      kind,
      trusted,
      created,
      expires: record.expires ?? null,
      version: trusted ? record.release?.version ?? null : null,
      critical: trusted && record.release?.critical === true,
      retracts: record.retracts ?? null,
      title: record.title,
      link: kind === 'note' ? (asset?.url && asset.url.startsWith('https:') ? asset.url : extractLink(record.body)) : null,
      record,
    },
  };
}
