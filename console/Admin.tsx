// Admin pages (admin scope only): access tokens (list, create — the secret is shown once, in this component's
// memory, with a copy button, never stored or put in a URL — and revoke) and the keys the feed trusts (list,
// add, retire). The service checks the scope on every request; hiding the pages is only for clarity.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type TokenInfo, type TrustedKey } from './api.ts';
import { ConfirmButton, when, type Run } from './ui.tsx';

const SCOPES = [
  { scope: 'read', words: 'read: see channels and the audit log (and what companions use to check)' },
  { scope: 'publish', words: 'publish: post, link, roll out, recall and keep drafts' },
  { scope: 'admin', words: 'admin: manage tokens and trusted keys' },
] as const;

function useList<T>(load: () => Promise<T[]>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(async () => {
    try {
      setItems(await load());
      setError('');
    } catch (err) {
      setError((err as Error).message);
    }
  }, [load]);
  useEffect(() => { void reload(); }, [reload]);
  return { items, error, reload };
}

const loadTokens = async () => (await api.tokens()).tokens;
const loadKeys = async () => (await api.keys()).keys;

export function Tokens({ run }: { run: Run }) {
  const { items, error, reload } = useList<TokenInfo>(loadTokens);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [channels, setChannels] = useState('');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState('');
  const secretRef = useRef<HTMLElement>(null);
  useEffect(() => { if (secret) secretRef.current?.focus(); }, [secret]);

  const create = (e: FormEvent) => {
    e.preventDefault();
    const list = channels.split(/[\s,]+/).filter(Boolean);
    if (scopes.length === 0) return void run('', () => Promise.reject(new Error('Choose at least one scope.')));
    void run(`Token “${name}” created.`, async () => {
      const made = await api.createToken({ name: name.trim(), scopes, channels: list.length ? list : null });
      setSecret({ name: name.trim(), token: made.token });
      setCopied('');
      setName('');
      await reload();
    });
  };
  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret.token);
      setCopied('Copied. Paste it where it is needed; this page will not show it again.');
    } catch {
      setCopied('The browser did not allow copying: select the token and copy it by hand.');
    }
  };
  const toggle = (s: string) => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);

  return (
    <section aria-labelledby="tokens-h">
      <h2 id="tokens-h">Access tokens</h2>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {secret ? (
        <section className="secret" aria-labelledby="secret-h" ref={secretRef} tabIndex={-1}>
          <h3 id="secret-h">The new token “{secret.name}”</h3>
          <p>This is the only time it is shown. Copy it now; the service keeps only a hash of it.</p>
          <p><code data-testid="new-token">{secret.token}</code></p>
          <div className="row">
            <button type="button" onClick={() => void copy()}>Copy the token</button>
            <button type="button" className="secondary" onClick={() => { setSecret(null); setCopied(''); }}>Done, hide it</button>
          </div>
          <p aria-live="polite" className="hint">{copied}</p>
        </section>
      ) : null}
      {items === null ? null : items.length === 0 ? <p>No tokens.</p> : (
        <table className="tokens">
          <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Channels</th><th scope="col">Created</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id}>
                <th scope="row">{t.name}</th>
                <td>{t.scopes.join(', ')}</td>
                <td>{t.channels?.join(', ') ?? 'every channel'}</td>
                <td>{when(t.created)}</td>
                <td>{t.revoked !== null ? `Revoked ${when(t.revoked)}` : 'Active'}</td>
                <td>{t.revoked === null ? (
                  <ConfirmButton danger label={`Revoke ${t.name}`} short="Revoke" yes={`Yes, revoke ${t.name}`} onYes={() => void run(`Token “${t.name}” revoked.`, async () => { await api.revokeToken(t.id); await reload(); })}
                    question={<>Revoke “{t.name}”? Everything using it is refused from now on, and its console sessions end.</>} />
                ) : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="create-token" onSubmit={create} aria-labelledby="create-token-h">
        <h3 id="create-token-h">Create a token</h3>
        <label htmlFor="token-name">Name (who or what uses it)</label>
        <input id="token-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <div key={s.scope}><input type="checkbox" id={`scope-${s.scope}`} checked={scopes.includes(s.scope)} onChange={() => toggle(s.scope)} /> <label htmlFor={`scope-${s.scope}`}>{s.words}</label></div>
          ))}
        </fieldset>
        <label htmlFor="token-channels">Channels (separated by commas; empty: every channel)</label>
        <input id="token-channels" value={channels} onChange={(e) => setChannels(e.target.value)} placeholder="stable, beta" />
        <button type="submit">Create token</button>
      </form>
    </section>
  );
}

const keyState = (k: TrustedKey) => [
  k.revoked ? 'Revoked' : k.retired ? `Retired ${when(k.retired)}` : k.current === false ? 'Trusted, not signing' : 'Trusted',
  k.source === 'configured' ? 'set in the service’s configuration' : k.source === 'rotation' ? 'from a signed rotation' : k.added ? `added ${when(k.added)}` : '',
].filter(Boolean).join(', ');

export function Keys({ run }: { run: Run }) {
  const { items, error, reload } = useList<TrustedKey>(loadKeys);
  const [publicKey, setPublicKey] = useState('');
  const [name, setName] = useState('');
  const add = (e: FormEvent) => {
    e.preventDefault();
    void run('Key added: records signed with it are accepted now.', async () => { await api.addKey(publicKey.trim(), name.trim()); setPublicKey(''); setName(''); await reload(); });
  };
  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">Trusted keys</h2>
      <p className="hint">The feed accepts records signed by these keys. Keys set in the service’s configuration are changed there; after a signed key rotation, keys change only by the next rotation (tidings key rotate).</p>
      {error ? <p role="alert" className="error">{error}</p> : null}
      {items === null ? null : items.length === 0 ? <p>No keys.</p> : (
        <table className="keys">
          <thead><tr><th scope="col">Key id</th><th scope="col">Public key</th><th scope="col">State</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {items.map((k) => (
              <tr key={k.keyId}>
                <th scope="row"><code>{k.keyId}</code>{k.name && k.name !== k.keyId ? <span className="hint key-name">{k.name}</span> : null}</th>
                <td><code className="wrap">{k.publicKey}</code></td>
                <td>{keyState(k)}</td>
                <td>{k.source === 'added' && !k.retired && !k.revoked ? (
                  <ConfirmButton danger label={`Retire ${k.keyId}`} short="Retire" yes={`Yes, retire ${k.keyId}`} onYes={() => void run(`Key ${k.keyId} retired: new records signed with it are refused.`, async () => { await api.retireKey(k.keyId); await reload(); })}
                    question={<>Retire {k.keyId}? The feed refuses new records signed with it; records already published stay.</>} />
                ) : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="add-key" onSubmit={add} aria-labelledby="add-key-h">
        <h3 id="add-key-h">Trust another key</h3>
        <label htmlFor="key-public">Public key (base64, as tidings keygen prints it)</label>
        <input id="key-public" value={publicKey} onChange={(e) => setPublicKey(e.target.value)} required spellCheck={false} />
        <label htmlFor="key-name">Name (optional: whose key it is)</label>
        <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={64} />
        <button type="submit">Add key</button>
      </form>
    </section>
  );
}
