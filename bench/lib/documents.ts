// The documents the row-3 anchors serve, shaped like real ones: electron-builder's latest-linux.yml for an
// AppImage release, and a Sparkle 2 appcast with three items (EdDSA signatures, inline release notes).
import { createHash } from 'node:crypto';

const b64 = (seed: string, bytes: number) => {
  let out = Buffer.alloc(0);
  for (let i = 0; out.length < bytes; i++) out = Buffer.concat([out, createHash('sha512').update(`${seed}${i}`).digest()]);
  return out.subarray(0, bytes).toString('base64');
};

export const latestLinuxYml = `version: 2.1.0
files:
  - url: Tidings-2.1.0.AppImage
    sha512: ${b64('appimage', 64)}
    size: 104857600
    blockMapSize: 110245
path: Tidings-2.1.0.AppImage
sha512: ${b64('appimage', 64)}
releaseDate: '2026-11-20T10:11:12.345Z'
`;

const item = (version: string, build: number, date: string, notes: string[]) => `    <item>
      <title>Version ${version}</title>
      <link>https://tidings.example.com/releases/${version}</link>
      <pubDate>${date}</pubDate>
      <sparkle:version>${build}</sparkle:version>
      <sparkle:shortVersionString>${version}</sparkle:shortVersionString>
      <sparkle:minimumSystemVersion>11.0</sparkle:minimumSystemVersion>
      <description><![CDATA[
        <h2>What's new in ${version}</h2>
        <ul>${notes.map((n) => `<li>${n}</li>`).join('')}</ul>
      ]]></description>
      <enclosure url="https://dl.example.com/tidings/Tidings-${version}.dmg" length="${98_000_000 + build}" type="application/octet-stream" sparkle:edSignature="${b64(version, 64)}"/>
    </item>
`;

export const sparkleAppcast = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:sparkle="http://www.andymatuschak.org/xml-namespaces/sparkle" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Tidings</title>
    <link>https://tidings.example.com/appcast.xml</link>
    <description>Most recent changes with links to updates.</description>
    <language>en</language>
${item('2.1.0', 2100, 'Fri, 20 Nov 2026 10:11:12 +0000', ['Live news over Server-Sent Events', 'Checks cost a few hundred bytes', 'Fixed a crash when the feed was offline', 'Quieter notifications at night'])}${item('2.0.1', 2010, 'Mon, 02 Nov 2026 09:00:00 +0000', ['Fixed the tray icon on dark menus', 'Faster start-up', 'Translations: German, French and Japanese'])}${item('2.0.0', 2000, 'Tue, 13 Oct 2026 15:30:00 +0000', ['New inbox with unread counts', 'Signed releases (Ed25519)', 'Staged rollouts', 'Keyboard shortcuts for every action'])}  </channel>
</rss>
`;
