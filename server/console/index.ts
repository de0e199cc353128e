// The publisher console (issue 15; docs/console.md): its page and bundle, its API, and the security headers on
// every answer under /console (errors and unknown paths included).
import type { FastifyInstance } from 'fastify';
import type { AcceptDeps } from '../routes/accept.ts';
import { registerConsoleApi } from './api.ts';
import { isConsolePath, securityHeaders } from './security.ts';
import { defaultConsoleDir, registerConsoleStatic } from './static.ts';

export function registerConsole(app: FastifyInstance, deps: AcceptDeps): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if (isConsolePath(req.url)) {
      for (const [k, v] of Object.entries(securityHeaders)) void reply.header(k, v);
      // API answers are per session: never kept by a cache.
      if (req.url.startsWith('/console/api/')) void reply.header('Cache-Control', 'no-store');
    }
    done(null, payload);
  });
  registerConsoleStatic(app, deps.config.console?.dir ?? defaultConsoleDir);
  registerConsoleApi(app, deps);
}
