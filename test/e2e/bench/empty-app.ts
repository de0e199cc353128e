// performance.md row 9 baseline process: Node serving the built empty React app over loopback, printing its
// URL like the preview does. Run by test/e2e/perf.spec.ts.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const root = normalize((process.argv[2] ?? '.') + sep);
const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };
const server = createServer((req, res) => {
  const file = normalize(join(root, (req.url ?? '/').split('?')[0] ?? '/'));
  if (!file.startsWith(root)) return void res.writeHead(404).end();
  readFile(file).then(
    (body) => { res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' }); res.end(body); },
    () => { res.writeHead(404).end(); },
  );
});
server.listen(0, '127.0.0.1', () => {
  console.log(`Ready: open http://127.0.0.1:${(server.address() as AddressInfo).port}/bench/empty.html`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
