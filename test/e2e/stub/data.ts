// Test-only sample content for the stub companion (the preview ships no data of its own).
import type { AppInfo, InboxItemDetail, Offer, PublishedItem, Settings, StatusView } from '../../../shared/ipc/types.ts';

/** The stub's clock: fixed, and the page's clock is pinned to it too, so screenshots are reproducible. */
export const NOW = Date.UTC(2026, 10, 24, 9, 0, 0) / 1000;
export const now = () => NOW;
const H = 3600;

export function appInfo(): AppInfo {
  return {
    product: 'Tidings',
    version: '2.0.3',
    installId: '6c1f0d2e-8a4b-4f55-9b7e-2d3c4e5f6a7b',
    platform: 'linux-x64',
    keys: [{ keyId: '9f3c2a1b7d4e6f80', publicKey: 'MCowBQYDK2VwAyEAq1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c2v3b=' }],
    publisher: true,
  };
}

export const releaseNotes = `## What's new in 2.1.0

- **Quiet hours** now follow your system's time zone.
- The inbox opens twice as fast with thousands of posts.
- Fixed a crash when a feed sent an empty page.

Read the [full changelog](https://example.com/changelog/2.1.0) or write to [support](mailto:support@example.com).`;

export function offer(): Offer {
  return {
    version: '2.1.0', title: 'Tidings 2.1.0', notes: releaseNotes, channel: 'stable', critical: false,
    size: 120_400_000, platform: 'linux-x64', published: now() - 5 * H, itemKey: 'src1:rel-2.1.0',
  };
}

interface Seed { id: string; channel: string; kind: InboxItemDetail['kind']; title: string; body: string; age: number; read?: boolean; trusted?: boolean; version?: string }
const seeds: Seed[] = [
  { id: 'rel-2.1.0', channel: 'stable', kind: 'release', title: 'Tidings 2.1.0', body: releaseNotes, age: 5 * H, version: '2.1.0' },
  { id: 'news-maint', channel: 'stable', kind: 'news', title: 'Planned maintenance on Saturday', body: 'The update server will be **read-only** from 02:00 to 03:00 UTC on Saturday. Nothing to do on your side.', age: 26 * H },
  { id: 'rel-2.2.0-beta.1', channel: 'experimental', kind: 'release', title: 'Tidings 2.2.0 beta 1', body: 'Try the new *compact inbox*. Feedback welcome.', age: 50 * H, version: '2.2.0-beta.1' },
  { id: 'news-survey', channel: 'stable', kind: 'news', title: 'Tell us how you use Tidings', body: 'A two-minute survey: [take it here](https://example.com/survey).', age: 4 * 24 * H, read: true },
  { id: 'note-2.0.4', channel: 'stable', kind: 'note', title: 'Version 2.0.4 mentioned', body: 'A hotfix 2.0.4 is on its way: https://example.com/2.0.4', age: 9 * 24 * H, read: true, trusted: false },
  { id: 'news-welcome', channel: 'stable', kind: 'news', title: 'Welcome to Tidings', body: 'News from the publisher appears here. Updates appear under **Updates**.', age: 30 * 24 * H, read: true },
];

const excerptOf = (body: string) => body.replace(/[#*_`>[\]()]/g, '').replace(/\s+/g, ' ').trim().slice(0, 140);

export function item(s: Seed, created: number): InboxItemDetail {
  const out: InboxItemDetail = {
    key: `src1:${s.id}`, sourceId: 'src1', messageId: s.id, channel: s.channel, kind: s.kind, title: s.title,
    excerpt: excerptOf(s.body), created, read: s.read ?? false, trusted: s.trusted ?? true, body: s.body,
  };
  if (s.version) out.version = s.version;
  return out;
}

export function sampleItems(extra = 0): InboxItemDetail[] {
  const t = now();
  const out = seeds.map((s) => item(s, t - s.age));
  for (let i = 0; i < extra; i++) {
    out.push(item({ id: `bulk-${i}`, channel: i % 3 === 0 ? 'experimental' : 'stable', kind: 'news', title: `Weekly digest #${extra - i}`, body: `Digest number ${extra - i}: small fixes and notes.`, age: 31 * 24 * H + i * 600, read: i % 4 !== 0 }, t - 31 * 24 * H - i * 600));
  }
  return out;
}

export function payloadItem(id: string, title: string, body: string): InboxItemDetail {
  return item({ id, channel: 'stable', kind: 'news', title, body, age: 60 }, now() - 60);
}

export function settings(): Settings {
  return {
    channel: 'stable', autoCheck: true, intervalHours: 4, notifyUpdates: true, notifyNews: true,
    quietHours: { enabled: true, start: '22:00', end: '07:00' }, launchAtLogin: false, installOnQuit: true, shareDiagnostics: false, retentionDays: 90,
    sources: [
      { id: 'src1', name: 'Tidings updates', kind: 'tidings', url: 'https://updates.example.com/feed', channels: ['news'], hasToken: true, publisher: true },
      { id: 'src2', name: 'Licensing messages', kind: 'cryptolens', url: 'https://api.cryptolens.io', channels: [], updateChannel: 'releases', newsChannel: 'news', hasToken: true, publisher: false },
    ],
  };
}

export function status(): StatusView {
  const t = now();
  return {
    online: true,
    frozenSince: null,
    sources: [
      { id: 'src1', name: 'Tidings updates', lastCheck: t - 300, lastSuccess: t - 300, nextCheck: t + 4 * H - 300, lastError: null, needsAttention: false },
      {
        id: 'src2', name: 'Licensing messages', lastCheck: t - 600, lastSuccess: t - 26 * H, nextCheck: t + 1200,
        lastError: { message: 'The update server didn’t answer in time.', detail: 'GET https://api.cryptolens.io/api/message/GetMessages — no response within 15 s', at: t - 600 },
        needsAttention: true,
      },
    ],
    log: [
      { at: t - 300, sourceId: 'src1', outcome: 'unchanged', added: 0, message: '' },
      { at: t - 600, sourceId: 'src2', outcome: 'error', added: 0, message: 'The update server didn’t answer in time.' },
      { at: t - 5 * H, sourceId: 'src1', outcome: 'new', added: 2, message: '' },
    ],
  };
}

export function published(): PublishedItem[] {
  const t = now();
  return [
    { id: 'rel-2.1.0', seq: 12, channel: 'stable', kind: 'release', title: 'Tidings 2.1.0', version: '2.1.0', created: t - 5 * H, retracted: false },
    { id: 'news-maint', seq: 11, channel: 'stable', kind: 'news', title: 'Planned maintenance on Saturday', created: t - 26 * H, retracted: false },
    { id: 'rel-2.0.9', seq: 9, channel: 'stable', kind: 'release', title: 'Tidings 2.0.9', version: '2.0.9', created: t - 12 * 24 * H, retracted: true },
  ];
}
