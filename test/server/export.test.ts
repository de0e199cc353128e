// Static export: a reader that follows index.json and its pages gets exactly what the live feed serves;
// unchanged exports rewrite nothing; pages are immutable under their names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFeed, json, news, release, type Feed } from './helpers.ts';
import { exportFeed, type StaticIndex } from '../../server/export.ts';

let feed: Feed;
let out: string;
before(async () => { feed = await startFeed(); out = mkdtempSync(join(tmpdir(), 'tidings-static-')); });
after(async () => { await feed.close(); });

function readStatic(channel: string, cursor: number): { seqs: number[]; ids: string[]; next: number } {
  const index = JSON.parse(readFileSync(join(out, 'v1', 'index.json'), 'utf8')) as StaticIndex;
  const ch = index.channels.find((c) => c.name === channel);
  const seqs: number[] = [];
  const ids: string[] = [];
  let next = cursor;
  for (const ref of ch?.pages ?? []) {
    if (ref.next <= cursor) continue;
    const page = JSON.parse(readFileSync(join(out, 'v1', ref.file), 'utf8')) as { messages: { seq: number; id: string }[]; next: number };
    for (const m of page.messages) if (m.seq > cursor) { seqs.push(m.seq); ids.push(m.id); }
    next = page.next;
  }
  return { seqs, ids, next };
}

async function liveAll(channel: string): Promise<string[]> {
  const ids: string[] = [];
  let after = 0;
  for (;;) {
    const page = await json<{ messages: { id: string }[]; next: number; more: boolean }>(await feed.get(`/v1/channels/${channel}/messages?after=${after}`));
    ids.push(...page.messages.map((m) => m.id));
    after = page.next;
    if (!page.more) return ids;
  }
}

test('the static feed holds exactly what the live feed serves, retractions applied', async () => {
  for (let i = 0; i < 230; i++) await feed.publish(news('news', `post ${i}`));
  const r1 = await json<{ id: string }>(await feed.publish(release('stable', '1.0.0')));
  await feed.publish(release('stable', '1.1.0'));
  await feed.publish({ channel: 'stable', kind: 'retraction', title: '', body: '', retracts: r1.id });
  const res = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) });
  assert.deepEqual(res.index.heads, await json<{ heads: Record<string, number> }>(await feed.get('/v1/heads')).then((h) => h.heads));
  assert.equal(res.index.channels.find((c) => c.name === 'news')?.pages.length, 3);
  assert.deepEqual(readStatic('news', 0).ids, await liveAll('news'));
  assert.deepEqual(readStatic('stable', 0).ids, await liveAll('stable'));
  assert.ok(!readStatic('stable', 0).ids.includes(r1.id), 'the retracted release is not served');
});

test('an unchanged feed re-exports byte-identical; a new message touches only the last page and the index', async () => {
  const before = readdirSync(join(out, 'v1', 'pages', 'news')).sort();
  const again = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) });
  assert.equal(again.written, 0);
  const m = await json<{ seq: number }>(await feed.publish(news('news', 'one more')));
  const third = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) });
  assert.equal(third.written, 2, 'the new last page and index.json');
  const after = readdirSync(join(out, 'v1', 'pages', 'news')).sort();
  assert.equal(after.filter((f) => !before.includes(f)).length, 1);
  assert.equal(before.filter((f) => !after.includes(f)).length, 0, 'the replaced page is kept for clients holding the old index');
  const fromCursor = readStatic('news', m.seq - 1);
  assert.deepEqual(fromCursor.seqs, [m.seq]);
  assert.equal(fromCursor.next, m.seq);
});

test('stale pages are removed after the grace period', async () => {
  await feed.publish(news('news', 'and another'));
  const res = await exportFeed(feed.server.store, out, { now: Math.floor(Date.now() / 1000) + 2 * 86_400 });
  assert.ok(res.removed >= 1);
  const index = JSON.parse(readFileSync(join(out, 'v1', 'index.json'), 'utf8')) as StaticIndex;
  const files = readdirSync(join(out, 'v1', 'pages', 'news')).map((f) => `pages/news/${f}`).sort();
  assert.deepEqual(files, index.channels.find((c) => c.name === 'news')?.pages.map((p) => p.file).sort());
});
