// Bare node:http anchors, one mode per process (BENCH_MODE):
//   304     — answers every request with a fixed 304 (and its ETag), row 1;
//   body    — answers every request with the same precomputed buffer (BENCH_BODY_FILE), row 2;
//   static  — serves the electron-updater and Sparkle documents with the headers a static file server
//             (nginx) sends, row 3.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { serveIpc } from '../lib/proc.ts';
import { latestLinuxYml, sparkleAppcast } from '../lib/documents.ts';

const mode = process.env.BENCH_MODE ?? '304';
const ETAG = '"6742a1f0-2c"';
const body = mode === 'body' ? readFileSync(process.env.BENCH_BODY_FILE as string) : Buffer.alloc(0);
const statics: Record<string, { type: string; data: Buffer }> = {
  '/latest-linux.yml': { type: 'application/octet-stream', data: Buffer.from(latestLinuxYml) },
  '/appcast.xml': { type: 'application/xml', data: Buffer.from(sparkleAppcast) },
};
const lastModified = 'Fri, 20 Nov 2026 10:11:12 GMT';

const server = createServer((req, res) => {
  if (mode === '304') {
    res.writeHead(304, { ETag: ETAG });
    res.end();
  } else if (mode === 'body') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  } else {
    const file = statics[(req.url ?? '/').split('?')[0] as string];
    if (!file) {
      res.writeHead(404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    // The header set nginx sends for a static file (Server, Date, Content-Type, Content-Length,
    // Last-Modified, Connection, ETag, Accept-Ranges); Node adds Date, Connection and Keep-Alive.
    res.writeHead(200, {
      Server: 'nginx/1.22.1',
      'Content-Type': file.type,
      'Content-Length': file.data.length,
      'Last-Modified': lastModified,
      ETag: `"${createHash('sha1').update(file.data).digest('hex').slice(0, 8)}-${file.data.length.toString(16)}"`,
      'Accept-Ranges': 'bytes',
    });
    res.end(file.data);
  }
});
server.listen(0, '127.0.0.1', () => {
  serveIpc(() => ({ rss: process.memoryUsage().rss }));
  process.send?.({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, etag: ETAG });
});
process.on('SIGTERM', () => process.exit(0));
