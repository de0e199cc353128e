// The console's screens: sign in; then, per channel, releases (rollout, adoption, health, halts, renewal),
// the halt policy, news and drafts, and Link a New Version; the audit log; and for admin tokens the tokens and
// trusted keys. What a token may change is what its scopes allow; the service checks every change again.
// Signing happens here with a key file the publisher opens (read with FileReader, kept in memory, never sent);
// without one, each action shows its CLI command. Counts refresh every few seconds while the page is visible.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type AuditEntry, type Channel, type FailedStarts, type Me } from './api.ts';
import type { SigningKey } from '../shared/protocol/signing.ts';
import { ChannelPage } from './Channel.tsx';
import { KeyPanel } from './Publish.tsx';
import { AuditLog } from './Audit.tsx';
import { Keys, Tokens } from './Admin.tsx';
import { when, type Run } from './ui.tsx';

const REFRESH_MS = 5000;

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

type View = { kind: 'channel'; name: string } | { kind: 'audit' } | { kind: 'tokens' } | { kind: 'keys' };

function Console({ me, onSignedOut }: { me: Me; onSignedOut: () => void }) {
  const canPublish = me.scopes.includes('publish');
  const isAdmin = me.scopes.includes('admin');
  const [channels, setChannels] = useState<Channel[]>([]);
  const [view, setView] = useState<View | null>(null);
  const [audit, setAudit] = useState<AuditEntry[]>([]);
  const [failed, setFailed] = useState<FailedStarts | null>(null);
  const [key, setKey] = useState<SigningKey | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const mainRef = useRef<HTMLElement>(null);

  const viewRef = useRef(view);
  viewRef.current = view;
  // One request a tick: the channels (with adoption). The audit log only while it is shown; the failed-start
  // counts only from a service whose channel view has no adoption numbers. Reads and changes share a budget
  // per address on the service, so the page asks for no more than it shows.
  const reload = useCallback(async () => {
    try {
      const c = await api.channels();
      setChannels(c.channels);
      setView((v) => v ?? (c.channels[0] ? { kind: 'channel', name: c.channels[0].name } : { kind: 'audit' }));
      const legacy = c.channels.some((ch) => ch.releases.some((r) => r.adoption === undefined));
      setFailed(canPublish && legacy ? await api.failedStarts() : null);
      if (viewRef.current?.kind === 'audit') setAudit((await api.audit()).entries);
    } catch (err) {
      if ((err as { status?: number }).status === 401) onSignedOut();
      else setError((err as Error).message);
    }
  }, [canPublish, onSignedOut]);
  useEffect(() => {
    void reload();
    // Adoption and failed-start counts move while the page is open; a hidden tab does not ask.
    const timer = setInterval(() => { if (document.visibilityState === 'visible') void reload(); }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useEffect(() => {
    if (view?.kind === 'audit') api.audit().then((a) => setAudit(a.entries), (err: Error) => setError(err.message));
  }, [view]);

  const run: Run = async (what, fn) => {
    setError('');
    setStatus('');
    try {
      await fn();
      setStatus(what);
      await reload();
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 401) onSignedOut();
      setError((err as Error).message);
      return false;
    }
  };
  const signOut = async () => {
    try { await api.signOut(); } finally { onSignedOut(); }
  };
  const go = (v: View) => {
    setView(v);
    setStatus('');
    setError('');
    mainRef.current?.focus();
  };
  const channel = view?.kind === 'channel' ? channels.find((c) => c.name === view.name) : undefined;
  const current = (v: View) => (view && view.kind === v.kind && (v.kind !== 'channel' || (view.kind === 'channel' && view.name === v.name)) ? 'page' : undefined);

  return (
    <div className="console">
      <header>
        <h1>Tidings publisher console</h1>
        <p>Signed in as <strong>{me.name}</strong> ({me.scopes.join(', ')}; {me.channels ? `channels ${me.channels.join(', ')}` : 'every channel'}), until {when(me.expires)}.</p>
        <button type="button" className="secondary" onClick={() => void reload()}>Refresh</button>
        <button type="button" onClick={() => void signOut()}>Sign out</button>
      </header>
      <div aria-live="polite" className="status">{status ? <p>{status}</p> : null}</div>
      {error ? <p role="alert" className="error page-error">{error}</p> : null}
      {canPublish ? <KeyPanel signingKey={key} onKey={setKey} /> : <p className="note">{isAdmin ? 'This token manages tokens and keys; it may not publish, so releases and news are shown only.' : 'This token may only read: changes are not offered.'}</p>}
      <div className="columns">
        <nav aria-label="Console">
          <h2 id="nav-channels">Channels</h2>
          {channels.length === 0 ? <p>No channels yet.</p> : null}
          <ul aria-labelledby="nav-channels">
            {channels.map((c) => {
              const v: View = { kind: 'channel', name: c.name };
              const stopped = c.releases.filter((r) => r.halt && !r.recalled).length;
              return <li key={c.name}><button type="button" aria-current={current(v)} onClick={() => go(v)}>{c.name}{stopped ? <span className="badge"> ({stopped} halted)</span> : null}</button></li>;
            })}
          </ul>
          <h2 id="nav-more">More</h2>
          <ul aria-labelledby="nav-more">
            <li><button type="button" aria-current={current({ kind: 'audit' })} onClick={() => go({ kind: 'audit' })}>Audit log</button></li>
            {isAdmin ? <li><button type="button" aria-current={current({ kind: 'tokens' })} onClick={() => go({ kind: 'tokens' })}>Access tokens</button></li> : null}
            {isAdmin ? <li><button type="button" aria-current={current({ kind: 'keys' })} onClick={() => go({ kind: 'keys' })}>Trusted keys</button></li> : null}
          </ul>
        </nav>
        <main ref={mainRef} tabIndex={-1}>
          {channel ? <ChannelPage key={channel.name} channel={channel} failed={failed} canPublish={canPublish} signingKey={key} run={run} /> : null}
          {view?.kind === 'audit' ? <AuditLog entries={audit} /> : null}
          {view?.kind === 'tokens' && isAdmin ? <Tokens run={run} /> : null}
          {view?.kind === 'keys' && isAdmin ? <Keys run={run} /> : null}
        </main>
      </div>
    </div>
  );
}
