// `tidings token create|list|revoke` against a local feed service database.
import { createToken } from '../tokens.ts';
import { CHANNEL_PATTERN } from '../../shared/protocol/limits.ts';
import type { Scope } from '../store/types.ts';
import { CliError, UsageError } from './errors.ts';
import { openDb } from './db.ts';
import type { Out } from './output.ts';

const when = (t: number | null) => (t === null ? '-' : new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' '));

export async function tokenCommand(out: Out, sub: 'create' | 'list' | 'revoke', positional: string[], v: { db?: string | undefined; scope?: string[] | undefined; channel?: string[] | undefined; name?: string | undefined }): Promise<void> {
  let scopes: Scope[] = [];
  if (sub === 'create') {
    scopes = [...new Set((v.scope ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))] as Scope[];
    if (scopes.length === 0) throw new UsageError('token create needs --scope read or --scope publish');
    for (const s of scopes) if (s !== 'read' && s !== 'publish' && s !== 'admin') throw new UsageError(`unknown scope "${s}": use read, publish or admin`);
    if (scopes.includes('admin') && (v.channel ?? []).length > 0) throw new UsageError('an admin token covers every channel: leave out --channel');
    for (const c of v.channel ?? []) if (!CHANNEL_PATTERN.test(c)) throw new UsageError(`invalid channel name "${c}": letters, digits, . _ - (up to 64), starting with a letter or digit`);
  }
  const id = positional[0];
  if (sub === 'revoke' && !id) throw new UsageError('token revoke needs the token id (from tidings token list)');
  const store = await openDb(v.db, `token ${sub}`, sub !== 'create');
  try {
    if (sub === 'create') {
      const channels = v.channel && v.channel.length > 0 ? [...new Set(v.channel)] : null;
      const { token, row } = await createToken(store, { name: v.name ?? scopes.join('+'), scopes, channels, now: Math.floor(Date.now() / 1000) });
      out.result({ token, ...row }, [
        token,
        `(token ${row.id}, ${row.scopes.join('+')} on ${channels ? channels.join(', ') : 'every channel'}: shown once, store it now)`,
      ]);
    } else if (sub === 'list') {
      const rows = await store.listTokens();
      out.result(rows, rows.length
        ? [
            `${'id'.padEnd(rows[0]?.id.length ?? 2)}  ${'name'.padEnd(16)}  ${'scopes'.padEnd(12)}  ${'channels'.padEnd(16)}  ${'created'.padEnd(16)}  revoked`,
            ...rows.map((r) => `${r.id}  ${r.name.padEnd(16)}  ${r.scopes.join('+').padEnd(12)}  ${(r.channels ?? ['*']).join(',').padEnd(16)}  ${when(r.created)}  ${r.revoked ? when(r.revoked) : '-'}`),
          ]
        : ['No tokens yet.']);
    } else if (id) {
      const done = await store.revokeToken(id, Math.floor(Date.now() / 1000));
      if (!done) throw new CliError(`no active token with id ${id} (see tidings token list)`);
      out.result({ revoked: id }, [`Revoked token ${id}. Requests with it are refused from now on.`]);
    }
  } finally {
    await store.close();
  }
}
