// Row 11: disk per stored message. Ours: the companion's store (Store.apply, as a check stores a page) holding
// 100,000 signed-looking news records of varied length, measured as the bytes of its files (database + WAL).
// Anchor: the same records as raw JSON lines (one JSON.stringify per record and a newline). A/A: a second store
// filled with the same records. Then 10,000 routine checks (a cursor write and the check log, now and then a new
// message) and the largest WAL seen on the way: it must stay bounded (journal_size_limit, store/open.ts).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from '../lib/config.ts';
import { makeLine, type Figure, type RowResult } from '../lib/report.ts';
import { Store } from '../../electron/core/store/store.ts';
import type { IncomingMessage } from '../../electron/core/types.ts';
import { tempDir } from './core-fixtures.ts';

/** 4 MiB, the journal_size_limit the store sets; the WAL may pass it by one transaction before a checkpoint. */
const WAL_LIMIT = 4 * 1024 * 1024;
const RECEIVED = 1_800_000_000;
const WORDS = 'update release fixes improves the inbox faster startup security notice channel download signature feed offline news'.split(' ');

/** A deterministic pseudo-random body of `n` words (news posts of 5 to 300 words, most of them short). */
function body(seq: number): string {
  let x = (seq * 2654435761) >>> 0;
  const next = () => (x = (x * 1103515245 + 12345) >>> 0);
  const n = 5 + (next() % 10 < 8 ? next() % 60 : next() % 300);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[next() % WORDS.length] as string);
  return out.join(' ') + '.';
}

/** A news message as the feed serves it (seq and created first), signed-looking (key id and a 64-byte signature). */
export function servedNews(seq: number, channel = 'news'): IncomingMessage {
  const created = 1_700_000_000 + seq;
  const id = `${(seq * 7919).toString(16).padStart(8, '0')}-4b1d-4c0e-9a57-${seq.toString(16).padStart(12, '0')}`;
  const title = `${WORDS[seq % WORDS.length]} ${seq}`;
  const record = { seq, created, id, channel, kind: 'news', issued: created, title, body: body(seq), sig: { key: 'k2025', value: Buffer.alloc(64, seq % 251).toString('base64') } };
  return { id, seq, channel, kind: 'news', trusted: true, created, expires: null, version: null, critical: false, retracts: null, title, link: null, record };
}

const filesOf = (file: string) => ['', '-wal', '-shm'].reduce((n, s) => n + (existsSync(file + s) ? statSync(file + s).size : 0), 0);
const walOf = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

/** Fills a fresh store with `total` messages in checks of 100 (two channels); returns its file and the JSON lines bytes. */
function fill(dir: string, name: string, total: number): { store: Store; file: string; jsonLines: number } {
  const file = join(dir, name);
  const store = new Store({ file });
  store.ensureSource('s', 'feed-v1', 'https://feed.example.com');
  let jsonLines = 0;
  for (let from = 0; from < total; from += 100) {
    const messages = Array.from({ length: 100 }, (_, i) => servedNews(from + i + 1, i % 2 ? 'news' : 'stable'));
    for (const m of messages) jsonLines += Buffer.byteLength(JSON.stringify(m.record)) + 1;
    store.apply('s', { messages, cursors: [{ channel: 'news', cursor: from + 100 }, { channel: 'stable', cursor: from + 100 }], now: RECEIVED });
  }
  return { store, file, jsonLines };
}

export async function row11(cfg: BenchConfig): Promise<RowResult> {
  const started = Date.now();
  const total = cfg.smoke ? 5_000 : 100_000;
  const checks = cfg.smoke ? 300 : 10_000;
  const tmp = tempDir();
  try {
    const a = fill(tmp.dir, 'ours.db', total);
    const b = fill(tmp.dir, 'copy.db', total);
    // Both measured open, as the app leaves them (the WAL included).
    const copyBytes = filesOf(b.file);
    const oursBytes = filesOf(a.file);
    b.store.close();

    // Routine checks: every one writes the cursor and the check log; one in 20 stores a new message.
    let maxWal = walOf(a.file);
    let seq = total;
    for (let i = 0; i < checks; i++) {
      const messages = i % 20 === 0 ? [servedNews(++seq)] : [];
      a.store.apply('s', { messages, cursors: [{ channel: 'stable', cursor: seq }], now: RECEIVED + i });
      a.store.recordCheck('s', RECEIVED + i, { ok: true, detail: messages.length ? '1 new' : 'no change', added: messages.length });
      if (i % 10 === 0) maxWal = Math.max(maxWal, walOf(a.file));
    }
    maxWal = Math.max(maxWal, walOf(a.file));
    const walEnd = walOf(a.file);
    a.store.close();

    const per = (bytes: number): Figure => ({ label: '', value: bytes / total, unit: 'B/message', runs: [bytes / total] });
    const fig = (label: string, bytes: number): Figure => ({ ...per(bytes), label });
    const wal = (label: string, bytes: number): Figure => ({ label, value: bytes / 1024 / 1024, unit: 'MiB', runs: [bytes / 1024 / 1024] });
    const lines = [
      makeLine('disk-per-message-vs-json-lines', fig('store (db + WAL)', oursBytes), fig('JSON lines', a.jsonLines), { op: '≤', ratio: 1.5 }),
      makeLine('disk-wal-max-vs-limit', wal(`largest WAL over ${checks} checks`, maxWal), wal('journal_size_limit', WAL_LIMIT), { op: '≤', ratio: 1.25 }),
      makeLine('disk-aa-store', fig('store (copy)', copyBytes), fig('store (db + WAL)', oursBytes), { op: '≤', ratio: 1 }, 'aa'),
    ];
    return {
      row: 11, title: `disk: store size per message, ${total} messages; WAL over ${checks} checks`, lines,
      facts: { total, checks, storeBytes: oursBytes, jsonLinesBytes: a.jsonLines, maxWalBytes: maxWal, walEndBytes: walEnd },
      notes: [`records ${(a.jsonLines / total).toFixed(0)} B on average as JSON lines (news of 5–300 words, signed); WAL at the end ${(walEnd / 1024 / 1024).toFixed(2)} MiB`],
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    tmp.done();
  }
}
