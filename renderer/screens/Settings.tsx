// Settings: updates (channel cards, automatic checks, skipped versions and reminders with Undo), notifications
// with quiet hours, sources, data (retention, dismissed posts with Undo, Clear History), and About. Every
// change applies at once; an Undo the companion refuses says why, next to it.
import { useEffect, useState } from 'react';
import type { Settings as SettingsView, UpdateState } from '../../shared/ipc/types.ts';
import type { Query } from '../lib/hooks.ts';
import type { SettingsPatch } from '../../shared/ipc/contract.ts';
import { api } from '../lib/api.ts';
import { useQuery } from '../lib/hooks.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Failed, FieldError, Loading, Section } from '../components/common.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { ChannelCards } from './ChannelCards.tsx';
import { Sources } from './Sources.tsx';

const intervals = [1, 4, 24, 168] as const;
const timeOk = (v: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v);

export function Settings() {
  const settings = useQuery(() => api().getSettings({}), ['settings']);
  const update = useQuery(() => api().getUpdate({}), ['update']);
  return (
    <div className="screen screen-settings">
      <header className="screen-head"><h1>{t.settings.heading}</h1></header>
      <div className="scroll">
        {settings.data ? <Body s={settings.data} update={update} /> : settings.failed ? <Failed onRetry={settings.reload} /> : <Loading slow={settings.slow} />}
      </div>
    </div>
  );
}

/** An Undo button whose refusal (or failure) is shown right after it, and whose success is announced. */
function UndoButton({ id, label, call, done, onDone }: { id: string; label: string; call: () => Promise<{ ok: boolean; error?: { message: string } }>; done: string; onDone: () => void }) {
  const { announce } = useApp();
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await call();
      if (!r.ok) setError(r.error?.message ?? t.actionFailed);
      else {
        setError(undefined);
        announce(done);
        onDone();
      }
    } catch {
      setError(t.actionFailed);
    }
    setBusy(false);
  };
  return (
    <>
      <button type="button" onClick={run} disabled={busy} aria-label={t.undoLabel(label)} aria-describedby={error ? `${id}-error` : undefined}>{t.undo}</button>
      <FieldError id={`${id}-error`} message={error} />
    </>
  );
}

