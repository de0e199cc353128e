// Status handler: each source's health in plain words (details kept for "Technical details"), the recent
// checks as they really went (new items, no change, or the error), and whether the network is there.
import type { SourceStatus as CoreSource, CheckLogEntry as CoreLogEntry } from '../api.ts';
import type { InvokeHandlers } from '../../../shared/ipc/contract.ts';
import type { CheckLogEntry, SourceStatus } from '../../../shared/ipc/types.ts';
import { plainError } from '../plain-errors.ts';
import type { Ctx } from './context.ts';

/** Log lines the core writes under these ids are the update's own steps, not checks of a source. */
const EVENT_LINES = new Set(['update', 'download']);
/** "installed 2.1.0, restarting" → "Installed 2.1.0, restarting." */
const sentence = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? '' : '.') : s);

const secOf = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function statusHandlers(ctx: Ctx): Pick<InvokeHandlers, 'getStatus'> {
  const { companion } = ctx;
  const configs = () => new Map(companion.sourceConfigs().map((c) => [c.id, c]));
  const sourceStatus = (s: CoreSource, url: string, name: string): SourceStatus => ({
    id: s.id, name, lastCheck: s.lastCheck, lastSuccess: s.lastSuccess, nextCheck: secOf(s.nextAt),
    lastError: s.lastError ? { message: plainError(s.lastError, url, s.notBefore), detail: s.lastError, at: s.lastCheck ?? Math.floor(Date.now() / 1000) } : null,
    needsAttention: s.needsAttention,
  });
  const logEntry = (e: CoreLogEntry, url: string): CheckLogEntry => {
    // The update's own lines (download, install, rollback) are events, told as the sentence they are.
    if (EVENT_LINES.has(e.sourceId)) return { at: e.at, sourceId: e.sourceId, outcome: e.ok ? 'event' : 'error', added: 0, message: sentence(e.detail) };
    if (!e.ok) return { at: e.at, sourceId: e.sourceId, outcome: 'error', added: 0, message: plainError(e.detail, url, null) };
    return { at: e.at, sourceId: e.sourceId, outcome: e.added > 0 ? 'new' : 'unchanged', added: e.added, message: '' };
  };
  return {
    getStatus: async () => {
      const status = companion.updateStatus();
      const byId = configs();
      return {
        sources: companion.sources().map((s) => sourceStatus(s, byId.get(s.id)?.url ?? '', byId.get(s.id)?.name ?? s.id)),
        log: companion.checkLog(20).map((e) => logEntry(e, byId.get(e.sourceId)?.url ?? '')),
        frozenSince: status.state === 'cant-confirm' ? status.since : null,
        online: companion.online(),
      };
    },
  };
}
