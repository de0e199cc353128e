// Requests to /console/api: the session cookie goes by itself (same origin); changes carry the CSRF token,
// which lives only in this module's memory (never localStorage, never a URL). Refusals keep the service's
// one sentence. The shapes are the service's (server/console/*.ts, docs/console.md "API").
import type { HaltPolicy } from '../shared/protocol/reports.ts';

export type { HaltPolicy };
export interface Me { name: string; scopes: string[]; channels: string[] | null; expires: number; csrf: string }
export interface Copy { id: string; issued: number; rollout: number; retracted: boolean; expires: number | null }
export interface Halt { reason: string; at: number; by: string; automatic?: boolean }
/**
 * Adoption of one release (issue 15 item 2). A count the service withholds (fewer than REPORT_MIN_COUNT
 * reports) is null; `withheld` says some were.
 */
export interface Adoption {
  /** The newest UTC day (YYYY-MM-DD) with adoption reports for this version. */
  day?: string | null;
  /** Installs that reported running this version on that day. */
  reporting?: number | null;
  /** Installs that reported a fresh update to it (adoption reports with updated: true), all days. */
  updated?: number | null;
  failed?: number | null;
  /** failed + updated: the installs that tried it. */
  tried?: number | null;
  /** failed / tried, 0–1; null while withheld or nothing tried it. */
  failRate?: number | null;
  withheld?: boolean;
}
export interface Release {
  version: string;
  title: string;
  rollout: number;
  recalled: boolean;
  halt: Halt | null;
  copies: Copy[];
  latest: Record<string, unknown>;
  adoption?: Adoption;
}
export interface News { id: string; title: string; body: string; issued: number; retracted: boolean }
export interface Channel { name: string; kind: string; head: number; releases: Release[]; news: News[]; haltPolicy?: HaltPolicy }
export interface AuditEntry { at: number; who: string; action: string; channel: string | null; detail: string }
export interface FailedStarts { counts: { channel: string; version: string; platform: string; reason: string; day: string; count: number }[]; withheld: number; note: string }
export interface Draft { id: string; channel: string; kind?: 'news' | 'release'; title: string; body: string; version?: string | null; rollout?: number | null; updated: number; by?: string }
/** What a draft holds: a news post, or a release's notes, version and rollout (its downloads are added when it is linked). */
export type DraftFields = { kind: 'news'; title: string; body: string } | { kind: 'release'; title: string; body: string; version: string | null; rollout: number | null };
export interface TokenInfo { id: string; name: string; scopes: string[]; channels: string[] | null; created: number; revoked: number | null }
export interface TrustedKey {
  keyId: string;
  publicKey: string;
  name?: string | null;
  /** configured: in the service's configuration; added: in its database; rotation: brought in by a signed statement. */
  source?: 'configured' | 'added' | 'rotation';
  added?: number | null;
  /** Signs new records now. */
  current?: boolean;
  retired?: number | null;
  revoked?: boolean;
}

export class ApiError extends Error {
  readonly status: number;
  readonly field: string | undefined;
  constructor(status: number, message: string, field?: string) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

let csrf = '';

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  if (path === '/session' && method === 'POST') headers['x-tidings-console'] = '1';
  let res: Response;
  try {
    res = await fetch(`/console/api${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'The feed service did not answer. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error?: { message?: string; field?: string } };
  if (!res.ok) {
    const m = data.error?.message ?? (res.status === 404 ? 'this feed service does not offer that yet' : `the service answered ${res.status}`);
    throw new ApiError(res.status, `${m[0]?.toUpperCase() ?? ''}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`, data.error?.field);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  async signIn(token: string): Promise<Me> {
    const me = await request<Me>('POST', '/session', { token });
    csrf = me.csrf;
    return me;
  },
  async me(): Promise<Me> {
    const me = await request<Me>('GET', '/session');
    csrf = me.csrf;
    return me;
  },
  async signOut(): Promise<void> {
    await request('DELETE', '/session');
    csrf = '';
  },
  channels: () => request<{ channels: Channel[] }>('GET', '/channels'),
  audit: () => request<{ entries: AuditEntry[] }>('GET', '/audit'),
  failedStarts: () => request<FailedStarts>('GET', '/failed-starts'),
  publish: (record: unknown) => request<Record<string, unknown>>('POST', '/records', { record }),
  halt: (channel: string, version: string, reason: string) => request('POST', '/rollouts/halt', { channel, version, reason }),
  resume: (channel: string, version: string) => request('POST', '/rollouts/resume', { channel, version }),
  setHaltPolicy: (channel: string, policy: HaltPolicy) => request<{ haltPolicy?: HaltPolicy }>('PUT', `/channels/${enc(channel)}/halt-policy`, policy),
  drafts: (channel: string) => request<{ drafts: Draft[] }>('GET', `/drafts?channel=${enc(channel)}`),
  createDraft: (d: DraftFields & { channel: string }) => request<Draft | { draft: Draft }>('POST', '/drafts', d),
  /** Every field again: the service takes a missing kind as news. */
  updateDraft: (id: string, d: DraftFields) => request<Draft | { draft: Draft }>('PUT', `/drafts/${enc(id)}`, d),
  deleteDraft: (id: string) => request('DELETE', `/drafts/${enc(id)}`),
  tokens: () => request<{ tokens: TokenInfo[] }>('GET', '/tokens'),
  /** The answer's `token` is the secret: shown once by the page, never kept anywhere else. */
  createToken: (t: { name: string; scopes: string[]; channels: string[] | null }) => request<{ token: string; row?: TokenInfo }>('POST', '/tokens', t),
  revokeToken: (id: string) => request('DELETE', `/tokens/${enc(id)}`),
  keys: () => request<{ keys: TrustedKey[]; rotation?: { seq: number; threshold: number } }>('GET', '/keys'),
  addKey: (publicKey: string, name: string) => request<{ key?: TrustedKey }>('POST', '/keys', { publicKey, ...(name ? { name } : {}) }),
  retireKey: (keyId: string) => request('DELETE', `/keys/${enc(keyId)}`),
};
