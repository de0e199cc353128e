// Settings: updates (channel cards, automatic checks, skipped versions with Undo), notifications with
// quiet hours, sources, data retention with Clear History, and About. Every change applies at once.
import { useEffect, useState } from 'react';
import type { Settings as SettingsView, UpdateState } from '../../shared/ipc/types.ts';
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
        {settings.data ? <Body s={settings.data} update={update.data} /> : settings.failed ? <Failed onRetry={settings.reload} /> : <Loading slow={settings.slow} />}
      </div>
    </div>
  );
}

function Body({ s: saved, update }: { s: SettingsView; update: UpdateState | undefined }) {
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
  const undo = async (call: () => Promise<{ ok: boolean }>) => {
    try {
      await call();
    } catch {
      announce(t.actionFailed);
    }
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
        <h3>{t.settings.skippedHeading}</h3>
        {skipped.length === 0 && remindAt === null ? <p className="hint">{t.settings.skippedNone}</p> : null}
        <ul className="plain-list">
          {skipped.map((v) => (
            <li key={v}>{t.settings.skippedVersion(v)} <button type="button" onClick={() => undo(() => api().unskipVersion({ version: v }))} aria-label={t.undoLabel(t.settings.skippedVersion(v))}>{t.undo}</button></li>
          ))}
          {remindAt !== null ? (
            <li>{t.settings.remindUntil(remindAt)} <button type="button" onClick={() => undo(() => api().clearRemind({}))} aria-label={t.undoLabel(t.settings.remindUntil(remindAt))}>{t.undo}</button></li>
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
