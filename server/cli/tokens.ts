// `tidings token create|list|revoke` against a local feed service database.
import { openStore } from '../store/index.ts';
import { createToken } from '../tokens.ts';
import { CHANNEL_PATTERN } from '../../shared/protocol/limits.ts';
import type { Scope } from '../store/types.ts';
import { CliError, UsageError } from './errors.ts';
import type { Out } from './output.ts';

const when = (t: number | null) => (t === null ? '-' : new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' '));

export async function tokenCommand(out: Out, sub: string | undefined, positional: string[], v: { db?: string; scope?: string[]; channel?: string[]; name?: string }): Promise<void> {
  if (!v.db) throw new UsageError('token commands need --db <feed database file or postgres:// URL>');
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') throw new UsageError('usage: tidings token create|list|revoke --db <db> …');
  let scopes: Scope[] = [];
  if (sub === 'create') {
    scopes = (v.scope ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean) as Scope[];
    if (scopes.length === 0) throw new UsageError('token create needs --scope read or --scope publish');
    for (const s of scopes) if (s !== 'read' && s !== 'publish') throw new UsageError(`unknown scope "${s}": use read or publish`);
    for (const c of v.channel ?? []) if (!CHANNEL_PATTERN.test(c)) throw new UsageError(`invalid channel name "${c}"`);
  }
  const store = await openStore(v.db);
  try {
    if (sub === 'create') {
      const channels = v.channel && v.channel.length > 0 ? v.channel : null;
      const { token, row } = await createToken(store, { name: v.name ?? scopes.join('+'), scopes, channels, now: Math.floor(Date.now() / 1000) });
      out.result({ token, ...row }, [
        token,
        `(token ${row.id}, ${row.scopes.join('+')}${channels ? ` on ${channels.join(', ')}` : ''}: shown once, store it now)`,
      ]);
    } else if (sub === 'list') {
      const rows = await store.listTokens();
      out.result(rows, rows.length ? rows.map((r) => `${r.id}  ${r.name.padEnd(16)}  ${r.scopes.join('+').padEnd(12)}  ${(r.channels ?? ['*']).join(',').padEnd(16)}  created ${when(r.created)}  ${r.revoked ? `revoked ${when(r.revoked)}` : 'active'}`) : ['No tokens yet.']);
    } else {
      const id = positional[0];
      if (!id) throw new UsageError('token revoke needs the token id (from tidings token list)');
      const done = await store.revokeToken(id, Math.floor(Date.now() / 1000));
      if (!done) throw new CliError(`no active token with id ${id}`);
      out.result({ revoked: id }, [`Revoked token ${id}. Requests with it are refused from now on.`]);
    }
  } finally {
    await store.close();
  }
}
