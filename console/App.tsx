// The console's screens: sign in; then channels with their releases (rollout, halts, failed starts) and news,
// the actions a token's scopes allow, and the audit log. Signing happens here with a key file the publisher
// opens (read with FileReader, kept in memory, never sent); without one, each action shows its CLI command.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, type AuditEntry, type Channel, type FailedStarts, type Me, type Release } from './api.ts';
import { advanceCommand, advanceRecord, newsCommand, newsRecord, recallCommand, recallRecords, releaseCommand, releaseRecord, type LinkInput } from './drafts.ts';
import { signingKeyFromPem } from '../shared/publish/keyfile.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import { renderMarkdown } from '../renderer/lib/markdown.ts';

const when = (unix: number) => new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  useEffect(() => { api.me().then(setMe, () => setMe(null)); }, []);
  if (me === undefined) return <main aria-busy="true"><p>Loading…</p></main>;
  if (me === null) return <SignIn onSignedIn={setMe} />;
  return <Console me={me} onSignedOut={() => setMe(null)} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await api.signIn(token);
      setToken('');
      onSignedIn(me);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <h1>Tidings publisher console</h1>
      <form onSubmit={submit} aria-describedby={error ? 'signin-error' : undefined}>
        <label htmlFor="token">Access token</label>
        <input id="token" type="password" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} required />
        <p className="hint">A read or publish token from <code>tidings token create</code>. It is sent once to sign in and never stored in this browser.</p>
        {error ? <p id="signin-error" role="alert" className="error">{error}</p> : null}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}

function Console({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const canPublish = me.scopes.includes('publish');
  const [channels, setChannels] = useState<Channel[]>([]);
  const [selected, setSelected] = useState<string>('');
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [failed, setFailed] = useState<FailedStarts | null>(null);
  const [key, setKey] = useState<SigningKey | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const reload = useCallback(async () => {
    try {
      const [c, a, f] = await Promise.all([api.channels(), api.audit(), canPublish ? api.failedStarts() : Promise.resolve(null)]);
      setChannels(c.channels);
      setAudit(a.entries);
      setFailed(f);
      setSelected((s) => s || c.channels[0]?.name || '');
    } catch (err) {
      if ((err as { status?: number }).status === 401) onSignedOut();
      else setError((err as Error).message);
    }
  }, [canPublish, onSignedOut]);
  useEffect(() => { void reload(); }, [reload]);

  /** Runs a change, says what happened, reloads; a refusal is shown as the service worded it. */
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setError('');
    setStatus('');
    try {
      await fn();
      setStatus(what);
      await reload();
    } catch (err) {
      if ((err as { status?: number }).status === 401) onSignedOut();
      setError((err as Error).message);
    }
  };
  const signOut = async () => {
    try { await api.signOut(); } finally { onSignedOut(); }
  };
  const channel = channels.find((c) => c.name === selected);

  return (
    <div className="console">
      <header>
        <h1>Tidings publisher console</h1>
        <p>Signed in as <strong>{me.name}</strong> ({me.scopes.join(', ')}; {me.channels ? `channels ${me.channels.join(', ')}` : 'every channel'}), until {when(me.expires)}.</p>
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </header>
      <div aria-live="polite" className="status">{status ? <p>{status}</p> : null}</div>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {canPublish ? <KeyPanel signingKey={key} onKey={setKey} /> : <p className="note">This token may only read: changes are not offered.</p>}
      <div className="columns">
        <nav aria-label="Channels">
          <h2>Channels</h2>
          {channels.length === 0 ? <p>No channels yet.</p> : null}
          <ul>
            {channels.map((c) => (
              <li key={c.name}><button type="button" aria-current={c.name === selected ? 'true' : undefined} onClick={() => setSelected(c.name)}>{c.name}</button></li>
            ))}
          </ul>
        </nav>
        <main>
          {channel ? <ChannelPanel channel={channel} failed={failed} canPublish={canPublish} signingKey={key} run={run} /> : null}
          {canPublish ? <LinkVersion channel={selected} signingKey={key} run={run} /> : null}
          <AuditLog entries={audit} />
        </main>
      </div>
    </div>
  );
}

