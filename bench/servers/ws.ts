// `ws` anchor for row 7: one process holding idle WebSocket connections; `POST /publish` broadcasts the
// request body to every connection (the same signed JSON the feed service would push).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { openFilesLimit, rssAfterGc, serveIpc } from '../lib/proc.ts';

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString();
    const t = performance.now();
    for (const client of wss.clients) client.send(text);
    lastFanoutMs = performance.now() - t;
    res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"accepted":true}');
  });
});
const wss = new WebSocketServer({ server });
let lastFanoutMs = 0;
server.listen(0, '127.0.0.1', async () => {
  serveIpc(async (msg) => {
    if (msg.cmd === 'rss') return { rss: await rssAfterGc(), subscribers: wss.clients.size };
    if (msg.cmd === 'fanout') return { ms: lastFanoutMs };
    throw new Error(`unknown command ${String(msg.cmd)}`);
  });
  process.send?.({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, openFiles: await openFilesLimit() });
});
process.on('SIGTERM', () => process.exit(0));
