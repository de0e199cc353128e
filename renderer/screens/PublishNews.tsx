// Post News: channel (a news channel by default, never an update channel unasked), title, Markdown body with
// a live preview exactly as the Inbox shows it, the signing key, and a confirmation before publishing.
// Errors (local or from the server) appear next to the field they name; a publish runs at most once at a time.
import { useState } from 'react';
import type { KeyInfo } from '../../shared/ipc/types.ts';
import { api } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Field } from '../components/Field.tsx';
import { Chip } from '../components/common.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { fieldError, messages, type Errors } from './publishFields.ts';
import { SignAndReview } from './PublishKey.tsx';

const known = ['channel', 'title', 'body', 'key'];
const updateChannels = ['stable', 'experimental'];

/** 'news' if offered, else the first channel that isn't an update channel. */
export function defaultNewsChannel(channels: string[]): string {
  if (channels.includes('news')) return 'news';
  return channels.find((c) => !updateChannels.includes(c)) ?? channels[0] ?? 'news';
}

export function PublishNews({ channels, signingKey, onKey }: { channels: string[]; signingKey: KeyInfo | null; onKey: (key: KeyInfo) => void }) {
  const { announce } = useApp();
  const [channel, setChannel] = useState(() => defaultNewsChannel(channels));
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [confirming, setConfirming] = useState(false);
  const [publishing, setPublishing] = useState(false);

  const review = () => {
    if (!signingKey || publishing) return;
    const e: Errors = {};
    if (!title.trim()) e.title = messages.empty;
    setErrors(e);
    if (Object.keys(e).length === 0) setConfirming(true);
  };
  const publish = async () => {
    setConfirming(false);
    if (publishing) return;
    setPublishing(true);
    announce(t.publish.publishing);
    try {
      const r = await api().publish({ kind: 'news', channel, title: title.trim(), body });
      if (!r.ok) {
        setErrors(fieldError(r.error.field, r.error.message, known));
        announce(t.publish.errForm);
      } else {
        announce(t.publish.published(`“${r.item.title}”`));
        setTitle('');
        setBody('');
        setErrors({});
      }
    } catch {
      setErrors({ form: t.actionFailed });
    }
    setPublishing(false);
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
        <SignAndReview idPrefix="news" signingKey={signingKey} onKey={onKey} keyError={errors.key} formError={errors.form} publishing={publishing} />
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
