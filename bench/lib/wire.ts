// Bytes on the wire: one HTTP/1.1 exchange over a raw socket, and a counting TCP proxy that sees exactly
// what a real client (Node's fetch) and the server put on the socket.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Exchange {
  status: number;
  requestBytes: number;
  responseBytes: number;
  headerBytes: number;
  bodyBytes: number;
  request: string;
  responseHead: string;
}

/** Splits a raw response into head and body once complete (Content-Length, chunked, or none for 304). */
function complete(buf: Buffer): { headEnd: number; total: number } | null {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = buf.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  const start = headEnd + 4;
  if (status === 304 || status === 204 || (status >= 100 && status < 200)) return { headEnd, total: start };
  const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (len) return buf.length >= start + Number(len[1]) ? { headEnd, total: start + Number(len[1]) } : null;
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const end = buf.indexOf('\r\n0\r\n\r\n', start - 2);
    return end >= 0 ? { headEnd, total: end + 7 } : null;
  }
  return null;
}

/** Sends `request` on a fresh connection and counts the bytes of the one response. */
export function exchange(port: number, request: string, host = '127.0.0.1'): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, host);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no complete response in 5 s')); }, 5000);
    sock.on('connect', () => sock.write(request, 'latin1'));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const done = complete(buf);
      if (!done) return;
      clearTimeout(timer);
      sock.destroy();
      const head = buf.subarray(0, done.headEnd + 4).toString('latin1');
      resolve({
        status: Number(head.slice(9, 12)),
        requestBytes: Buffer.byteLength(request, 'latin1'),
        responseBytes: buf.length,
        headerBytes: done.headEnd + 4,
        bodyBytes: buf.length - done.headEnd - 4,
        request,
        responseHead: head,
      });
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/** Builds a request from ordered header pairs (as a client library would write them). */
export function rawRequest(method: string, path: string, headers: [string, string][]): string {
  return `${method} ${path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

export interface CountingProxy {
  port: number;
  /** Bytes and raw text seen since the last reset, client→server (up) and server→client (down). */
  seen(): { up: Buffer; down: Buffer };
  reset(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of `targetPort` that records every byte in both directions. */
export function countingProxy(targetPort: number): Promise<CountingProxy> {
  let up: Buffer[] = [];
  let down: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => { up.push(d); upstream.write(d); });
    upstream.on('data', (d: Buffer) => { down.push(d); client.write(d); });
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : 0,
        seen: () => ({ up: Buffer.concat(up), down: Buffer.concat(down) }),
        reset: () => { up = []; down = []; },
        close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
      });
    });
  });
}

/** Byte cost of each header line (name: value CRLF) of a raw head, largest first. */
export function headerCosts(head: string): { line: string; bytes: number }[] {
  return head.split('\r\n').slice(1).filter(Boolean)
    .map((line) => ({ line, bytes: Buffer.byteLength(line, 'latin1') + 2 }))
    .sort((a, b) => b.bytes - a.bytes);
}
