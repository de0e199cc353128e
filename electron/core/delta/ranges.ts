// One Range request for bytes from..to of the full file (the chunks a client doesn't have). Only a 206 whose
// Content-Range names exactly that range is accepted: a server that ignores Range would send the whole file,
// so that answer is cut off at once and the caller falls back to the plain download.
import { DownloadError, open, type RequestOptions } from '../download.ts';

export class RangeUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeUnsupported';
  }
}

/** Bytes from..to (inclusive) of `url`; `onBytes` is told of each piece as it arrives (real bytes on the wire). */
export async function fetchRange(url: string, from: number, to: number, opts: RequestOptions, onBytes: (n: number) => void): Promise<Buffer> {
  const { res, req } = await open(new URL(url), opts, from, 0, to);
  const want = to - from + 1;
  const range = String(res.headers['content-range'] ?? '');
  if (res.statusCode !== 206 || !new RegExp(`^bytes ${from}-${to}/`).test(range)) {
    res.resume();
    req.destroy();
    if (res.statusCode === 200 || res.statusCode === 206) throw new RangeUnsupported('the server does not answer Range requests');
    throw new DownloadError('http', `a chunk request answered HTTP ${res.statusCode}`);
  }
  const parts: Buffer[] = [];
  let got = 0;
  const onAbort = () => req.destroy();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (e: DownloadError) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(e);
      };
      res.on('data', (b: Buffer) => {
        got += b.length;
        if (got > want) return fail(new DownloadError('size-mismatch', `a chunk request sent more than the ${want} bytes asked for`));
        parts.push(b);
        onBytes(b.length);
      });
      res.on('end', () => {
        if (!res.complete || got !== want) return fail(new DownloadError('network', 'the connection dropped'));
        settled = true;
        resolve();
      });
      res.on('close', () => fail(opts.signal?.aborted ? new DownloadError('cancelled', 'download cancelled') : new DownloadError('network', 'the connection dropped')));
      res.on('error', (e) => fail(new DownloadError('network', e.message)));
      req.on('error', (e) => fail(e instanceof DownloadError ? e : new DownloadError(opts.signal?.aborted ? 'cancelled' : 'network', e.message)));
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(parts, got);
}
