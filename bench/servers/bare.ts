// The floor of row 7's memory: a bare `node:net` server holding idle connections and doing nothing else
// (no request read, no protocol, only shared 'error' and 'close' handlers). What one such connection
// costs is what any Node server pays per subscriber before its own objects; `blast` times the plainest
// fan-out (one write of one Buffer per connection), the floor of any publish in Node.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { openFilesLimit, rssAfterGc, serveIpc } from '../lib/proc.ts';

function ignore(): void {}
function closed(this: Socket): void {
  connections--;
  sockets.delete(this);
}
let connections = 0;
const sockets = new Set<Socket>();
const server = createServer((socket) => {
  connections++;
  sockets.add(socket);
  socket.on('error', ignore);
  socket.on('close', closed);
});
server.listen(0, '127.0.0.1', async () => {
  serveIpc(async (msg) => {
    // The floor of the fan-out: one Buffer of the given size written to every connection, timed.
    if (msg.cmd === 'blast') {
      const buf = Buffer.alloc(Number(msg.bytes), 0x61);
      const t = performance.now();
      for (const s of sockets) s.write(buf);
      return { ms: performance.now() - t };
    }
    if (msg.cmd === 'rss') return { rss: await rssAfterGc(), subscribers: connections };
    throw new Error(`unknown command ${String(msg.cmd)}`);
  });
  process.send?.({ ready: true, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, openFiles: await openFilesLimit() });
});
process.on('SIGTERM', () => process.exit(0));
