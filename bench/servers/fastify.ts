// Fastify anchor for row 2: every GET answers the same precomputed buffer (BENCH_BODY_FILE).
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { serveIpc } from '../lib/proc.ts';

const body = readFileSync(process.env.BENCH_BODY_FILE as string);
const app = Fastify({ logger: false });
app.get('/*', (_req, reply) => {
  void reply.type('application/json; charset=utf-8').send(body);
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
serveIpc(() => ({ rss: process.memoryUsage().rss }));
process.send?.({ ready: true, url });
process.on('SIGTERM', () => process.exit(0));
