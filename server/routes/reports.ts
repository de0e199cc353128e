// Failed-start reports (issue 13; docs/protocol.md "Failed-start reports"): a companion whose user allows
// diagnostics says that an update failed to start and was rolled back. Authorised exactly as reads are (the
// app's read token, or none on a public feed); stored only as counts per (channel, version, platform, reason,
// day): no address, install id or finer time is kept. The publisher's console reads the counts with a publish
// token; counts under REPORT_MIN_COUNT are withheld so that a few reports can't point at particular people.
// Adoption reports (issue 15; docs/protocol.md "Adoption reports") are taken the same way and kept as counts per
// (channel, version, platform, day). After each report about a release the self-halt rule is evaluated
// (server/halts.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { firstIssue } from '../../shared/protocol/schemas.ts';
import { adoptionReport, failedStartReport, REPORT_MIN_COUNT } from '../../shared/protocol/reports.ts';
import type { ZodType } from 'zod';
import type { SelfHalt } from '../halts.ts';
import { shown } from '../adoption.ts';
import type { ServerConfig } from '../config.ts';
import { HttpError, badRequest } from '../errors.ts';
import { requireScope } from '../auth.ts';
import { dayOf, type FeedStore } from '../store/types.ts';
import { channelParam } from './http.ts';

interface Deps {
  store: FeedStore;
  config: ServerConfig;
  now: () => number;
  selfHalt: SelfHalt;
}

const PATH = '/v1/reports/failed-start';
const ADOPTION_PATH = '/v1/reports/adoption';
const VERSION_PARAM = /^[0-9A-Za-z.+-]{1,64}$/;

function jsonOnly(req: FastifyRequest): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json');
}

export function registerReports(app: FastifyInstance, { store, config, now, selfHalt }: Deps): void {
  /** A report endpoint: authorised as reads, strictly checked, counted, then the self-halt rule. */
  const report = <T extends { channel: string; version: string }>(path: string, schema: ZodType<T>, count: (r: T) => Promise<void>, evaluate: (r: T) => boolean) => {
    app.post(path, {
      // Whoever may read this feed may report; settled before the body is read.
      onRequest: async (req) => {
        requireScope(req.token, 'read', undefined, config.publicRead);
        jsonOnly(req);
      },
    }, async (req, reply) => {
      const parsed = schema.safeParse(req.body);
      if (!parsed.success) {
        const { field, message } = firstIssue(parsed.error);
        throw badRequest(field, `${field || 'body'} ${message}`);
      }
      // A token limited to some channels reports only on those.
      requireScope(req.token, 'read', parsed.data.channel, config.publicRead);
      await count(parsed.data);
      if (evaluate(parsed.data)) await selfHalt.check(parsed.data.channel, parsed.data.version);
      return reply.code(202).send({ accepted: true });
    });
  };
  report(PATH, failedStartReport, (r) => store.countFailedStart(r, dayOf(now())), () => true);
  // A report without updated: true changes nothing the rule looks at.
  report(ADOPTION_PATH, adoptionReport, (r) => store.countAdoption(r, dayOf(now())), (r) => r.updated);

  /** The publisher's read of a report table: a publish token, optionally one channel and one version. */
  const counts = (path: string, read: (channels: string[] | null, version: string | undefined) => Promise<unknown>) => {
    app.get(path, async (req) => {
      const q = req.query as { channel?: unknown; version?: unknown };
      if (q.channel !== undefined && typeof q.channel !== 'string') throw badRequest('channel', 'must be one channel name');
      if (q.version !== undefined && (typeof q.version !== 'string' || !VERSION_PARAM.test(q.version))) throw badRequest('version', 'must be a version such as 2.1.0');
      const channel = q.channel === undefined || q.channel === '' ? undefined : channelParam(q.channel);
      const version = q.version === '' ? undefined : q.version as string | undefined;
      requireScope(req.token, 'publish', channel, false);
      return read(channel !== undefined ? [channel] : req.token?.channels ?? null, version);
    });
  };
  counts(PATH, (channels, version) => failedStartCounts(store, channels, version));
  counts(ADOPTION_PATH, (channels, version) => adoptionCounts(store, channels, version));
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

/** Adoption rows a publisher may see: rows under REPORT_MIN_COUNT reports withheld, and `updated` null when 1–4. */
export async function adoptionCounts(store: FeedStore, channels: string[] | null, version?: string) {
  const rows = await store.adoption({ channels, ...(version !== undefined ? { version } : {}) });
  const visible = rows.filter((r) => r.count >= REPORT_MIN_COUNT);
  return {
    counts: visible.map((r) => ({ ...r, updated: shown(r.updated) })),
    withheld: rows.length - visible.length,
    note: `Counts under ${REPORT_MIN_COUNT} are withheld so that a few reports can't point at particular people.`,
  };
}
