// A raw HTTP/1.1 client for tests that need exact bytes: pipelined requests in one packet, split
// packets, malformed heads. Responses are parsed just enough to count and compare them.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header lines as sent (name and value), in order. */
  headers: [string, string][];
  body: string;
  /** The response's bytes, for byte-for-byte comparison. */
  raw: string;
}

export class RawClient {
  private readonly socket: Socket;
  private buf = '';
  private readonly parsed: RawResponse[] = [];
  private waiters: (() => void)[] = [];
  ended = false;
  readonly connected: Promise<void>;

  constructor(url: string) {
    const u = new URL(url);
    this.socket = connect(Number(u.port), u.hostname);
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.parse();
      this.wake();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  send(bytes: string): void {
    this.socket.write(bytes, 'latin1');
  }

  /** Resolves with the first `n` responses, or rejects naming how many came before `ms` passed. */
  async responses(n: number, ms = 3000): Promise<RawResponse[]> {
    const deadline = Date.now() + ms;
    while (this.parsed.length < n) {
      if (this.ended) throw new Error(`connection closed after ${this.parsed.length} of ${n} responses`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.parsed.length} of ${n} responses in ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return this.parsed.slice(0, n);
  }

  /** How many responses have arrived so far. */
  get count(): number {
    return this.parsed.length;
  }

  /** Resolves once the server has closed the connection (rejects after `ms`). */
  async closedByServer(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the connection is still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private parse(): void {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buf.slice(0, end).split('\r\n');
      const status = Number((lines[0] as string).split(' ')[1]);
      const headers = lines.slice(1).map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
      let length = Number(headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1] ?? 0);
      let body: string | null;
      if (headers.some(([k, v]) => k.toLowerCase() === 'transfer-encoding' && v === 'chunked')) {
        const chunked = dechunk(this.buf, end + 4);
        if (chunked === null) return;
        [body, length] = chunked;
      } else {
        if (this.buf.length < end + 4 + length) return;
        body = this.buf.slice(end + 4, end + 4 + length);
      }
      const raw = this.buf.slice(0, end + 4 + length);
      this.parsed.push({ status, headers, body, raw });
      this.buf = this.buf.slice(raw.length);
    }
  }
}

/** A chunked body from `at`: its text and how many bytes it took, or null while incomplete. */
function dechunk(buf: string, at: number): [string, number] | null {
  let body = '';
  let i = at;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return null;
    const size = parseInt(buf.slice(i, eol), 16);
    if (buf.length < eol + 2 + size + 2) return null;
    body += buf.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
    if (size === 0) return [body, i - at];
  }
}

/** The value of a header (first of that name, any case). */
export function header(r: RawResponse, name: string): string | undefined {
  return r.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}
