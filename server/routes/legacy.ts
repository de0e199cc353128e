// Files for updaters already in the field (docs/legacy-feeds.md): electron-updater's generic-provider files
// under /electron-updater/ and Sparkle appcasts under /appcast/, built from the same signed release records,
// with the feed's auth, strong ETags, 304s and Cache-Control.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.ts';
import { HttpError } from '../errors.ts';
import { requireScope } from '../auth.ts';
import type { FeedStore } from '../store/types.ts';
import { LEGACY_DIRS, contentEtag, legacyFile, loadReleases } from '../legacy/files.ts';
import { cacheControlOf, notModified } from './http.ts';

interface Deps {
  store: FeedStore;
  config: ServerConfig;
}

type Rendered = { ok: true; text: string; etag: string } | { ok: false; message: string };

export function registerLegacy(app: FastifyInstance, { store, config }: Deps): void {
  const cacheControl = cacheControlOf(config);
  // A file is rebuilt only when the head of a channel it is built from moves (retractions move it too).
  const cache = new Map<string, { heads: string; rendered: Rendered }>();

  const serve = async (dir: string, req: FastifyRequest, reply: FastifyReply) => {
    const name = (req.params as { file?: string }).file ?? '';
    const file = legacyFile(dir, name);
    if (!file) {
      throw new HttpError(404, 'not_found', `no such file: /${dir}/${name} (the files are listed in docs/legacy-feeds.md)`);
    }
    for (const channel of file.sources) requireScope(req.token, 'read', channel, config.publicRead);
    const state = store.peekHeads() ?? (await store.headsState());
    const held = (r: { channel: string; release: { version: string } }) => state.holds[r.channel]?.includes(r.release.version) === true;
    // A halted rollout's release is left out (docs/protocol.md "Holds"): the file describes the one before it.
    const key = `${file.sources.map((c) => state.heads[c] ?? 0).join('.')}-h${state.holdGeneration}`;
    const path = `${dir}/${name}`;
    let hit = cache.get(path);
    if (!hit || hit.heads !== key) {
      const built = file.build((await loadReleases(store, file.sources)).filter((r) => !held(r)));
      hit = { heads: key, rendered: built.ok ? { ok: true, text: built.text, etag: contentEtag(built.text) } : built };
      cache.set(path, hit);
    }
    const r = hit.rendered;
    if (!r.ok) throw new HttpError(404, 'no_release', r.message);
    if (notModified(req, reply, r.etag, cacheControl)) return reply;
    return reply.type(file.contentType).send(r.text);
  };

  for (const dir of LEGACY_DIRS) app.get(`/${dir}/:file`, (req, reply) => serve(dir, req, reply));
}
