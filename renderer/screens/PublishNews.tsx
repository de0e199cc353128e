// Post News: channel, title, Markdown body with a live preview exactly as the Inbox shows it, and a
// confirmation before publishing. Errors (local or from the server) appear next to the field they name.
import { useState } from 'react';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Field } from '../components/Field.tsx';
import { FieldError, Chip } from '../components/common.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { fieldError, messages, type Errors } from './publishFields.ts';

const known = ['channel', 'title', 'body'];

export function PublishNews({ channels }: { channels: string[] }) {
  const { announce } = useApp();
  const [channel, setChannel] = useState(channels[0] ?? 'stable');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [confirming, setConfirming] = useState(false);

  const review = () => {
    const e: Errors = {};
    if (!title.trim()) e.title = messages.empty;
    setErrors(e);
    if (Object.keys(e).length === 0) setConfirming(true);
  };
  const publish = async () => {
    setConfirming(false);
    try {
      const r = await api().publish({ kind: 'news', channel, title: title.trim(), body });
      if (!r.ok) return setErrors(fieldError(r.error.field, r.error.message, known));
      announce(t.publish.published(`“${r.item.title}”`));
      setTitle('');
      setBody('');
      setErrors({});
    } catch {
      setErrors({ form: t.actionFailed });
    }
  };
  return (
    <div className="compose">
      <form className="compose-form" onSubmit={(e) => { e.preventDefault(); review(); }} noValidate aria-label={t.publish.tabNews}>
        <Field id="news-channel" label={t.publish.channel} error={errors.channel}>
          {(p) => <select {...p} value={channel} onChange={(e) => setChannel(e.target.value)}>{channels.map((c) => <option key={c} value={c}>{t.channelName(c)}</option>)}</select>}
        </Field>
        <Field id="news-title" label={t.publish.title} error={errors.title}>
          {(p) => <input {...p} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Field id="news-body" label={t.publish.body} error={errors.body}>
          {(p) => <textarea {...p} value={body} rows={8} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <FieldError id="news-form-error" message={errors.form} />
        <div className="actions"><span className="spacer" /><button type="submit" className="primary">{t.publish.review}</button></div>
      </form>
      <section className="preview" aria-label={t.publish.preview}>
        <h3 className="preview-label">{t.publish.preview}</h3>
        {title || body ? (
          <article className="detail detail-preview">
            <p className="meta"><Chip tone={channel === 'stable' ? undefined : 'accent'}>{t.channelName(channel)}</Chip><span>{t.inbox.kindOne.news}</span></p>
            <h2 dir="auto">{title}</h2>
            <Markdown source={body} />
          </article>
        ) : <p className="hint">{t.publish.previewEmpty}</p>}
      </section>
      {confirming ? (
        <Dialog title={t.publish.confirmTitle} onCancel={() => setConfirming(false)} actions={[{ label: t.publish.confirmPublish, primary: true, onClick: publish }]}>
          <dl className="facts">
            <dt>{t.publish.summaryChannel}</dt><dd>{t.channelName(channel)}</dd>
            <dt>{t.publish.summaryTitle}</dt><dd>{title}</dd>
          </dl>
        </Dialog>
      ) : null}
    </div>
  );
}
