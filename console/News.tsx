// A channel's news: what is posted, the drafts kept on the service between visits, and the editor with a live
// preview sanitized exactly as the companion shows publisher Markdown (renderer/lib/markdown.ts: marked with
// raw HTML escaped, https/mailto links only, then DOMPurify), so a script, an event handler or a javascript:
// link in a draft never runs here either. Posting signs in this page (console/records.ts).
import { useEffect, useState, type FormEvent } from 'react';
import { api, type Channel, type Draft } from './api.ts';
import type { Drafts } from './Channel.tsx';
import { newsCommand, newsRecord } from './records.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import { renderMarkdown } from '../renderer/lib/markdown.ts';
import { Command, ConfirmButton, when, type Run } from './ui.tsx';

export const draftOf = (d: Draft | { draft: Draft }): Draft => ('draft' in d ? d.draft : d);

export function News({ channel, canPublish, drafts: kept, onEditRelease, signingKey, run }: { channel: Channel; canPublish: boolean; drafts: Drafts; onEditRelease: (d: Draft) => void; signingKey: SigningKey | null; run: Run }) {
  const { list: drafts, error: draftsError, reload: loadDrafts } = kept;
  const [editing, setEditing] = useState<Draft | null>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [command, setCommand] = useState('');
  const name = channel.name;

  useEffect(() => { setEditing(null); setTitle(''); setBody(''); setCommand(''); }, [name]);

  const clear = () => { setEditing(null); setTitle(''); setBody(''); };
  const edit = (d: Draft) => { setEditing(d); setTitle(d.title); setBody(d.body); document.getElementById('news-title')?.focus(); };

  /** Signs and posts; a post made from a saved draft removes that draft. */
  const post = (t: string, b: string, from: Draft | null) => {
    if (!signingKey) return setCommand(newsCommand(name, t));
    return void run(`News “${t}” posted to ${name}.`, async () => {
      await api.publish(await newsRecord(name, t, b, signingKey));
      if (from) await api.deleteDraft(from.id);
      if (!from || from.id === editing?.id) clear();
      await loadDrafts();
    });
  };
  const submit = (e: FormEvent) => { e.preventDefault(); post(title, body, editing); };
  const save = () => {
    if (!title.trim()) return void run('', () => Promise.reject(new Error('Give the draft a title first.')));
    return void run(`Draft “${title}” saved.`, async () => {
      const fields = { kind: 'news' as const, title, body };
      const d = draftOf(editing ? await api.updateDraft(editing.id, fields) : await api.createDraft({ channel: name, ...fields }));
      setEditing(d);
      await loadDrafts();
    });
  };
  const remove = (d: Draft) => void run(`Draft “${d.title}” deleted.`, async () => {
    await api.deleteDraft(d.id);
    if (editing?.id === d.id) clear();
    await loadDrafts();
  });

  const preview = renderMarkdown(body);
  return (
    <section aria-labelledby="news-h">
      <h3 id="news-h">News</h3>
      {channel.news.length === 0 ? <p>No news.</p> : (
        <ul className="news">{channel.news.map((n) => <li key={n.id}>{n.title} <span className="hint">{when(n.issued)}{n.retracted ? ', retracted' : ''}</span></li>)}</ul>
      )}
      {canPublish ? (
        <>
          <h4 id="drafts-h">Drafts</h4>
          {draftsError ? <p className="error" role="alert">Drafts: {draftsError}</p> : null}
          {drafts === null ? null : drafts.length === 0 ? <p className="hint">No drafts. Write below and choose Save draft to keep one for later.</p> : (
            <ul className="drafts" aria-labelledby="drafts-h">
              {drafts.map((d) => (
                <li key={d.id}>
                  <span><strong>{d.title || '(no title)'}</strong> <span className="hint">{d.kind === 'release' ? `release ${d.version ?? ''}${typeof d.rollout === 'number' ? ` at ${d.rollout} %` : ''}, ` : ''}saved {when(d.updated)}{d.by ? ` by ${d.by}` : ''}</span></span>
                  {d.kind === 'release'
                    ? <button type="button" className="secondary" onClick={() => onEditRelease(d)}>Open {d.title || d.version} in Link a New Version</button>
                    : <>
                        <button type="button" className="secondary" onClick={() => edit(d)}>Edit {d.title}</button>
                        <button type="button" onClick={() => post(d.title, d.body, d)}>Publish {d.title}</button>
                      </>}
                  <ConfirmButton danger label={`Delete draft ${d.title}`} yes={`Yes, delete ${d.title}`} question={<>Delete the draft “{d.title}”? This cannot be undone.</>} onYes={() => remove(d)} />
                </li>
              ))}
            </ul>
          )}
          <form className="post" onSubmit={submit} aria-labelledby="post-h">
            <h4 id="post-h">{editing ? `Edit draft “${editing.title}”` : `Post news to ${name}`}</h4>
            <label htmlFor="news-title">Title</label>
            <input id="news-title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
            <label htmlFor="news-body">Body (Markdown)</label>
            <textarea id="news-body" rows={6} value={body} onChange={(e) => setBody(e.target.value)} />
            <h5 id="preview-h">Preview — exactly as people will see it</h5>
            <div className="md preview" data-testid="preview" role="region" aria-labelledby="preview-h" dangerouslySetInnerHTML={{ __html: preview.html }} />
            <div className="row">
              <button type="submit">{signingKey ? 'Sign and post' : 'Show the command'}</button>
              <button type="button" className="secondary" onClick={save}>{editing ? 'Save draft' : 'Save as draft'}</button>
              {editing ? <button type="button" className="secondary" onClick={clear}>New post</button> : null}
            </div>
            {command ? <Command text={command} /> : null}
          </form>
        </>
      ) : null}
    </section>
  );
}
