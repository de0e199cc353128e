// Shared fixtures for the companion-core rows (4, 5, 8): temp stores and batches of validated messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from '../../electron/core/types.ts';

export function tempDir(): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A poll's worth of news messages with seqs from+1 … from+n (about 600 B of JSON each). */
export function batch(from: number, n: number, channel = 'news'): IncomingMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = from + i + 1;
    const record = { seq, created: 1_700_000_000 + seq, id: `m-${seq}`, channel, kind: 'news', issued: 1_700_000_000 + seq, title: `News item ${seq}`, body: 'x'.repeat(400), sig: null };
    return {
      id: record.id, seq, channel, kind: 'news', trusted: false, created: record.created, expires: null, version: null, critical: false,
      retracts: null, title: record.title, link: null, record,
    };
  });
}
