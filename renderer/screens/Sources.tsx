// Feed sources: list, add/edit/remove, field validation at the field, and Test Connection showing what
// the companion found. Tokens are write-only: the UI only knows whether one is saved.
import { useState } from 'react';
import type { SourceView } from '../../shared/ipc/types.ts';
import type { SourceInput } from '../../shared/ipc/contract.ts';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { FieldError } from '../components/common.tsx';
import { Dialog } from '../components/Dialog.tsx';

const allChannels = ['stable', 'experimental'];

export function validUrl(raw: string): boolean {
  try {
    const u = new URL(raw.trim());
    if (u.protocol === 'https:') return u.hostname !== '';
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

type Errors = Partial<Record<'name' | 'url' | 'channels' | 'token' | 'kind' | 'form', string>>;

function SourceForm({ source, onDone }: { source: SourceView | null; onDone: () => void }) {
  const { announce } = useApp();
  const [name, setName] = useState(source?.name ?? '');
  const [kind, setKind] = useState<SourceInput['kind']>(source?.kind ?? 'tidings');
  const [url, setUrl] = useState(source?.url ?? '');
  const [token, setToken] = useState('');
  const [removeToken, setRemoveToken] = useState(false);
  const [channels, setChannels] = useState<string[]>(source?.channels ?? ['stable']);
  const [errors, setErrors] = useState<Errors>({});
  const [found, setFound] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const input = (): SourceInput | null => {
    const e: Errors = {};
    if (!name.trim()) e.name = t.settings.errEmpty;
    if (!validUrl(url)) e.url = t.settings.errUrl;
    if (channels.length === 0) e.channels = t.settings.errChannels;
    setErrors(e);
    if (Object.keys(e).length > 0) return null;
    const out: SourceInput = { name: name.trim(), kind, url: url.trim(), channels };
    if (source) out.id = source.id;
    if (token) out.token = token;
    else if (removeToken) out.token = null;
    return out;
  };
  const fieldOf = (field: string): keyof Errors => {
    const top = field.split('.')[0] ?? '';
    return (['name', 'url', 'channels', 'token', 'kind'] as const).find((f) => f === top) ?? 'form';
  };
  const run = async (what: 'test' | 'save') => {
    const args = input();
    if (!args) return;
    setBusy(true);
    setFound(null);
    try {
      const r = what === 'test' ? await api().testSource(args) : await api().saveSource(args);
      if (!r.ok) setErrors({ [fieldOf(r.error.field)]: r.error.message });
      else if ('summary' in r) setFound(r.summary);
      else { announce(t.settings.sourceSaved); onDone(); }
    } catch {
      setErrors({ form: t.actionFailed });
    }
    setBusy(false);
  };
  const described = (f: keyof Errors) => (errors[f] ? `src-${f}-error` : undefined);
  return (
    <form className="source-form" onSubmit={(e) => { e.preventDefault(); void run('save'); }} noValidate>
      <label>{t.settings.sourceName}
        <input value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!errors.name} aria-describedby={described('name')} autoFocus />
      </label>
      <FieldError id="src-name-error" message={errors.name} />
      <label>{t.settings.sourceKind}
        <select value={kind} onChange={(e) => setKind(e.target.value as SourceInput['kind'])}>
          {Object.entries(t.settings.sourceKinds).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
        </select>
      </label>
      <FieldError id="src-kind-error" message={errors.kind} />
      <label>{t.settings.sourceUrl}
        <input value={url} inputMode="url" spellCheck={false} onChange={(e) => setUrl(e.target.value)} aria-invalid={!!errors.url} aria-describedby={described('url')} placeholder="https://" />
      </label>
      <FieldError id="src-url-error" message={errors.url} />
      <label>{t.settings.sourceToken}
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} aria-invalid={!!errors.token} aria-describedby={source?.hasToken ? 'src-token-kept' : described('token')} />
      </label>
      {source?.hasToken ? (
        <>
          <p className="hint" id="src-token-kept">{t.settings.sourceTokenKept}</p>
          <label className="check"><input type="checkbox" checked={removeToken} onChange={(e) => setRemoveToken(e.target.checked)} />{t.settings.sourceTokenRemove}</label>
        </>
      ) : null}
      <FieldError id="src-token-error" message={errors.token} />
      <fieldset className="inline" aria-describedby={described('channels')}>
        <legend>{t.settings.sourceChannels}</legend>
        {allChannels.map((c) => (
          <label key={c} className="check">
            <input type="checkbox" checked={channels.includes(c)} onChange={(e) => setChannels(e.target.checked ? [...channels, c] : channels.filter((x) => x !== c))} />
            {t.channelName(c)}
          </label>
        ))}
      </fieldset>
      <FieldError id="src-channels-error" message={errors.channels} />
      <FieldError id="src-form-error" message={errors.form} />
      {found ? <p className="ok" role="status">{found}</p> : null}
      <div className="actions">
        <button type="button" onClick={() => run('test')} disabled={busy}>{busy ? t.settings.testing : t.settings.testConnection}</button>
        <span className="spacer" />
        <button type="button" onClick={onDone}>{t.cancel}</button>
        <button type="submit" className="primary" disabled={busy}>{t.save}</button>
      </div>
    </form>
  );
}

export function Sources({ sources }: { sources: SourceView[] }) {
  const { announce } = useApp();
  const [editing, setEditing] = useState<SourceView | 'new' | null>(null);
  const [removing, setRemoving] = useState<SourceView | null>(null);
  const remove = async (s: SourceView) => {
    setRemoving(null);
    try {
      const r = await api().removeSource({ id: s.id });
      announce(r.ok ? t.settings.sourceRemoved : r.error.message);
    } catch {
      announce(t.actionFailed);
    }
  };
  return (
    <div>
      {sources.length === 0 ? <p className="empty">{t.settings.sourcesNone}</p> : null}
      <ul className="sources">
        {sources.map((s) => (
          <li key={s.id} className="source">
            {editing !== null && editing !== 'new' && editing.id === s.id ? (
              <SourceForm source={s} onDone={() => setEditing(null)} />
            ) : (
              <>
                <div className="source-info">
                  <strong>{s.name}</strong>
                  <span className="meta">{t.settings.sourceMeta(t.settings.sourceKinds[s.kind] ?? s.kind, s.channels.map(t.channelName), s.hasToken)}</span>
                  <span className="meta url">{s.url}</span>
                </div>
                <button type="button" onClick={() => setEditing(s)} aria-label={t.settings.editSourceLabel(s.name)}>{t.settings.editSource}</button>
                <button type="button" onClick={() => setRemoving(s)} aria-label={t.settings.removeSourceLabel(s.name)}>{t.settings.removeSource}</button>
              </>
            )}
          </li>
        ))}
      </ul>
      {editing === 'new' ? <SourceForm source={null} onDone={() => setEditing(null)} /> : <button type="button" onClick={() => setEditing('new')}>{t.settings.addSource}</button>}
      {removing ? (
        <Dialog title={t.settings.removeTitle(removing.name)} onCancel={() => setRemoving(null)} actions={[{ label: t.settings.removeSource, danger: true, onClick: () => remove(removing) }]}>
          <p>{t.settings.removeText}</p>
        </Dialog>
      ) : null}
    </div>
  );
}
