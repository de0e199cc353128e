// The WebSocket bridge: the preview's stand-in for Electron's IPC. Loopback only, same-origin only, and the
// first message must carry the per-run secret (compared in constant time) before anything else is read.
// Every invoke is checked against the contract (known channel, zod-validated argument) before a handler
// runs; failures come back as a short message, never a stack.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { invokeChannels, parseArgs, type InvokeChannel } from '../shared/ipc/contract.ts';
import type { CompanionBinding } from './types.ts';
import { BRIDGE_PATH } from './client.ts';

export interface BridgeOptions {
  binding: CompanionBinding;
  secret: string;
  /** Origins allowed to open the socket, e.g. http://127.0.0.1:5173. */
  origins: () => string[];
  /** Where details of handler failures go (never to the page). */
  log?: (message: string) => void;
  helloTimeoutMs?: number;
  /** An authenticated page says its window has painted (the preview starts deferred work then). */
  onPainted?: () => void;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;
const digest = (s: string) => createHash('sha256').update(s).digest();

export function secretMatches(expected: string, presented: unknown): boolean {
  return typeof presented === 'string' && timingSafeEqual(digest(expected), digest(presented));
}

const isChannel = (c: unknown): c is InvokeChannel => typeof c === 'string' && (invokeChannels as string[]).includes(c);

export interface Bridge {
  /** Handles an http server's 'upgrade' event. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function createBridge(opts: BridgeOptions): Bridge {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const log = opts.log ?? ((m: string) => console.error(m));

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const origin = req.headers.origin ?? '';
    if (path !== BRIDGE_PATH || !opts.origins().includes(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  };

  function serve(ws: WebSocket): void {
    let authed = false;
    let unsubscribe: (() => void) | null = null;
    const timer = setTimeout(() => ws.close(4001, 'hello expected'), opts.helloTimeoutMs ?? 5000);
    const send = (msg: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    ws.on('close', () => {
      clearTimeout(timer);
      unsubscribe?.();
    });
    ws.on('message', (data, isBinary) => {
      let msg: { type?: unknown; secret?: unknown; id?: unknown; channel?: unknown; args?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(data.toString()) as typeof msg;
        if (typeof msg !== 'object' || msg === null) throw new Error('not an object');
      } catch {
        ws.close(1003, 'bad message');
        return;
      }
      if (!authed) {
        if (msg.type !== 'hello' || !secretMatches(opts.secret, msg.secret)) {
          ws.close(4003, 'forbidden');
          return;
        }
        authed = true;
        clearTimeout(timer);
        unsubscribe = opts.binding.subscribe((name, payload) => send({ type: 'event', name, payload }));
        send({ type: 'ready' });
        return;
      }
      if (msg.type === 'painted') {
        opts.onPainted?.();
        return;
      }
      if (msg.type !== 'invoke' || typeof msg.id !== 'number') {
        ws.close(1003, 'bad message');
        return;
      }
      void invoke(msg.id, msg.channel, msg.args).then(send);
    });
  }

  async function invoke(id: number, channel: unknown, raw: unknown): Promise<unknown> {
    if (!isChannel(channel)) return { type: 'result', id, ok: false, error: { field: 'channel', message: 'unknown channel' } };
    const parsed = parseArgs(channel, raw);
    if (!parsed.ok) return { type: 'result', id, ok: false, error: parsed.error };
    try {
      const handler = opts.binding.handlers[channel] as (a: unknown) => Promise<unknown>;
      const value = await handler(parsed.args);
      return { type: 'result', id, ok: true, value };
    } catch (err) {
      log(`preview: ${channel} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return { type: 'result', id, ok: false, error: { field: '', message: 'failed' } };
    }
  }

  return {
    upgrade: onUpgrade,
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
