// Runs one check of a source and turns every failure into a recorded outcome: nothing thrown past the engine.
import { HttpFailure } from './net/http.ts';
import { CheckError, type CheckOutcome } from './sources/common.ts';
import type { Store } from './store/store.ts';

export async function runCheck(store: Store, sourceId: string, nowMs: number, check: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const now = Math.floor(nowMs / 1000);
  let outcome: CheckOutcome;
  try {
    outcome = await check();
  } catch (err) {
    const e = err as Error;
    const detail = err instanceof HttpFailure ? `${e.message} (${err.kind})`
      : err instanceof CheckError ? e.message
        : `store or internal error: ${e.message}`;
    outcome = {
      ok: false, changed: false, detail,
      status: err instanceof CheckError ? err.status : null,
      retryAfterSec: err instanceof CheckError ? err.retryAfterSec : null,
      maxAgeSec: null,
      authFailed: err instanceof CheckError && err.authFailed,
      result: null,
    };
  }
  try {
    // `added`: what Status → Recent checks reports ("2 new posts" or "No change").
    store.recordCheck(sourceId, now, { ok: outcome.ok, detail: outcome.detail, needsAttention: outcome.authFailed, added: outcome.result?.inserted.length ?? 0 });
  } catch {
    // The disk may be full or read-only; the outcome still reaches the scheduler, which backs off.
  }
  return outcome;
}