function KeyPanel({ signingKey, onKey }: { signingKey: SigningKey | null; onKey: (k: SigningKey | null) => void }) {
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

type Run = (what: string, fn: () => Promise<unknown>) => Promise<void>;

function ChannelPanel({ channel, failed, canPublish, signingKey, run }: { channel: Channel; failed: FailedStarts | null; canPublish: boolean; signingKey: SigningKey | null; run: Run }) {
  const failedFor = (version: string) => failed?.counts.filter((c) => c.channel === channel.name && c.version === version).reduce((n, c) => n + c.count, 0) ?? 0;
  return (
    <section aria-labelledby="channel-h">
      <h2 id="channel-h">Channel {channel.name}</h2>
      <h3>Releases</h3>
      {channel.releases.length === 0 ? <p>No releases.</p> : (
        <table>
          <thead><tr><th scope="col">Version</th><th scope="col">Rollout</th><th scope="col">State</th><th scope="col">Failed starts</th>{canPublish ? <th scope="col">Actions</th> : null}</tr></thead>
          <tbody>
            {channel.releases.map((r) => (
              <tr key={r.version}>
                <th scope="row">{r.version}</th>
                <td>{r.rollout} %</td>
                <td>{r.recalled ? 'Recalled' : r.halt ? `Halted: ${r.halt.reason}` : 'Rolling out'}</td>
                <td>{failed ? failedFor(r.version) : '—'}</td>
                {canPublish ? <td><ReleaseActions channel={channel.name} release={r} signingKey={signingKey} run={run} /></td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {failed && failed.withheld > 0 ? <p className="hint">{failed.note}</p> : null}
      <h3>News</h3>
      {channel.news.length === 0 ? <p>No news.</p> : (
        <ul className="news">{channel.news.map((n) => <li key={n.id}>{n.title} <span className="hint">{when(n.issued)}{n.retracted ? ', retracted' : ''}</span></li>)}</ul>
      )}
      {canPublish ? <PostNews channel={channel.name} signingKey={signingKey} run={run} /> : null}
    </section>
  );
}

function ReleaseActions({ channel, release: r, signingKey, run }: { channel: string; release: Release; signingKey: SigningKey | null; run: Run }) {
  const [rollout, setRollout] = useState(String(Math.min(100, r.rollout + 10)));
  const [reason, setReason] = useState('');
  const [command, setCommand] = useState('');
  if (r.recalled) return <span className="hint">None</span>;
  const id = `${channel}-${r.version}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const pct = Number(rollout);
  const validPct = /^\d{1,3}$/.test(rollout) && pct >= 0 && pct <= 100;
  const advance = () => {
    if (!validPct) return void run('', () => Promise.reject(new Error('Enter a whole number from 0 to 100.')));
    if (!signingKey) return setCommand(advanceCommand(channel, r, pct));
    return void run(`Rollout of ${r.version} advanced to ${pct} %.`, async () => api.publish(await advanceRecord(r, pct, signingKey)));
  };
  const recall = () => {
    if (!signingKey) return setCommand(recallCommand(channel, r));
    if (!window.confirm(`Recall ${r.version} from ${channel}? Installs that have not taken it will not be offered it again.`)) return;
    return void run(`${r.version} recalled.`, async () => { for (const rec of await recallRecords(channel, r, signingKey)) await api.publish(rec); });
  };
  return (
    <div className="actions">
      <label htmlFor={`${id}-rollout`}>Rollout % for {r.version}</label>
      <input id={`${id}-rollout`} inputMode="numeric" value={rollout} onChange={(e) => setRollout(e.target.value)} aria-invalid={!validPct} size={4} />
      <button type="button" onClick={advance} disabled={Boolean(r.halt)}>Advance {r.version}</button>
      {r.halt
        ? <button type="button" onClick={() => void run(`Rollout of ${r.version} resumed.`, () => api.resume(channel, r.version))}>Resume {r.version}</button>
        : <>
            <label htmlFor={`${id}-reason`}>Halt reason for {r.version}</label>
            <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} />
            <button type="button" onClick={() => void run(`Rollout of ${r.version} halted.`, () => api.halt(channel, r.version, reason))}>Halt {r.version}</button>
          </>}
      <button type="button" className="danger" onClick={recall}>Recall {r.version}</button>
      {command ? <Command text={command} /> : null}
    </div>
  );
}

function Command({ text }: { text: string }) {
  return <div className="command"><p>No key file is open. This command does the same on your machine:</p><pre><code>{text}</code></pre></div>;
}

function PostNews({ channel, signingKey, run }: { channel: string; signingKey: SigningKey | null; run: Run }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [command, setCommand] = useState('');
  const preview = renderMarkdown(body);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!signingKey) return setCommand(newsCommand(channel, title));
    return void run(`News “${title}” posted to ${channel}.`, async () => {
      await api.publish(await newsRecord(channel, title, body, signingKey));
      setTitle('');
      setBody('');
    });
  };
  return (
    <form className="post" onSubmit={submit} aria-labelledby="post-h">
      <h3 id="post-h">Post news to {channel}</h3>
      <label htmlFor="news-title">Title</label>
      <input id="news-title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
      <label htmlFor="news-body">Body (Markdown)</label>
      <textarea id="news-body" rows={6} value={body} onChange={(e) => setBody(e.target.value)} />
      <h4>Preview</h4>
      {/* Sanitized exactly as the companion shows it (renderer/lib/markdown.ts: marked + DOMPurify). */}
      <div className="md preview" data-testid="preview" dangerouslySetInnerHTML={{ __html: preview.html }} />
      <button type="submit">{signingKey ? 'Sign and post' : 'Show the command'}</button>
      {command ? <Command text={command} /> : null}
    </form>
  );
}

function LinkVersion({ channel, signingKey, run }: { channel: string; signingKey: SigningKey | null; run: Run }) {
  const empty = { channel, version: '', title: '', notes: '', platform: 'linux-x64', url: '', sha256: '', size: 0, rollout: 10 };
  const [v, setV] = useState<LinkInput>(empty);
  const [size, setSize] = useState('');
  const [rollout, setRollout] = useState('10');
  const [command, setCommand] = useState('');
  const set = (k: keyof LinkInput) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const pct = Number(rollout);
    if (!/^\d{1,3}$/.test(rollout) || pct > 100) return void run('', () => Promise.reject(new Error('Rollout: enter a whole number from 0 to 100.')));
    const input = { ...v, channel, size: Number(size), rollout: pct };
    if (!signingKey) return setCommand(releaseCommand(input));
    return void run(`${input.version} linked on ${channel} at ${pct} %.`, async () => {
      await api.publish(await releaseRecord(input, signingKey));
      setV(empty);
    });
  };
  return (
    <form className="link" onSubmit={submit} aria-labelledby="link-h">
      <h3 id="link-h">Link a version to {channel || 'a channel'}</h3>
      <label htmlFor="link-version">Version</label>
      <input id="link-version" value={v.version} onChange={set('version')} required placeholder="2.1.0" />
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
      <button type="submit">{signingKey ? 'Sign and link' : 'Show the command'}</button>
      {command ? <Command text={command} /> : null}
    </form>
  );
}

function AuditLog({ entries }: { entries: AuditEntry[] }) {
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      {entries.length === 0 ? <p>Nothing yet.</p> : (
        <table className="audit">
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Channel</th><th scope="col">Detail</th></tr></thead>
          <tbody>{entries.map((e, i) => <tr key={i}><td>{when(e.at)}</td><td>{e.who}</td><td>{e.action}</td><td>{e.channel ?? '—'}</td><td>{e.detail}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}
