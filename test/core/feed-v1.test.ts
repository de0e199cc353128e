// Feed v1 source against a scripted feed: conditional heads, paging, retractions, signature handling,
// first-sync quietness and the re-sync when a feed was restored from a backup. Every scenario runs twice:
// against the live API and against a static export of the same records (index.json + immutable pages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKey } from '../../shared/protocol/signing.ts';
import { sendJson } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { v1Harness } from './helpers/harness.ts';
import { MODES, serveMiniFeed } from './helpers/static-host.ts';

const rel = (version: string) => ({
  channel: 'stable', kind: 'release' as const, title: `Tidings ${version}`, body: 'notes',
  release: { version, assets: [{ platform: 'linux-x64', url: `https://dl.example.com/T-${version}.AppImage`, sha256: 'ab'.repeat(32), size: 5 }] },
});

for (const mode of MODES) {
  test(`${mode}: first check stores everything as read history; the second is a 304 with If-None-Match; new items toast once`, async (t) => {
    const feed = await miniFeed();
    const { srv, url, pages } = await serveMiniFeed(t, feed, mode);
    for (let i = 0; i < 3; i++) await feed.add({ channel: 'news', title: `n${i}` });
    await feed.add(rel('2.0.0'));
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    const first = await h.check();
    assert.equal(first.ok, true, first.detail);
    assert.equal(first.result?.inserted.length, 4);
    assert.equal(first.result?.toasts.length, 0, 'no flood of old news on first sync');
    assert.deepEqual(h.store.unreadCounts(), { total: 0, byChannel: {} }, 'history: no unread badge');
    assert.ok(h.store.list().every((i) => i.read), 'history is listed as read');
    assert.equal(h.store.cursor('s', 'news')?.cursor, 3);
    assert.equal(h.store.cursor('s', 'stable')?.cursor, 4);
    const second = await h.check();
    assert.equal(second.ok, true);
    assert.equal(second.status, 304);
    assert.equal(second.maxAgeSec, 60);
    const inm = srv.requests.at(-1)?.headers['if-none-match'];
    if (mode === 'live') assert.equal(inm, '"e1-4"');
    else assert.match(String(inm), /^"[0-9a-f]{20}"$/, 'the static host\'s ETag of index.json');
    assert.equal(srv.requests.filter((q) => q.url.startsWith(pages('news'))).length, 1, 'a 304 fetches no pages');
    await feed.add({ channel: 'news', title: 'fresh' });
    const third = await h.check();
    assert.deepEqual(third.result?.toasts.map((i) => i.title), ['fresh']);
    assert.equal((await h.check()).status, 304);
    assert.deepEqual(h.store.unreadCounts(), { total: 1, byChannel: { news: 1 } }, 'only what came after the first sync is unread');
    assert.ok(h.store.source('s')?.lastSuccess);
  });

  test(`${mode}: case 17: a message back-dated below everything already synced is still delivered (the cursor is seq, not time)`, async (t) => {
    const feed = await miniFeed();
    const { url } = await serveMiniFeed(t, feed, mode);
    await feed.add({ channel: 'news', title: 'first' });
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    await h.check(['news']);
    (await feed.add({ channel: 'news', title: 'back-dated' })).created = 1_000_000_000;
    const r = await h.check(['news']);
    assert.deepEqual(r.result?.toasts.map((i) => i.title), ['back-dated']);
    assert.equal(h.store.list().length, 2);
  });

  test(`${mode}: pages are followed until more=false (250 messages, limit 100)`, async (t) => {
    const feed = await miniFeed();
    const { srv, url, pages } = await serveMiniFeed(t, feed, mode);
    for (let i = 0; i < 250; i++) await feed.add({ channel: 'news', title: `n${i}` });
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    assert.equal((await h.check(['news'])).ok, true);
    assert.equal(h.count(), 250);
    assert.equal(srv.requests.filter((r) => r.url.startsWith(pages('news'))).length, 3);
  });

  test(`${mode}: retractions hide messages; bad signatures are dropped and logged; unsigned releases become notes`, async (t) => {
    const feed = await miniFeed();
    const stranger = await generateSigningKey();
    const { url } = await serveMiniFeed(t, feed, mode);
    const n = await feed.add({ channel: 'news', title: 'to be retracted' });
    await feed.add({ channel: 'news', kind: 'retraction', title: '', retracts: n.id as string });
    await feed.add(rel('2.0.0'), { key: stranger });
    await feed.add(rel('2.0.1'), { tamper: (r) => ((r.release as { version: string }).version = '2.0.2') });
    await feed.add({ ...rel('2.0.3'), body: 'Get it at https://example.com/dl.' }, { unsigned: true });
    await feed.add(rel('2.0.4'));
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    const r = await h.check();
    assert.equal(r.ok, true, r.detail);
    const items = h.store.list();
    assert.deepEqual(items.map((i) => [i.kind, i.title, i.trusted]).sort(), [
      ['note', 'Tidings 2.0.3', false],
      ['release', 'Tidings 2.0.4', true],
    ]);
    assert.equal(items.find((i) => i.kind === 'note')?.link, 'https://dl.example.com/T-2.0.3.AppImage');
    assert.deepEqual(h.store.releases(['stable']).map((i) => i.version), ['2.0.4']);
    const log = h.store.checkLog().map((e) => e.detail).join('\n');
    assert.match(log, /signature rejected \(unknown-key\)/);
    assert.match(log, /signature rejected \(bad-signature\)/);
  });

  test(`${mode}: a head below the cursor (feed restored from backup) re-syncs from 0 without duplicates`, async (t) => {
    const feed = await miniFeed();
    const { url } = await serveMiniFeed(t, feed, mode);
    for (let i = 0; i < 5; i++) await feed.add({ channel: 'news', title: `n${i}` });
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    await h.check(['news']);
    // The operator restores a backup that had only the first 2 messages, then 1 new one is published.
    feed.records.splice(2);
    feed.epoch = 'e2';
    const restored = await feed.add({ channel: 'news', title: 'after restore' });
    assert.equal(restored.seq, 6);
    feed.records[2]!.seq = 3;
    const r = await h.check(['news']);
    assert.equal(r.ok, true, r.detail);
    assert.equal(h.count(), 6, 'the 5 known once each, plus the new one');
    assert.equal(h.store.cursor('s', 'news')?.cursor, 3);
  });

  test(`${mode}: a page for another channel fails the whole check (a single record below the cursor is only set aside, case 57); nothing is stored`, async (t) => {
    const feed = await miniFeed();
    await feed.add({ channel: 'news' });
    const { srv, url, pages, handle } = await serveMiniFeed(t, feed, mode);
    srv.handler = (q, r, b) => {
      if (q.url?.startsWith(pages('news'))) sendJson(r, 200, { channel: 'stable', messages: [], next: mode === 'live' ? 0 : 1, head: 1, more: false });
      else return handle(q, r, b);
    };
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    const r = await h.check(['news']);
    assert.equal(r.ok, false);
    assert.match(r.detail, mode === 'live' ? /does not match the feed v1 schema/ : /does not match the index/);
    assert.equal(h.count(), 0);
    assert.equal(h.store.cursor('s', 'news'), null);
  });

  test(`${mode}: a newly followed channel is fetched even when the heads have not moved (no 304 shortcut); empty channels stay conditional`, async (t) => {
    const feed = await miniFeed();
    const { url } = await serveMiniFeed(t, feed, mode);
    await feed.add({ channel: 'stable', kind: 'release', title: 'Tidings 2.1.0', body: '', release: { version: '2.1.0', assets: [] } });
    await feed.add({ channel: 'experimental', kind: 'release', title: 'Tidings 2.2.0-beta.1', body: '', release: { version: '2.2.0-beta.1', assets: [] } });
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    assert.equal((await h.check(['stable', 'news'])).ok, true);
    assert.equal((await h.check(['stable', 'news'])).status, 304, 'news does not exist yet: still a conditional check');
    const switched = await h.check(['stable', 'experimental', 'news']);
    assert.equal(switched.status, 200);
    assert.deepEqual(h.store.releases(['experimental']).map((r) => r.version), ['2.2.0-beta.1']);
    assert.equal((await h.check(['stable', 'experimental', 'news'])).status, 304);
  });
}
