// Signature handling through the feed v1 source (cases 24, 25, 28, 29): only a valid signature from a built-in
// key yields a typed release; everything else is dropped and logged, and the poll still counts as reachable.
// Cases 24, 25 and 29 run against the live API and against a static export of the same records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKey } from '../../shared/protocol/signing.ts';
import { startFaultServer } from './helpers/fault-server.ts';
import { miniFeed } from './helpers/mini-feed.ts';
import { v1Harness } from './helpers/harness.ts';
import { MODES, serveMiniFeed } from './helpers/static-host.ts';
import { createCompanion, ConfigError } from '../../electron/core/index.ts';
import { tempDir } from './helpers/tmp.ts';

const rel = (channel: string, version: string, url = `https://dl.example.com/${channel}/${version}`) => ({
  channel, kind: 'release' as const, title: `Tidings ${version}`, body: 'notes',
  release: { version, assets: [{ platform: 'linux-x64', url, sha256: (channel === 'stable' ? 'ab' : 'cd').repeat(32), size: 5 }] },
});
type Rec = Record<string, unknown> & { sig: { key: string; ed25519: string } | null; release?: { assets: Record<string, unknown>[] } };

for (const mode of MODES) {
  test(`${mode}: case 25: the signature matrix: only a valid signature from a built-in key gives a release`, async (t) => {
    const feed = await miniFeed();
    const other = await generateSigningKey();
    const { url } = await serveMiniFeed(t, feed, mode);
    const flip = (s: string) => s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    const cases: [string, Parameters<typeof feed.add>[1]][] = [
      ['missing', { unsigned: true }],
      ['wrong key', { key: other }],
      ['invalid', { tamper: (r) => ((r as Rec).sig!.ed25519 = flip((r as Rec).sig!.ed25519)) }],
      ['bad base64', { tamper: (r) => ((r as Rec).sig!.ed25519 = `${'!'.repeat(86)}==`) }],
      ['truncated', { tamper: (r) => ((r as Rec).sig!.ed25519 = (r as Rec).sig!.ed25519.slice(0, 40)) }],
      ['flipped byte in payload', { tamper: (r) => ((r as Rec).title = 'Tidings 1.0.X') }],
      ['flipped byte in asset hash', { tamper: (r) => ((r as Rec).release!.assets[0]!.sha256 = 'ac' + 'ab'.repeat(31)) }],
    ];
    for (const [i, [, opts]] of cases.entries()) await feed.add(rel('stable', `1.0.${i}`), opts);
    await feed.add(rel('stable', '1.1.0'));
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    const r = await h.check(['stable']);
    assert.equal(r.ok, true, 'the poll counts as reachable');
    assert.deepEqual(h.store.releases(['stable']).map((x) => x.version), ['1.1.0']);
    const shown = h.store.list().map((x) => [x.kind, x.trusted, x.version]);
    assert.deepEqual(shown.sort(), [['note', false, null], ['release', true, '1.1.0']], 'the unsigned one is untrusted text');
    const log = h.store.checkLog().map((e) => e.detail).join('\n');
    assert.equal((log.match(/^dropped /gm) ?? []).length, cases.length - 1, log);
  });

  test(`${mode}: case 24: experimental URL and hash pasted into a stable record fail verification (channel is signed too)`, async (t) => {
    const feed = await miniFeed();
    const { url } = await serveMiniFeed(t, feed, mode);
    const exp = await feed.add(rel('experimental', '2.0.0-beta.1', 'https://dl.example.com/evil'));
    await feed.add(rel('stable', '1.9.0'), { tamper: (r) => ((r as Rec).release!.assets = (exp as Rec).release!.assets) });
    // The experimental record replayed on the stable channel.
    feed.records.push({ ...exp, channel: 'stable', seq: 99 });
    const h = await v1Harness(t, url, [feed.key.publicKey]);
    assert.equal((await h.check(['stable'])).ok, true);
    assert.deepEqual(h.store.releases(['stable']), []);
  });

  // Rotation (protocol.md): the link from old to new key is an app release signed by the old key that builds in
  // both; a feed never changes which keys a client trusts, so a feed cannot swap the anchor for its own key.
  test(`${mode}: case 29: key rotation through an app release; a feed-announced or spoofed key is rejected`, async (t) => {
    const oldKey = await generateSigningKey();
    const newKey = await generateSigningKey();
    const feed = await miniFeed(oldKey);
    const { url } = await serveMiniFeed(t, feed, mode);
    // The rotation release: signed by the old key, it ships the new key (the payload is the app itself).
    await feed.add(rel('stable', '2.0.0'));
    await feed.add(rel('stable', '2.1.0'), { key: newKey });
    // A "rotation statement" inside the feed, signed by the old key, naming the new key: it changes nothing.
    await feed.add({ channel: 'news', title: 'We rotated our key', data: { newPublicKey: newKey.publicKey } });
    // The new key's signature labelled with the old key's id: the label does not make it the old key.
    await feed.add(rel('stable', '2.2.0'), { key: newKey, tamper: (r) => ((r as Rec).sig!.key = oldKey.keyId) });
    const oldOnly = await v1Harness(t, url, [oldKey.publicKey]);
    await oldOnly.check(['stable', 'news']);
    assert.deepEqual(oldOnly.store.releases(['stable']).map((x) => x.version), ['2.0.0'], 'a new key with no link to the built-in one');
    assert.match(oldOnly.store.checkLog().map((e) => e.detail).join('\n'), /signature rejected \(unknown-key\)[\s\S]*signature rejected \(bad-signature\)|signature rejected \(bad-signature\)[\s\S]*signature rejected \(unknown-key\)/);
    const both = await v1Harness(t, url, [oldKey.publicKey, newKey.publicKey]);
    await both.check(['stable']);
    assert.deepEqual(both.store.releases(['stable']).map((x) => x.version).sort(), ['2.0.0', '2.1.0'], 'the transition build trusts both');
    // The build after the transition period retires the old key.
    const newOnly = await v1Harness(t, url, [newKey.publicKey]);
    await newOnly.check(['stable']);
    assert.deepEqual(newOnly.store.releases(['stable']).map((x) => x.version), ['2.1.0']);
  });
}

