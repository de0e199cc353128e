// Sparkle 2 appcasts (docs/legacy-feeds.md), built from signed release records. Pure.
//
// One appcast per update channel and Mac build: `<channel>.xml` lists darwin-universal archives,
// `<channel>-arm64.xml` and `<channel>-x64.xml` the per-arch builds (falling back to a universal one).
// Each item carries what Sparkle documents for it: sparkle:version and sparkle:shortVersionString, pubDate,
// the notes, sparkle:criticalUpdate, sparkle:minimumUpdateVersion (+ sparkle:minimumAutoupdateVersion for
// Sparkle before 2.9), and an enclosure with url, length, type and sparkle:edSignature.
import type { Asset } from '../../shared/protocol/schemas.ts';
import { UPDATE_CHANNELS, type UpdateChannel } from '../../shared/channels.ts';
import { kindOf, newestFirst, sourcesOf, targets, type ReleaseRecord } from './releases.ts';

export const SPARKLE_NS = 'http://www.andymatuschak.org/xml-namespaces/sparkle';
/** Items per appcast: Sparkle picks the best one it may install, so older ones matter only as fallbacks. */
export const MAX_ITEMS = 10;

export type MacBuild = 'universal' | 'arm64' | 'x64';

export interface AppcastFile {
  name: string;
  channel: UpdateChannel;
  build: MacBuild;
}

export const APPCAST_FILES: readonly AppcastFile[] = UPDATE_CHANNELS.flatMap((channel) => [
  { name: `${channel}.xml`, channel, build: 'universal' as const },
  { name: `${channel}-arm64.xml`, channel, build: 'arm64' as const },
  { name: `${channel}-x64.xml`, channel, build: 'x64' as const },
]);

export function appcastFile(name: string): AppcastFile | undefined {
  return APPCAST_FILES.find((f) => f.name === name);
}

const PLATFORMS: Record<MacBuild, string[]> = {
  universal: ['darwin-universal'],
  arm64: ['darwin-arm64', 'darwin-universal'],
  x64: ['darwin-x64', 'darwin-universal'],
};

type Signed = Asset & { edSignature: string };

/** The archive Sparkle installs for this build: signed, a zip before a dmg, the build's own arch first. */
function archive(record: ReleaseRecord, build: MacBuild): Signed | undefined {
  for (const platform of PLATFORMS[build]) {
    if (!targets(record, platform)) continue;
    const signed = record.release.assets.filter((a): a is Signed => a.platform === platform && typeof a.edSignature === 'string');
    const found = signed.find((a) => kindOf(a) === 'zip') ?? signed.find((a) => kindOf(a) === 'dmg');
    if (found) return found;
  }
  return undefined;
}

/**
 * Records Sparkle cannot be told about faithfully: a partial rollout (Sparkle's phased rollout is by time
 * since pubDate, not a share of installs) and a maximum installed version (Sparkle has no such element).
 */
function inexpressible(record: ReleaseRecord): boolean {
  const rollout = record.target?.rollout;
  return (rollout !== undefined && rollout < 100) || record.target?.maxVersion !== undefined;
}

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD. */
function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

export function xmlEscape(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/**
 * The notes as HTML that shows the Markdown text as written: escaped, so nothing in it is ever rendered as
 * raw HTML (protocol.md), and understood by every Sparkle 2 (sparkle:format="markdown" is recent).
 */
function notesHtml(body: string): string {
  return `<pre style="white-space: pre-wrap; font-family: -apple-system, sans-serif;">${xmlEscape(body)}</pre>`;
}

function item(record: ReleaseRecord, asset: Signed): string {
  const { version, critical } = record.release;
  const min = record.target?.minVersion;
  const lines = [
    '    <item>',
    `      <title>${xmlEscape(record.title)}</title>`,
    `      <pubDate>${new Date(record.created * 1000).toUTCString()}</pubDate>`,
    `      <sparkle:version>${xmlEscape(version)}</sparkle:version>`,
    `      <sparkle:shortVersionString>${xmlEscape(version)}</sparkle:shortVersionString>`,
    ...(critical ? ['      <sparkle:criticalUpdate></sparkle:criticalUpdate>'] : []),
    // Sparkle 2.9+ does not offer the item below this version; older Sparkle 2 ignores that element but
    // still never installs it automatically below minimumAutoupdateVersion (the user is asked first).
    ...(min ? [`      <sparkle:minimumUpdateVersion>${xmlEscape(min)}</sparkle:minimumUpdateVersion>`, `      <sparkle:minimumAutoupdateVersion>${xmlEscape(min)}</sparkle:minimumAutoupdateVersion>`] : []),
    ...(record.body ? [`      <description>${xmlEscape(notesHtml(record.body))}</description>`] : []),
    `      <enclosure url="${xmlEscape(asset.url)}" length="${asset.size}" type="application/octet-stream" sparkle:edSignature="${asset.edSignature}"/>`,
    '    </item>',
  ];
  return lines.join('\n');
}

export type Built = { ok: true; text: string; versions: string[] } | { ok: false; message: string };

/** The appcast: up to MAX_ITEMS of the newest releases it can fully describe; the others are left out. */
export function appcast(records: readonly ReleaseRecord[], file: AppcastFile): Built {
  const items: string[] = [];
  const versions: string[] = [];
  for (const record of newestFirst(records)) {
    if (items.length >= MAX_ITEMS) break;
    if (inexpressible(record)) continue;
    const asset = archive(record, file.build);
    if (!asset) continue;
    items.push(item(record, asset));
    versions.push(record.release.version);
  }
  const sources = sourcesOf(file.channel);
  if (items.length === 0) {
    const wanted = PLATFORMS[file.build].join(' or ');
    return { ok: false, message: `no release on ${sources.join(' or ')} can be described in ${file.name}: it needs a ${wanted} .zip or .dmg asset with an edSignature, no partial rollout and no maximum installed version` };
  }
  const text = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<rss version="2.0" xmlns:sparkle="${SPARKLE_NS}">`,
    '  <channel>',
    `    <title>${xmlEscape(`Releases: ${file.channel}`)}</title>`,
    `    <description>${xmlEscape(`Releases on ${sources.join(' and ')}, for ${file.build === 'universal' ? 'universal' : file.build} Mac builds`)}</description>`,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
  return { ok: true, text, versions };
}
