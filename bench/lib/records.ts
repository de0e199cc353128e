// Realistic signed records for the benchmarks (what a publisher's pipeline would send).
import { randomUUID } from 'node:crypto';
import { signRecord, type SigningKey } from '../../shared/protocol/signing.ts';
import type { UnsignedRecord } from '../../shared/protocol/schemas.ts';

const hex = (n: number, seed: number) => Array.from({ length: n }, (_, i) => ((i * 7 + seed * 13) % 16).toString(16)).join('');

export function releaseRecord(version: string, notes: string): UnsignedRecord {
  return {
    id: randomUUID(),
    channel: 'stable',
    kind: 'release',
    issued: Math.floor(Date.now() / 1000),
    title: `Tidings ${version}`,
    body: notes,
    release: {
      version,
      assets: [{ platform: 'linux-x64', url: `https://dl.example.com/Tidings-${version}.AppImage`, sha256: hex(64, version.length), size: 98_765_432 }],
    },
  } as UnsignedRecord;
}

export function newsRecord(title: string, body = 'A short note for everyone using Tidings.'): UnsignedRecord {
  return { id: randomUUID(), channel: 'news', kind: 'news', issued: Math.floor(Date.now() / 1000), title, body } as UnsignedRecord;
}

export async function publish(url: string, token: string, record: UnsignedRecord, key: SigningKey): Promise<{ status: number; body: string }> {
  const signed = await signRecord(record, key);
  const res = await fetch(`${url}/v1/channels/${record.channel}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(signed),
  });
  return { status: res.status, body: await res.text() };
}
