// The preview host: serves the built renderer over loopback http, injects the client that provides
// `window.tidings`, and runs the WebSocket bridge to a CompanionBinding. Only 127.0.0.1, only requests
// whose Host names this server (no DNS rebinding), only files inside the renderer's build directory.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BRIDGE_PATH, CLIENT_PATH, EVENTS_PATH, clientScript } from './client.ts';
import { eventsBundle, hostBundle, hostManifest, type HostManifest } from './build.ts';
import type { Bridge } from './bridge.ts';
import type * as BridgeEntry from './bridge-entry.ts';
import type { CompanionBinding } from './types.ts';

export interface HostOptions {
  binding: CompanionBinding;
  /** The renderer's build output (index.html + assets). */
  rendererDir: string;
  port?: number;
  /** Per-run secret; random unless given (tests restarting a host may reuse one). */
  secret?: string;
  log?: (message: string) => void;
  /** Called when a connected page has painted its first answer (see BridgeOptions.onPainted). */
  onPainted?: () => void;
}

export interface PreviewHost {
  /** Open this: it carries the secret in the fragment, which is never sent over http. */
  url: string;
  origin: string;
  secret: string;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

type BridgeModule = typeof BridgeEntry;

/** The bundle's manifest when the bundle is there and none of its sources changed since it was built. */
async function freshManifest(): Promise<HostManifest | null> {
  try {
    const manifest = JSON.parse(await readFile(hostManifest, 'utf8')) as HostManifest;
    const [, ...times] = await Promise.all([hostBundle, ...manifest.modules].map(async (file) => (await stat(file)).mtimeMs));
    return times.length > 0 && times.every((t) => t <= manifest.builtMs) ? manifest : null;
  } catch {
    return null;
  }
}

/**
 * Lets the page's CSP reach exactly this bridge, and loads the client before the app's module script: a
 * deferred classic script runs in document order with the (deferred) module scripts after it, so
 * `window.tidings` is there when the app starts, and the parser doesn't stop for it — the app's files are
 * requested at once, in parallel with the client.
 */
export function rewriteIndex(html: string, wsOrigin: string): string {
  const withCsp = html.replace(/connect-src 'none'/, `connect-src ${wsOrigin}`);
  if (withCsp === html) throw new Error('renderer index.html has no connect-src to rewrite');
  return withCsp.replace(/(<meta http-equiv="Content-Security-Policy"[^>]*>)/, `$1\n    <script defer src="${CLIENT_PATH}"></script>`);
}

export async function startPreviewHost(opts: HostOptions): Promise<PreviewHost> {
  const secret = opts.secret ?? randomBytes(24).toString('base64url');
  const root = normalize(opts.rendererDir + sep);
  let origin = '';
  let hosts: string[] = [];
  let index = '';
  let wsOrigin = '';
  // The bridge (ws, and the contract's zod schemas) loads on first need — the page's socket, or the client
  // script when there is no fresh bundle to take the names from — so the page's files are served meanwhile.
  let client: string | null = null;
  let bundled = false;
  let parts: Promise<Bridge> | null = null;
  const loadBridge = (): Promise<Bridge> => {
    parts ??= (bundled ? import(pathToFileURL(hostBundle).href) as Promise<BridgeModule> : import('./bridge-entry.ts')).then((m) => {
      const current = clientScript(wsOrigin + BRIDGE_PATH, { channels: m.invokeChannels, events: m.eventNames });
      if (client !== null && client !== current) (opts.log ?? console.error)('preview: the host bundle is older than the IPC contract; reload the page');
      client = current;
      return m.createBridge({ binding: opts.binding, secret, origins: () => [origin], ...(opts.log ? { log: opts.log } : {}), ...(opts.onPainted ? { onPainted: opts.onPainted } : {}) });
    });
    return parts;
  };

  const security = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "frame-ancestors 'none'",
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  const reply = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { ...security, 'Content-Type': type });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (!hosts.includes(req.headers.host ?? '')) return reply(res, 421, 'text/plain', 'Misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'text/plain', 'Method not allowed');
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    if (path === '/' || path === '/index.html') return reply(res, 200, types['.html']!, index);
    if (path === CLIENT_PATH) {
      if (client === null) await loadBridge();
      return reply(res, 200, types['.js']!, client!);
    }
    if (path === EVENTS_PATH) {
      // Built with the renderer (preview/build.ts); without it the client drops events with a warning.
      const body = await readFile(eventsBundle).catch(() => null);
      return body ? reply(res, 200, types['.js']!, body) : reply(res, 404, 'text/plain', 'Not found');
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || path.includes('\0')) return reply(res, 404, 'text/plain', 'Not found');
    try {
      const body = await readFile(file);
      return reply(res, 200, types[extname(file)] ?? 'application/octet-stream', body);
    } catch {
      return reply(res, 404, 'text/plain', 'Not found');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 500, 'text/plain', 'Error'));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    loadBridge().then((bridge) => bridge.upgrade(req, socket, head), () => socket.destroy());
  });
  const [html, manifest] = await Promise.all([readFile(join(root, 'index.html'), 'utf8'), freshManifest()]);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  hosts = [`127.0.0.1:${port}`];
  wsOrigin = `ws://127.0.0.1:${port}`;
  index = rewriteIndex(html, wsOrigin);
  if (manifest) {
    bundled = true;
    client = clientScript(wsOrigin + BRIDGE_PATH, manifest.names);
  }

  return {
    url: `${origin}/#k=${secret}`,
    origin,
    secret,
    close: async () => {
      const bridge = await parts?.catch(() => null);
      bridge?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
