// Requests to /console/api: the session cookie goes by itself (same origin); changes carry the CSRF token,
// which lives only in this module's memory (never localStorage, never a URL). Refusals keep the service's
// one sentence.
export interface Me { name: string; scopes: string[]; channels: string[] | null; expires: number; csrf: string }
export interface Copy { id: string; issued: number; rollout: number; retracted: boolean; expires: number | null }
export interface Release { version: string; title: string; rollout: number; recalled: boolean; halt: { reason: string; at: number; by: string } | null; copies: Copy[]; latest: Record<string, unknown> }
export interface News { id: string; title: string; body: string; issued: number; retracted: boolean }
export interface Channel { name: string; kind: string; head: number; releases: Release[]; news: News[] }
export interface AuditEntry { at: number; who: string; action: string; channel: string | null; detail: string }
export interface FailedStarts { counts: { channel: string; version: string; platform: string; reason: string; day: string; count: number }[]; withheld: number; note: string }

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
    const m = data.error?.message ?? `the service answered ${res.status}`;
    throw new ApiError(res.status, `${m[0]?.toUpperCase() ?? ''}${m.slice(1)}${/[.!?]$/.test(m) ? '' : '.'}`, data.error?.field);
  }
  return data as T;
}

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
};