test('case 28: odd channel names are refused at configuration; valid ones are URL-encoded in requests', async (t) => {
  const dataDir = tempDir(t);
  for (const bad of ['../x', '?', '#', '%2e%2e', 'x'.repeat(300), '🙂']) {
    await assert.rejects(createCompanion({
      dataDir, publisherKeys: [], installedVersion: '1.0.0', platform: 'linux-x64', channel: 'stable',
      sources: [{ kind: 'feed-v1', id: 'a', url: 'https://feed.example.com', newsChannels: [bad] }],
    }), ConfigError, bad);
  }
  const feed = await miniFeed();
  await feed.add({ channel: 'Beta.1_x-y', title: 'hi' });
  const srv = await startFaultServer(t, (q, r) => void feed.handle(q, r));
  const h = await v1Harness(t, srv.url, [feed.key.publicKey]);
  assert.equal((await h.check(['Beta.1_x-y'])).ok, true);
  assert.ok(srv.requests.some((r) => r.url.startsWith('/v1/channels/Beta.1_x-y/messages?after=0')));
});

test('case 28: records whose ids could reach a path or URL raw are dropped and logged; the check still succeeds', async (t) => {
  const feed = await miniFeed();
  const bad = ['../x', 'a/b', '?q', '#f', '%2e%2e', 'x'.repeat(300), '🙂'];
  for (const id of bad) await feed.add({ channel: 'news', id, title: `bad ${id.slice(0, 8)}` });
  await feed.add({ channel: 'news', id: 'good-1', title: 'good' });
  const srv = await startFaultServer(t, (q, r) => void feed.handle(q, r));
  const h = await v1Harness(t, srv.url, [feed.key.publicKey]);
  const r = await h.check(['news']);
  assert.equal(r.ok, true, r.detail);
  assert.deepEqual(h.store.list().map((i) => i.id), ['good-1']);
  const log = h.store.checkLog().map((e) => e.detail).join('\n');
  assert.equal((log.match(/does not match the schema/g) ?? []).length, bad.length, log);
  assert.equal(h.store.cursor('s', 'news')?.cursor, bad.length + 1, 'the cursor still passes the dropped records');
});
