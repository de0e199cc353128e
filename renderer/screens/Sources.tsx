// Feed sources: list, add/edit/remove, and Test Connection showing what the companion found. Two kinds:
// a Tidings feed (URL, optional token, the news channels to follow besides the update channel) and a
// Cryptolens account (URL, token, and the account's channel names for new versions and for news).
// Errors appear at their field, whether found here or by the companion; nothing is saved on an error.
// Tokens are write-only: the UI only knows whether one is saved.
import { useRef, useState } from 'react';
import type { SourceView } from '../../shared/ipc/types.ts';
import type { SourceInput } from '../../shared/ipc/contract.ts';
import { CHANNEL_PATTERN } from '../../shared/protocol/limits.ts';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { FieldError } from '../components/common.tsx';
import { Field } from '../components/Field.tsx';
import { Dialog } from '../components/Dialog.tsx';

export function validUrl(raw: string): boolean {
  try {
    const u = new URL(raw.trim());
    if (u.protocol === 'https:') return u.hostname !== '';
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

const fields = ['name', 'kind', 'url', 'token', 'channels', 'updateChannel', 'newsChannel'] as const;
type FieldName = (typeof fields)[number] | 'form';
type Errors = Partial<Record<FieldName, string>>;

/** "news, security" → ['news', 'security'] (commas or spaces between names). */
const channelList = (raw: string) => raw.split(/[\s,]+/).filter(Boolean);
const channelOk = (c: string) => CHANNEL_PATTERN.test(c);

/** The form field a companion error names ("channels.1" → channels); anything else goes to the form. */
function fieldOf(field: string): FieldName {
  const top = field.split('.')[0] ?? '';
  return fields.find((f) => f === top) ?? 'form';
}

function SourceForm({ source, onDone }: { source: SourceView | null; onDone: () => void }) {
  const { announce } = useApp();
  const [name, setName] = useState(source?.name ?? '');
  const [kind, setKind] = useState<SourceInput['kind']>(source?.kind ?? 'tidings');
  const [url, setUrl] = useState(source?.url ?? '');
  const [token, setToken] = useState('');
  const [removeToken, setRemoveToken] = useState(false);
  const [news, setNews] = useState((source?.kind === 'tidings' ? source.channels : ['news']).join(', '));
  const [updateChannel, setUpdateChannel] = useState(source?.updateChannel ?? '');
  const [newsChannel, setNewsChannel] = useState(source?.newsChannel ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [found, setFound] = useState<string | null>(null);
  const [busy, setBusy] = useState<'test' | 'save' | null>(null);
  const savedToken = !!source?.hasToken;
  const form = useRef<HTMLFormElement>(null);
  /** After an error, focus goes to the first field that has one (keyboard and screen-reader users land on it). */
  const focusInvalid = () => requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const input = (): SourceInput | null => {
    const e: Errors = {};
    if (!name.trim()) e.name = t.settings.errEmpty;
    if (!validUrl(url)) e.url = t.settings.errUrl;
    const out: SourceInput = { name: name.trim(), kind, url: url.trim(), channels: [] };
    if (kind === 'tidings') {
      out.channels = channelList(news);
      if (!out.channels.every(channelOk)) e.channels = t.settings.errChannelName;
    } else {
      const up = updateChannel.trim();
      const nw = newsChannel.trim();
      if (up && !channelOk(up)) e.updateChannel = t.settings.errChannelName;
      if (nw && !channelOk(nw)) e.newsChannel = t.settings.errChannelName;
      if (!up && !nw) e.updateChannel = t.settings.errCryptolensChannels;
      if (up) out.updateChannel = up;
      if (nw) out.newsChannel = nw;
      if (!token && (!savedToken || removeToken)) e.token = t.settings.errTokenNeeded;
    }
    setErrors(e);
    if (Object.keys(e).length > 0) {
      focusInvalid();
      return null;
    }
    if (source) out.id = source.id;
    if (token) out.token = token;
    else if (removeToken) out.token = null;
    return out;
  };
  const run = async (what: 'test' | 'save') => {
    const args = input();
    setFound(null);
    if (!args) return;
    setBusy(what);
    try {
      const r = what === 'test' ? await api().testSource(args) : await api().saveSource(args);
      if (!r.ok) {
        setErrors({ [fieldOf(r.error.field)]: r.error.message });
        focusInvalid();
      }
      else if ('summary' in r) setFound(r.summary);
      else {
        announce(t.settings.sourceSaved);
        onDone();
        return;
      }
    } catch {
      setErrors({ form: t.actionFailed });
    }
    setBusy(null);
  };
  const tokenHint = savedToken ? t.settings.sourceTokenKept : kind === 'tidings' ? t.settings.sourceTokenHint : undefined;
  return (
    <form ref={form} className="source-form" onSubmit={(e) => { e.preventDefault(); void run('save'); }} noValidate aria-label={source ? t.settings.editSourceLabel(source.name) : t.settings.newSource}>
      <Field id="src-name" label={t.settings.sourceName} error={errors.name}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} autoFocus />}
      </Field>
      <Field id="src-kind" label={t.settings.sourceKind} error={errors.kind}>
        {(p) => (
          <select {...p} value={kind} onChange={(e) => { setKind(e.target.value as SourceInput['kind']); setErrors({}); setFound(null); }}>
            {Object.entries(t.settings.sourceKinds).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        )}
      </Field>
      <Field id="src-url" label={t.settings.sourceUrl} error={errors.url}>
        {(p) => <input {...p} value={url} inputMode="url" spellCheck={false} onChange={(e) => setUrl(e.target.value)} placeholder="https://" />}
      </Field>
      <Field id="src-token" label={kind === 'tidings' ? t.optionalLabel(t.settings.sourceToken) : t.settings.sourceToken} error={errors.token} {...(tokenHint ? { hint: tokenHint } : {})}>
        {(p) => <input {...p} type="password" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} />}
      </Field>
      {savedToken ? (
        <label className="check"><input type="checkbox" checked={removeToken} onChange={(e) => setRemoveToken(e.target.checked)} />{t.settings.sourceTokenRemove}</label>
      ) : null}
      {kind === 'tidings' ? (
        <Field id="src-channels" label={t.settings.sourceNewsChannels} error={errors.channels} hint={t.settings.sourceNewsChannelsHint}>
          {(p) => <input {...p} value={news} spellCheck={false} autoComplete="off" onChange={(e) => setNews(e.target.value)} />}
        </Field>
      ) : (
        <fieldset className="channel-names" aria-describedby="src-cl-hint">
          <legend>{t.settings.sourceChannelNames}</legend>
          <div className="field-row">
            <Field id="src-updateChannel" label={t.settings.sourceUpdateChannel} error={errors.updateChannel}>
              {(p) => <input {...p} value={updateChannel} spellCheck={false} autoComplete="off" onChange={(e) => setUpdateChannel(e.target.value)} />}
            </Field>
            <Field id="src-newsChannel" label={t.settings.sourceNewsChannel} error={errors.newsChannel}>
              {(p) => <input {...p} value={newsChannel} spellCheck={false} autoComplete="off" onChange={(e) => setNewsChannel(e.target.value)} />}
            </Field>
          </div>
          <p className="hint" id="src-cl-hint">{t.settings.sourceCryptolensHint}</p>
        </fieldset>
      )}
      <FieldError id="src-form-error" message={errors.form} />
      {found ? <p className="ok" role="status">{found}</p> : null}
      <div className="actions">
        <button type="button" onClick={() => run('test')} disabled={busy !== null}>{busy === 'test' ? t.settings.testing : t.settings.testConnection}</button>
        <span className="spacer" />
        <button type="button" onClick={onDone}>{t.cancel}</button>
        <button type="submit" className="primary" disabled={busy !== null}>{t.save}</button>
      </div>
    </form>
  );
}

function meta(s: SourceView): string {
  const kind = t.settings.sourceKinds[s.kind] ?? s.kind;
  const parts = s.kind === 'tidings'
    ? [kind, t.settings.sourceMetaNews(s.channels)]
    : [kind, t.settings.sourceMetaUpdates(s.updateChannel), t.settings.sourceMetaNews(s.newsChannel ? [s.newsChannel] : [])];
  return t.settings.sourceMeta(parts, s.hasToken);
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
                  <span className="meta">{meta(s)}</span>
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
