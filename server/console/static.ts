// Serves the console's built bundle (console/, built by scripts/build-console.ts into out/console): the page
// at /console and its hashed assets under /console/assets/. Files are read once and kept in memory (the
// bundle is a few hundred KB); a missing bundle is a plain 503 that says how to build it.
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from '../errors.ts';

export const defaultConsoleDir = join(import.meta.dirname, '..', '..', 'out', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface Bundle { index: Buffer; assets: Map<string, Buffer> }

function load(dir: string): Bundle | null {
  try {
    const index = readFileSync(join(dir, 'index.html'));
    const assets = new Map<string, Buffer>();
    for (const name of readdirSync(join(dir, 'assets'))) if (TYPES[extname(name)]) assets.set(name, readFileSync(join(dir, 'assets', name)));
    return { index, assets };
  } catch {
    return null;
  }
}

export function registerConsoleStatic(app: FastifyInstance, dir: string): void {
  let bundle: Bundle | null = null;
  // Loaded on first use, and again while it is missing (a build may land after the service started).
  const get = () => (bundle ??= load(dir));
  const page = async (_req: unknown, reply: FastifyReply) => {
    const b = get();
    if (!b) throw new HttpError(503, 'console_not_built', 'the console is not built on this server; run `npm run build:console` and reload');
    return reply.type(TYPES['.html'] as string).header('Cache-Control', 'no-store').send(b.index);
  };
  app.get('/console', page);
  app.get('/console/', page);
  app.get('/console/assets/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const body = /^[A-Za-z0-9._-]+$/.test(name) ? get()?.assets.get(name) : undefined;
    if (!body) throw new HttpError(404, 'not_found', `no such file: ${name}`);
    // Names carry a content hash: a changed file has a new name.
    return reply.type(TYPES[extname(name)] as string).header('Cache-Control', 'public, max-age=31536000, immutable').send(body);
  });
}
