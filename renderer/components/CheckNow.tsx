// Actions with plain-words outcomes: useAct runs a call and announces a refusal or failure; Check Now is
// busy only while its call is pending, then announces the answer, which leaves when the check is over (the
// companion reports a status change), so no "Checking…" outlives the check.
import { useEffect, useRef, useState } from 'react';
import { api } from '../lib/api.ts';
import { useShell } from '../lib/context.ts';
import { t } from '../i18n/en.ts';

/** Calls an action; says so in plain words when it fails or is refused. */
export function useAct() {
  const { announce } = useShell();
  return async <R extends { ok: boolean }>(call: () => Promise<R>, okMessage?: (r: R) => string | undefined): Promise<R | undefined> => {
    try {
      const r = await call();
      if (!r.ok) {
        const err = (r as unknown as { error?: { message?: string } }).error;
        announce(err?.message ?? t.actionFailed);
      } else {
        const m = okMessage?.(r);
        if (m) announce(m);
      }
      return r;
    } catch {
      announce(t.actionFailed);
      return undefined;
    }
  };
}

export function CheckNow() {
  const { announce } = useShell();
  const [busy, setBusy] = useState(false);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => { live.current = false; };
  }, []);
  const check = async () => {
    setBusy(true);
    try {
      const r = await api().checkNow({});
      // The answer may say the check is under way: it is over when the companion reports the status changed.
      if (r.ok) announce(r.message, { endsOn: 'status' });
      else announce(r.error.message);
    } catch {
      announce(t.actionFailed);
    }
    if (live.current) setBusy(false);
  };
  return (
    <button type="button" className="primary" onClick={check} disabled={busy} aria-busy={busy}>
      {busy ? t.updates.checking : t.updates.checkNow}
    </button>
  );
}