function Body({ s: saved, update: updateQuery }: { s: SettingsView; update: Query<UpdateState> }) {
  const update = updateQuery.data;
  const { info, announce } = useApp();
  const [clearing, setClearing] = useState(false);
  // A control shows its new value at once; the companion's answer (a fresh `saved`) replaces it.
  const [pending, setPending] = useState<Partial<SettingsView>>({});
  useEffect(() => setPending({}), [saved]);
  const s: SettingsView = { ...saved, ...pending };
  const [quiet, setQuiet] = useState(s.quietHours);
  const [quietError, setQuietError] = useState<string | undefined>(undefined);
  const patch = async (p: SettingsPatch) => {
    setPending((prev) => ({ ...prev, ...(p as Partial<SettingsView>) }));
    try {
      await api().updateSettings(p);
    } catch {
      setPending({});
      announce(t.actionFailed);
    }
  };
  const saveQuiet = (next: typeof quiet) => {
    setQuiet(next);
    if (!timeOk(next.start) || !timeOk(next.end)) return setQuietError(t.settings.errTime);
    setQuietError(undefined);
    void patch({ quietHours: next });
  };
  const clear = async () => {
    setClearing(false);
    try {
      await api().clearHistory({});
      announce(t.settings.cleared);
    } catch {
      announce(t.actionFailed);
    }
  };
  const skipped = update?.skipped ?? [];
  const remindAt = update?.remindAt ?? null;
  return (
    <>
      <Section title={t.settings.updates} id="set-updates">
        <ChannelCards channel={s.channel} />
        <label className="check"><input type="checkbox" checked={s.autoCheck} onChange={(e) => patch({ autoCheck: e.target.checked })} />{t.settings.autoCheck}</label>
        <label className="row-field">{t.settings.interval}
          <select value={s.intervalHours} disabled={!s.autoCheck} onChange={(e) => patch({ intervalHours: Number(e.target.value) as SettingsPatch['intervalHours'] })}>
            {intervals.map((h) => <option key={h} value={h}>{t.settings.intervals[h]}</option>)}
          </select>
        </label>
        <label className="check"><input type="checkbox" checked={s.launchAtLogin} onChange={(e) => patch({ launchAtLogin: e.target.checked })} />{t.settings.launchAtLogin}</label>
        <label className="check"><input type="checkbox" checked={s.installOnQuit} onChange={(e) => patch({ installOnQuit: e.target.checked })} />{t.settings.installOnQuit}</label>
        <label className="check"><input type="checkbox" checked={s.shareDiagnostics} onChange={(e) => patch({ shareDiagnostics: e.target.checked })} aria-describedby="diagnostics-hint" />{t.settings.shareDiagnostics}</label>
        <p className="hint" id="diagnostics-hint">{t.settings.shareDiagnosticsHint}</p>
        <h3>{t.settings.skippedHeading}</h3>
        {skipped.length === 0 && remindAt === null ? <p className="hint">{t.settings.skippedNone}</p> : null}
        <ul className="plain-list undo-list">
          {skipped.map((v) => (
            <li key={v}>
              <span>{t.settings.skippedVersion(v)}</span>
              <UndoButton id={`undo-skip-${v}`} label={t.settings.skippedVersion(v)} call={() => api().unskipVersion({ version: v })} done={t.updates.unskipped(v)} onDone={updateQuery.reload} />
            </li>
          ))}
          {remindAt !== null ? (
            <li>
              <span>{t.settings.remindUntil(remindAt)}</span>
              <UndoButton id="undo-remind" label={t.settings.remindUntil(remindAt)} call={() => api().clearRemind({})} done={t.settings.remindCleared} onDone={updateQuery.reload} />
            </li>
          ) : null}
        </ul>
      </Section>
      <Section title={t.settings.notifications} id="set-notify">
        <label className="check"><input type="checkbox" checked={s.notifyUpdates} onChange={(e) => patch({ notifyUpdates: e.target.checked })} aria-describedby="notify-hint" />{t.settings.notifyUpdates}</label>
        <p className="hint" id="notify-hint">{t.settings.notifyUpdatesHint}</p>
        <label className="check"><input type="checkbox" checked={s.notifyNews} onChange={(e) => patch({ notifyNews: e.target.checked })} />{t.settings.notifyNews}</label>
        <fieldset className="inline">
          <legend>{t.settings.quietHours}</legend>
          <label className="check"><input type="checkbox" checked={quiet.enabled} onChange={(e) => saveQuiet({ ...quiet, enabled: e.target.checked })} />{t.settings.quietEnabled}</label>
          <label>{t.settings.quietFrom} <input type="time" value={quiet.start} disabled={!quiet.enabled} onChange={(e) => saveQuiet({ ...quiet, start: e.target.value })} aria-invalid={!!quietError} /></label>
          <label>{t.settings.quietTo} <input type="time" value={quiet.end} disabled={!quiet.enabled} onChange={(e) => saveQuiet({ ...quiet, end: e.target.value })} aria-invalid={!!quietError} /></label>
        </fieldset>
        <FieldError id="quiet-error" message={quietError} />
      </Section>
      <Section title={t.settings.sources} id="set-sources">
        <Sources sources={s.sources} />
      </Section>
      <Section title={t.settings.data} id="set-data">
        <label className="row-field">{t.settings.retention}
          <select value={s.retentionDays ?? 'forever'} onChange={(e) => patch({ retentionDays: e.target.value === 'forever' ? null : (Number(e.target.value) as 30 | 90) })}>
            {Object.entries(t.settings.retentions).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        </label>
        <Dismissed />
        <button type="button" onClick={() => setClearing(true)}>{t.settings.clearHistory}</button>
      </Section>
      <Section title={t.settings.about} id="set-about">
        <dl className="about">
          <dt>{t.settings.version}</dt><dd>{info.product} {info.version}</dd>
          <dt>{t.settings.platform}</dt><dd>{info.platform}</dd>
          <dt>{t.settings.installId}</dt><dd className="mono">{info.installId || '—'}</dd>
          <dt>{t.settings.keys}</dt>
          <dd>{info.keys.length === 0 ? '—' : <ul className="plain-list">{info.keys.map((k) => <li key={k.keyId} className="mono" title={k.publicKey}>{k.keyId}</li>)}</ul>}</dd>
        </dl>
      </Section>
      {clearing ? (
        <Dialog title={t.settings.clearTitle} onCancel={() => setClearing(false)} actions={[{ label: t.settings.clearConfirm, danger: true, onClick: clear }]}>
          <p>{t.settings.clearText}</p>
        </Dialog>
      ) : null}
    </>
  );
}

/** Shown at most; the rest is counted (Clear History can dismiss thousands at once). */
const DISMISSED_SHOWN = 50;

/** Settings → Data: dismissed posts, newest first, each with Undo (ux.md: every dismissal can be undone). */
function Dismissed() {
  const q = useQuery(() => api().listDismissed({}), ['inbox']);
  const items = q.data?.items ?? [];
  const restore = (key: string) => api().restoreItems({ keys: [key] }).then(() => ({ ok: true as const }));
  return (
    <>
      <h3>{t.settings.dismissedHeading}</h3>
      {q.failed ? <Failed onRetry={q.reload} /> : !q.data ? <Loading slow={q.slow} /> : items.length === 0 ? <p className="hint">{t.settings.dismissedNone}</p> : (
        <ul className="plain-list undo-list">
          {items.slice(0, DISMISSED_SHOWN).map((i) => (
            <li key={i.key}>
              <span className="undo-what"><span dir="auto">{i.title}</span> <span className="hint">{t.settings.dismissedWhen(i.dismissedAt)}</span></span>
              <UndoButton id={`undo-dismissed-${i.key.replace(/[^A-Za-z0-9_-]/g, '-')}`} label={i.title} call={() => restore(i.key)} done={t.inbox.restored} onDone={q.reload} />
            </li>
          ))}
          {items.length > DISMISSED_SHOWN ? <li className="hint">{t.settings.dismissedMore(items.length - DISMISSED_SHOWN)}</li> : null}
        </ul>
      )}
    </>
  );
}
