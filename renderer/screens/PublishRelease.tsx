// Link a New Version: channel, version, notes with a live preview of the update prompt, downloads (a local
// file hashed by the companion with progress, or an https URL), rollout, critical, targeting, the signing
// key by name and id, and a confirmation summarising channel, version, rollout and critical.
import { useEffect, useState } from 'react';
import type { HashedFile, KeyInfo } from '../../shared/ipc/types.ts';
import type { PublishInput } from '../../shared/ipc/contract.ts';
import { api, on } from '../lib/api.ts';
import { useApp } from '../lib/context.ts';
import { t } from '../i18n/en.ts';
import { Field } from '../components/Field.tsx';
import { Chip, FieldError } from '../components/common.tsx';
import { Dialog } from '../components/Dialog.tsx';
import { Markdown } from '../components/Markdown.tsx';
import { fieldError, httpsOk, intIn, messages, semverOk, type Errors } from './publishFields.ts';
import { SignAndReview } from './PublishKey.tsx';

interface Asset { platform: string; url: string; file: HashedFile | null }
type ReleaseInput = Extract<PublishInput, { kind: 'release' }>;

export function PublishRelease({ channels, signingKey, onKey }: { channels: string[]; signingKey: KeyInfo | null; onKey: (key: KeyInfo) => void }) {
  const { info, announce } = useApp();
  const [channel, setChannel] = useState(channels[0] ?? 'stable');
  const [version, setVersion] = useState('');
  const [title, setTitle] = useState('');
  const [notes, setNotes] = useState('');
  const [assets, setAssets] = useState<Asset[]>([{ platform: info.platform, url: '', file: null }]);
  const [rollout, setRollout] = useState('100');
  const [critical, setCritical] = useState(false);
  const [minVersion, setMinVersion] = useState('');
  const [expires, setExpires] = useState('');
  const [hashing, setHashing] = useState<{ fileName: string; done: number; total: number } | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [confirm, setConfirm] = useState<ReleaseInput | null>(null);
  const [publishing, setPublishing] = useState(false);
  useEffect(() => on('hashProgress', (p) => setHashing(p.done >= p.total ? null : p)), []);

  const known = ['channel', 'version', 'title', 'notes', 'assets', 'rollout', 'critical', 'minVersion', 'expiresDays', 'key', ...assets.flatMap((_, i) => [`assets.${i}`, `assets.${i}.url`, `assets.${i}.platform`])];
  const setAsset = (i: number, change: Partial<Asset>) => setAssets(assets.map((a, j) => (j === i ? { ...a, ...change } : a)));
  const chooseFile = async (i: number) => {
    try {
      const r = await api().hashFile({});
      setHashing(null);
      if (!r.ok) return setErrors(fieldError(`assets.${i}`, r.error.message, known));
      if (r.file) setAsset(i, { file: r.file });
    } catch {
      setHashing(null);
      announce(t.actionFailed);
    }
  };
  const review = () => {
    if (!signingKey || publishing) return;
    const e: Errors = {};
    if (!semverOk(version)) e.version = messages.semver;
    if (!intIn(rollout, 0, 100)) e.rollout = messages.rollout;
    if (minVersion && !semverOk(minVersion)) e.minVersion = messages.semver;
    if (expires && !intIn(expires, 1, 3650)) e.expiresDays = messages.days;
    assets.forEach((a, i) => {
      // A chosen file is hashed here, but people download it from an https address: a file needs one too.
      if (!a.file && !a.url.trim()) e[`assets.${i}`] = messages.asset;
      else if (a.file && !a.url.trim()) e[`assets.${i}.url`] = messages.fileUrl;
      else if (!httpsOk(a.url)) e[`assets.${i}.url`] = messages.https;
    });
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    const input: ReleaseInput = {
      kind: 'release', channel, version, title: title.trim(), notes, critical, rollout: Number(rollout), platforms: [],
      assets: assets.map((a) => (a.file ? { platform: a.platform, handle: a.file.handle, url: a.url.trim() } : { platform: a.platform, url: a.url.trim() })),
    };
    if (minVersion) input.minVersion = minVersion;
    if (expires) input.expiresDays = Number(expires);
    setConfirm(input);
  };
  const publish = async (input: ReleaseInput) => {
    setConfirm(null);
    if (publishing) return;
    setPublishing(true);
    announce(t.publish.publishing);
    try {
      const r = await api().publish(input);
      if (!r.ok) {
        setErrors(fieldError(r.error.field, r.error.message, known));
        announce(t.publish.errForm);
      } else {
        announce(t.publish.published(r.item.version ?? r.item.title));
        setVersion(''); setTitle(''); setNotes(''); setErrors({});
      }
    } catch {
      setErrors({ form: t.actionFailed });
    }
    setPublishing(false);
  };
  return (
    <div className="compose">
      <form className="compose-form" onSubmit={(e) => { e.preventDefault(); review(); }} noValidate aria-label={t.publish.tabRelease}>
        <div className="field-row">
          <Field id="rel-channel" label={t.publish.channel} error={errors.channel}>
            {(p) => <select {...p} value={channel} onChange={(e) => setChannel(e.target.value)}>{channels.map((c) => <option key={c} value={c}>{t.channelName(c)}</option>)}</select>}
          </Field>
          <Field id="rel-version" label={t.publish.version} error={errors.version}>
            {(p) => <input {...p} value={version} placeholder="2.1.0" spellCheck={false} onChange={(e) => setVersion(e.target.value.trim())} />}
          </Field>
        </div>
        <Field id="rel-title" label={t.publish.title} error={errors.title}>
          {(p) => <input {...p} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Field id="rel-notes" label={t.publish.notes} error={errors.notes}>
          {(p) => <textarea {...p} value={notes} rows={5} onChange={(e) => setNotes(e.target.value)} />}
        </Field>
        <fieldset className="assets">
          <legend>{t.publish.assets}</legend>
          {assets.map((a, i) => (
            <div key={i} className="asset">
              <div className="field-row">
                <Field id={`asset-${i}-platform`} label={t.publish.assetPlatform} error={errors[`assets.${i}.platform`]}>
                  {(p) => <input {...p} value={a.platform} spellCheck={false} onChange={(e) => setAsset(i, { platform: e.target.value.trim() })} />}
                </Field>
                <Field id={`asset-${i}-url`} label={t.publish.assetUrl} error={errors[`assets.${i}.url`]} hint={a.file ? t.publish.assetUrlForFile : undefined}>
                  {(p) => <input {...p} value={a.url} inputMode="url" spellCheck={false} placeholder="https://" onChange={(e) => setAsset(i, { url: e.target.value })} />}
                </Field>
              </div>
              <div className="asset-file">
                <span className="hint">{t.publish.assetOr}</span>
                <button type="button" onClick={() => chooseFile(i)}>{t.publish.assetFile}</button>
                {a.file ? <span className="meta">{t.publish.assetHashed(a.file.fileName, a.file.size, a.file.sha256)}</span> : null}
                {assets.length > 1 ? <button type="button" onClick={() => setAssets(assets.filter((_, j) => j !== i))}>{t.publish.removeAsset}</button> : null}
              </div>
              <FieldError id={`asset-${i}-error`} message={errors[`assets.${i}`]} />
            </div>
          ))}
          {hashing ? (
            <div className="progress-block">
              <p>{t.publish.assetHashing(hashing.fileName, hashing.done, hashing.total)}</p>
              <div className="progress" role="progressbar" aria-label={hashing.fileName} aria-valuemin={0} aria-valuemax={hashing.total} aria-valuenow={hashing.done}>
                <div className="progress-fill" style={{ width: `${hashing.total > 0 ? (100 * hashing.done) / hashing.total : 0}%` }} />
              </div>
            </div>
          ) : null}
          <FieldError id="assets-error" message={errors.assets} />
          <button type="button" onClick={() => setAssets([...assets, { platform: '', url: '', file: null }])}>{t.publish.addAsset}</button>
        </fieldset>
        <div className="field-row">
          <Field id="rel-rollout" label={t.publish.rollout} error={errors.rollout}>
            {(p) => <input {...p} value={rollout} inputMode="numeric" onChange={(e) => setRollout(e.target.value)} />}
          </Field>
          <Field id="rel-min" label={t.optionalLabel(t.publish.minVersion)} error={errors.minVersion}>
            {(p) => <input {...p} value={minVersion} spellCheck={false} onChange={(e) => setMinVersion(e.target.value.trim())} />}
          </Field>
          <Field id="rel-expires" label={t.optionalLabel(t.publish.expiresDays)} error={errors.expiresDays}>
            {(p) => <input {...p} value={expires} inputMode="numeric" onChange={(e) => setExpires(e.target.value)} />}
          </Field>
        </div>
        <label className="check"><input type="checkbox" checked={critical} onChange={(e) => setCritical(e.target.checked)} />{t.publish.critical}</label>
        <SignAndReview idPrefix="rel" signingKey={signingKey} onKey={onKey} keyError={errors.key} formError={errors.form} publishing={publishing} />
      </form>
      <section className="preview" aria-label={t.publish.preview}>
        <h3 className="preview-label">{t.publish.preview}</h3>
        <article className="card update detail-preview">
          <h2>{t.updates.availableHeading(info.product)}</h2>
          <p className="lead">{t.updates.availableLine(info.product, version || '…', info.version)}</p>
          <p className="meta"><Chip tone="accent">{t.channelName(channel)}</Chip></p>
          {critical ? <p className="critical">{t.updates.critical}</p> : null}
          {notes ? <Markdown source={notes} /> : <p className="hint">{t.publish.previewEmpty}</p>}
        </article>
      </section>
      {confirm ? (
        <Dialog title={t.publish.confirmTitle} onCancel={() => setConfirm(null)} actions={[{ label: t.publish.confirmPublish, primary: true, onClick: () => publish(confirm) }]}>
          <dl className="facts">
            <dt>{t.publish.summaryChannel}</dt><dd>{t.channelName(confirm.channel)}</dd>
            <dt>{t.publish.summaryVersion}</dt><dd>{confirm.version}</dd>
            <dt>{t.publish.summaryRollout}</dt><dd>{t.publish.rolloutValue(confirm.rollout)}</dd>
            <dt>{t.publish.summaryCritical}</dt><dd>{confirm.critical ? t.publish.yes : t.publish.no}</dd>
          </dl>
        </Dialog>
      ) : null}
    </div>
  );
}
