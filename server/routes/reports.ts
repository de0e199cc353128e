// Failed-start reports (issue 13; docs/protocol.md "Failed-start reports"): a companion whose user allows
// diagnostics says that an update failed to start and was rolled back. Authorised exactly as reads are (the
// app's read token, or none on a public feed); stored only as counts per (channel, version, platform, reason,
// day): no address, install id or finer time is kept. The publisher's console reads the counts with a publish
// token; counts under REPORT_MIN_COUNT are withheld so that a few reports can't point at particular people.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { firstIssue } from '../../shared/protocol/schemas.ts';
import { failedStartReport, REPORT_MIN_COUNT } from '../../shared/protocol/reports.ts';
import type { ServerConfig } from '../config.ts';
import { HttpError, badRequest } from '../errors.ts';
import { requireScope } from '../auth.ts';
import { dayOf, type FeedStore } from '../store/types.ts';
import { channelParam } from './http.ts';

interface Deps {
  store: FeedStore;
  config: ServerConfig;
  now: () => number;
}

const PATH = '/v1/reports/failed-start';
const VERSION_PARAM = /^[0-9A-Za-z.+-]{1,64}$/;

function jsonOnly(req: FastifyRequest): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
}

export function registerReports(app: FastifyInstance, { store, config, now }: Deps): void {
  app.post(PATH, {
    // Whoever may read this feed may report; settled before the body is read.
    onRequest: async (req) => {
      requireScope(req.token, 'read', undefined, config.publicRead);
      jsonOnly(req);
    },
  }, async (req, reply) => {
    const parsed = failedStartReport.safeParse(req.body);
    if (!parsed.success) {
      const { field, message } = firstIssue(parsed.error);
      throw badRequest(field, `${field || 'body'} ${message}`);
    }
    // A token limited to some channels reports only on those.
    requireScope(req.token, 'read', parsed.data.channel, config.publicRead);
    await store.countFailedStart(parsed.data, dayOf(now()));
    return reply.code(202).send({ accepted: true });
  });

  app.get(PATH, async (req) => {
    const q = req.query as { channel?: unknown; version?: unknown };
    if (q.channel !== undefined && typeof q.channel !== 'string') throw badRequest('channel', 'must be one channel name');
    if (q.version !== undefined && (typeof q.version !== 'string' || !VERSION_PARAM.test(q.version))) throw badRequest('version', 'must be a version such as 2.1.0');
    const channel = q.channel === undefined || q.channel === '' ? undefined : channelParam(q.channel);
    const version = q.version === '' ? undefined : q.version as string | undefined;
    requireScope(req.token, 'publish', channel, false);
    return failedStartCounts(store, channel !== undefined ? [channel] : req.token?.channels ?? null, version);
  });
}

/** The counts a publisher may see (the v1 endpoint and the console): per channel list (null: all), small counts withheld. */
export async function failedStartCounts(store: FeedStore, channels: string[] | null, version?: string) {
  const rows = await store.failedStarts({ channels, ...(version !== undefined ? { version } : {}) });
  const shown = rows.filter((r) => r.count >= REPORT_MIN_COUNT);
  return {
    counts: shown,
    withheld: rows.length - shown.length,
    note: `Counts under ${REPORT_MIN_COUNT} are withheld so that a few reports can't point at particular people.`,
  };
}
