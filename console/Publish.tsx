// The signing key (opened here, kept in memory, never uploaded) and the Link a New Version form.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type Draft } from './api.ts';
import type { Drafts } from './Channel.tsx';
import { draftOf } from './News.tsx';
import { releaseCommand, releaseRecord, type LinkInput } from './records.ts';
import { signingKeyFromPem } from '../shared/publish/keyfile.ts';
import { parseRollout } from '../shared/publish/record.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import { Command, type Run } from './ui.tsx';

export function KeyPanel({ signingKey, onKey }: { signingKey: SigningKey | null; onKey: (k: SigningKey | null) => void }) {
  const [error, setError] = useState('');
  const open = (file: File | undefined) => {
    setError('');
    if (!file) return;
    // Read here and kept in memory only; never uploaded.
    const reader = new FileReader();
    reader.onload = () => { signingKeyFromPem(String(reader.result)).then(onKey, (e: Error) => { onKey(null); setError(`${e.message[0]?.toUpperCase()}${e.message.slice(1)}.`); }); };
    reader.onerror = () => setError('The file could not be read.');
    reader.readAsText(file);
  };
  return (
    <section className="key" aria-labelledby="key-h">
      <h2 id="key-h">Signing key</h2>
      <label htmlFor="keyfile">Open your key file (read in this browser, never uploaded)</label>
      <input id="keyfile" type="file" accept=".key,.pem,text/plain" onChange={(e) => open(e.target.files?.[0])} />
      {signingKey ? <p>Signing with key <code>{signingKey.keyId}</code>.</p> : <p className="hint">Without a key file each action shows the CLI command that does the same.</p>}
      {error ? <p role="alert" className="error">{error}</p> : null}
    </section>
  );
}

/** Link a New Version; `draft` (a release draft being finished) fills it, and is removed once the version is linked. */
export function LinkVersion({ channel, draft, onDraft, drafts, focus, onFocused, signingKey, run }: { channel: string; draft: Draft | null; onDraft: (d: Draft | null) => void; drafts: Drafts; focus: boolean; onFocused: () => void; signingKey: SigningKey | null; run: Run }) {
  const versionRef = useRef<HTMLInputElement>(null);
  // A draft opened from the list lands here: the form is mounted anew with it, then takes the focus.
  useEffect(() => {
    if (!focus) return;
    versionRef.current?.focus();
    onFocused();
  }, [focus, onFocused]);
  const empty = { channel, version: draft?.version ?? '', title: draft?.title ?? '', notes: draft?.body ?? '', platform: 'linux-x64', url: '', sha256: '', size: 0, rollout: draft?.rollout ?? 10 };
  const [v, setV] = useState<LinkInput>(empty);
  const [size, setSize] = useState('');
  const [rollout, setRollout] = useState(String(empty.rollout));
  const [command, setCommand] = useState('');
  const save = () => {
    const pct = parseRollout(rollout);
    const fields = { kind: 'release' as const, title: v.title, body: v.notes, version: v.version.trim() || null, rollout: pct };
    return void run(`Draft of ${v.version || 'a release'} saved.`, async () => {
      onDraft(draftOf(draft ? await api.updateDraft(draft.id, fields) : await api.createDraft({ channel, ...fields })));
      await drafts.reload();
    });
  };
  const set = (k: keyof LinkInput) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const pct = parseRollout(rollout);
    if (pct === null) return void run('', () => Promise.reject(new Error('Rollout: enter a whole number from 0 to 100.')));
    const input = { ...v, channel, size: Number(size), rollout: pct };
    if (!signingKey) return setCommand(releaseCommand(input));
    return void run(`${input.version} linked on ${channel} at ${pct} %.`, async () => {
      await api.publish(await releaseRecord(input, signingKey));
      setV({ ...empty, version: '', title: '', notes: '' });
      setSize('');
      if (draft) {
        await api.deleteDraft(draft.id);
        onDraft(null);
        await drafts.reload();
      }
    });
  };
  return (
    <form className="link" onSubmit={submit} aria-labelledby="link-h">
      <h3 id="link-h">{draft ? `Finish the draft of ${draft.version ?? draft.title} and link it to ${channel}` : `Link a New Version to ${channel}`}</h3>
      <label htmlFor="link-version">Version</label>
      <input id="link-version" ref={versionRef} value={v.version} onChange={set('version')} required placeholder="2.1.0" />
      <label htmlFor="link-notes">Release notes (Markdown)</label>
      <textarea id="link-notes" rows={3} value={v.notes} onChange={set('notes')} />
      <label htmlFor="link-platform">Platform</label>
      <input id="link-platform" value={v.platform} onChange={set('platform')} required />
      <label htmlFor="link-url">Download URL (https)</label>
      <input id="link-url" type="url" value={v.url} onChange={set('url')} required />
      <label htmlFor="link-sha">SHA-256 of the file</label>
      <input id="link-sha" value={v.sha256} onChange={set('sha256')} required pattern="[0-9a-f]{64}" />
      <label htmlFor="link-size">Size in bytes</label>
      <input id="link-size" inputMode="numeric" value={size} onChange={(e) => setSize(e.target.value)} required pattern="[0-9]+" />
      <label htmlFor="link-rollout">Rollout % (0–100)</label>
      <input id="link-rollout" inputMode="numeric" value={rollout} onChange={(e) => setRollout(e.target.value)} required />
      <div className="row">
        <button type="submit">{signingKey ? 'Sign and link' : 'Show the command'}</button>
        <button type="button" className="secondary" onClick={save}>{draft ? 'Save release draft' : 'Save as release draft'}</button>
        {draft ? <button type="button" className="secondary" onClick={() => onDraft(null)}>New version</button> : null}
      </div>
      {command ? <Command text={command} /> : null}
    </form>
  );
}
