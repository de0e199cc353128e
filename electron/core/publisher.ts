// The publisher page's handlers (chooseKey, hashFile, publish, listPublished, retract) for every shell: the
// desktop app and the browser preview run this same code. Drafting, hashing and signing are the CLI's own
// (shared/publish, shared/node); a shell supplies only its file pickers, which answer paths the renderer
// never sees: chosen files are kept here under opaque handles, and the key is read and kept here.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import canonicalize from 'canonicalize';
import type { EventName, EventPayloads, InvokeHandlers, PublishInput } from '../../shared/ipc/contract.ts';
import type { SourceConfig } from './api.ts';
import type { FieldError, KeyInfo, PublishedItem, Result } from '../../shared/ipc/types.ts';
import type { Asset, PublishRecord } from '../../shared/protocol/schemas.ts';
import type { SigningKey } from '../../shared/protocol/signing.ts';
import { DraftError, draftRetraction, newMessageId, nowSeconds, signForFeed, checkDraft } from '../../shared/publish/record.ts';
import { FeedError, feedBase, listChannel, postRecord } from '../../shared/publish/feed.ts';
import { draftFromForm, feedRefusal, formField, formMessageId, planAssets, refuse, sentence, shapeOf } from '../../shared/publish/form.ts';
import { publishWords as w } from '../../shared/publish/words.ts';
import { AssetError, hashDownload, hashLocalFile } from '../../shared/node/hash.ts';
import { KeyFileError, readSigningKeyFile } from '../../shared/node/keys.ts';

/** What a shell brings: its "open file" dialogs. Each answers a path, or null when the person cancelled. */
export interface PublisherShell {
  pickKeyFile(): Promise<string | null>;
  pickAssetFile(): Promise<string | null>;
}

/** Thrown by a picker that cannot show a dialog; its message is shown to the person as it is. */
export class PickerError extends Error {}

export interface PublisherOptions extends PublisherShell {
  /** The feed service, with or without a trailing /v1. */
  feedUrl: string;
  publishToken: string;
  /** Channels listed by listPublished when no channel is given. */
  channels: string[];
  onHashProgress(progress: EventPayloads['hashProgress']): void;
  /** Something was published or retracted (the UI re-queries its 'publisher' topic). */
  changed(): void;
  /** Development only: loopback http feeds and asset URLs. */
  allowLoopbackHttp: boolean;
  /** Where a chosen file is downloaded from when the form gives no URL (the CLI's --url <base>). */
  assetBaseUrl?: string;
  /** For how long publishing the same form again answers "already published" instead of posting (default 10 min). */
  repeatWindowMs?: number;
}

export type PublisherHandlers = Pick<InvokeHandlers, 'chooseKey' | 'hashFile' | 'publish' | 'listPublished' | 'retract'>;

interface ChosenFile { path: string; fileName: string; sha256: string; size: number; mtimeMs: number }
type Published = Result<{ item: PublishedItem }>;

/** Chosen files kept at once; the oldest handle is forgotten beyond this. */
const MAX_FILES = 64;
/** hashProgress events at most this often (the last one always). */
const PROGRESS_MS = 100;
const failed = (e: FieldError) => ({ ok: false as const, error: e });

function downloadWords(err: AssetError, url: string): string {
  let host = url;
  try { host = new URL(url).host; } catch { /* keep the text */ }
  switch (err.reason) {
    case 'not-https': return w.assetNotHttps;
    case 'redirect-http': return w.redirectsToHttp;
    case 'redirects': return w.tooManyRedirects;
    case 'http': return w.downloadRefused(host, err.status ?? '?');
    case 'unreachable': return w.downloadUnreachable(host);
    default: return w.downloadStopped;
  }
}

export function createPublisher(o: PublisherOptions): PublisherHandlers {
  const base = feedBase(o.feedUrl);
  let host = base;
  try { host = new URL(base).host; } catch { /* shown as configured */ }
  const allow = o.allowLoopbackHttp;
  const repeatWindow = o.repeatWindowMs ?? 10 * 60_000;
  let key: { signing: SigningKey; fileName: string } | null = null;
  const files = new Map<string, ChosenFile>();
  let picking = false;
  // Idempotency: the same form (and key) in flight shares one publish; once answered, it is remembered with
  // the very record that was signed, so a repeat re-sends those bytes (a lost answer) or says it is done.
  const inflight = new Map<string, Promise<Published>>();
  const recent = new Map<string, { record: PublishRecord; seq: number | null; at: number }>();

  const keyInfo = (): KeyInfo | null => (key ? { keyId: key.signing.keyId, fileName: key.fileName } : null);
  const noKey = (what: string) => refuse('key', w.noKey(what));

  async function pick(picker: () => Promise<string | null>, field: string): Promise<{ path: string | null } | FieldError> {
    if (picking) return { field, message: w.dialogOpen };
    picking = true;
    try {
      return { path: await picker() };
    } catch (err) {
      return { field, message: err instanceof PickerError ? err.message : w.dialogFailed };
    } finally {
      picking = false;
    }
  }

  function progress(fileName: string) {
    let last = 0;
    return (done: number, total: number | null) => {
      if (total === null) return; // the renderer shows a bar only for a known size
      const now = Date.now();
      if (done > 0 && done < total && now - last < PROGRESS_MS) return;
      last = now;
      o.onHashProgress({ fileName, done, total });
    };
  }

  /** The form's assets, hashed: chosen files as they were hashed (if still there, unchanged), URLs downloaded now. */
  async function hashedAssets(input: Extract<PublishInput, { kind: 'release' }>, id: string, issued: number): Promise<Asset[] | FieldError> {
    const planned = planAssets(input, { fileName: (h) => files.get(h)?.fileName ?? null, baseUrl: o.assetBaseUrl, allowLoopbackHttp: allow });
    if (!Array.isArray(planned)) return planned;
    try {
      checkDraft(shapeOf(input, planned, { id, issued }), allow);
    } catch (err) {
      if (err instanceof DraftError) return { field: formField(err.field, 'release'), message: sentence(err.detail) };
      throw err;
    }
    for (const a of planned) {
      if (a.from !== 'file') continue;
      const f = files.get(a.handle)!;
      const now = await stat(f.path).catch(() => null);
      if (!now?.isFile()) return { field: `assets.${a.index}`, message: w.fileGone(f.fileName) };
      if (now.size !== f.size || now.mtimeMs !== f.mtimeMs) return { field: `assets.${a.index}`, message: w.fileChanged(f.fileName) };
    }
    const assets: Asset[] = [];
    for (const a of planned) {
      if (a.from === 'file') {
        const f = files.get(a.handle)!;
        assets.push({ platform: a.platform, url: a.url, sha256: f.sha256, size: f.size });
        continue;
      }
      try {
        const name = decodeURIComponent(new URL(a.url).pathname.split('/').pop() || '') || a.url;
        assets.push({ platform: a.platform, url: a.url, ...(await hashDownload(a.url, allow, progress(name))) });
      } catch (err) {
        if (err instanceof AssetError) return { field: `assets.${a.index}.url`, message: downloadWords(err, a.url) };
        throw err;
      }
    }
    return assets;
  }

  async function draftAndSign(input: PublishInput, signing: SigningKey): Promise<{ record: PublishRecord } | FieldError> {
    const id = formMessageId(input);
    const issued = nowSeconds();
    let assets: Asset[] = [];
    if (input.kind === 'release') {
      const hashed = await hashedAssets(input, id, issued);
      if (!Array.isArray(hashed)) return hashed;
      assets = hashed;
    }
    try {
      return { record: await signForFeed(draftFromForm(input, { id, issued }, assets), signing, allow) };
    } catch (err) {
      if (err instanceof DraftError) return { field: formField(err.field, input.kind), message: sentence(err.detail) };
      throw err;
    }
  }

  const itemOf = (r: PublishRecord, seq: number, created: number): PublishedItem => ({
    id: r.id, seq, channel: r.channel, kind: r.kind, title: r.title, created, retracted: false, ...(r.release ? { version: r.release.version } : {}),
  });

  /** Posts a signed record; a refusal comes back in the form's terms, `unsure` when it may have landed anyway. */
  async function post(record: PublishRecord, kind: 'news' | 'release', signing: SigningKey): Promise<{ seq: number; created: number } | { error: FieldError; unsure: boolean }> {
    try {
      const { stored } = await postRecord(base, o.publishToken, record, { retries: 2, maxWaitSeconds: 5 });
      o.changed();
      return { seq: Number(stored.seq), created: Number(stored.created) };
    } catch (err) {
      if (!(err instanceof FeedError)) throw err;
      const error = feedRefusal(err, { kind, channel: record.channel, ...(record.release ? { version: record.release.version } : {}), key: signing, host });
      return { error, unsure: err.transient };
    }
  }

  async function publishOnce(input: PublishInput, signing: SigningKey, digest: string): Promise<Published> {
    const now = Date.now();
    for (const [d, r] of recent) if (now - r.at > repeatWindow) recent.delete(d);
    const prev = recent.get(digest);
    if (prev && prev.seq !== null) {
      const what = prev.record.release ? prev.record.release.version : `“${prev.record.title}”`;
      return refuse('form', w.alreadyPublished(what, prev.record.channel, prev.seq));
    }
    // An earlier attempt whose answer was lost is re-sent byte for byte: if it did land, the feed answers 200.
    const drafted = prev ? { record: prev.record } : await draftAndSign(input, signing);
    if (!('record' in drafted)) return failed(drafted);
    const { record } = drafted;
    recent.set(digest, { record, seq: null, at: now });
    const posted = await post(record, input.kind, signing);
    if ('error' in posted) {
      // Unreachable, 429 or 5xx: whether it landed is unknown, so the record is kept for the next try.
      if (!posted.unsure) recent.delete(digest);
      return failed(posted.error);
    }
    recent.set(digest, { record, seq: posted.seq, at: Date.now() });
    return { ok: true, item: itemOf(record, posted.seq, posted.created) };
  }

  return {
    chooseKey: async () => {
      const picked = await pick(o.pickKeyFile, 'key');
      if (!('path' in picked)) return failed(picked);
      if (picked.path === null) return { ok: true, key: keyInfo() };
      const fileName = basename(picked.path);
      try {
        key = { signing: await readSigningKeyFile(picked.path), fileName };
        return { ok: true, key: keyInfo() };
      } catch (err) {
        if (!(err instanceof KeyFileError)) throw err;
        return refuse('key', err.reason === 'unreadable' ? w.cantRead(fileName) : w.notAKey(fileName));
      }
    },

    hashFile: async () => {
      const picked = await pick(o.pickAssetFile, 'assets');
      if (!('path' in picked)) return failed(picked);
      if (picked.path === null) return { ok: true, file: null };
      const path = picked.path;
      const fileName = basename(path);
      try {
        const h = await hashLocalFile(path, progress(fileName));
        const handle = randomBytes(16).toString('base64url');
        files.set(handle, { path, fileName, sha256: h.sha256, size: h.size, mtimeMs: h.mtimeMs });
        if (files.size > MAX_FILES) files.delete(files.keys().next().value!);
        return { ok: true, file: { fileName, sha256: h.sha256, size: h.size, handle } };
      } catch (err) {
        if (!(err instanceof AssetError)) throw err;
        return refuse('assets', err.reason === 'changed' ? w.fileChangedWhileHashing(fileName) : w.cantRead(fileName));
      }
    },

    publish: (input) => {
      if (!key) return Promise.resolve(noKey(w.aPost));
      const signing = key.signing;
      const digest = canonicalize({ input, key: signing.keyId }) as string;
      const running = inflight.get(digest);
      if (running) return running;
      const p = publishOnce(input, signing, digest).finally(() => inflight.delete(digest));
      inflight.set(digest, p);
      return p;
    },

    listPublished: async ({ channel }) => {
      const items: PublishedItem[] = [];
      const retracted = new Set<string>();
      try {
        for (const ch of channel ? [channel] : o.channels) {
          for (const m of await listChannel(base, o.publishToken, ch)) {
            if (m.retracts) retracted.add(`${m.channel}/${m.retracts}`);
            items.push({ id: m.id, seq: m.seq, channel: m.channel, kind: m.kind, title: m.title, created: m.created, retracted: false, ...(m.release ? { version: m.release.version } : {}) });
          }
        }
      } catch (err) {
        if (!(err instanceof FeedError)) throw err;
        return refuse('', err.status === 401 || err.status === 403 ? w.listForbidden : w.listUnreachable(host));
      }
      const out = items.map((i) => ({ ...i, retracted: retracted.has(`${i.channel}/${i.id}`) })).sort((a, b) => b.created - a.created || b.seq - a.seq);
      return { ok: true, items: out };
    },

    retract: ({ id, channel }) => {
      if (!key) return Promise.resolve(noKey(w.aRetraction));
      const signing = key.signing;
      const digest = `retract ${channel}/${id}`;
      const running = inflight.get(digest);
      if (running) return running.then((r) => (r.ok ? { ok: true } : r));
      const p = (async (): Promise<Published> => {
        let record: PublishRecord;
        try {
          record = await signForFeed(draftRetraction({ id: newMessageId('retract'), channel, issued: nowSeconds(), retracts: id }), signing, allow);
        } catch (err) {
          if (err instanceof DraftError) return refuse('form', w.notRetractable(id));
          throw err;
        }
        const posted = await post(record, 'news', signing);
        return 'error' in posted ? failed(posted.error) : { ok: true, item: itemOf(record, posted.seq, posted.created) };
      })().finally(() => inflight.delete(digest));
      inflight.set(digest, p);
      return p.then((r) => (r.ok ? { ok: true } : r));
    },
  };
}

type Emit = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

/**
 * The publisher as a shell hands it to the binding (BindingOptions.publisher): its handlers, and the events
 * they raise (hashProgress, changed 'publisher'), which the shell merges into the binding's subscribe.
 */
export function publisherBinding(o: Omit<PublisherOptions, 'onHashProgress' | 'changed'>): { handlers: PublisherHandlers; subscribe(emit: Emit): () => void } {
  const listeners = new Set<Emit>();
  const handlers = createPublisher({
    ...o,
    onHashProgress: (p) => listeners.forEach((l) => l('hashProgress', p)),
    changed: () => listeners.forEach((l) => l('changed', { topics: ['publisher'] })),
  });
  return { handlers, subscribe: (emit) => { listeners.add(emit); return () => { listeners.delete(emit); }; } };
}

/** The feed a configuration publishes to: its first Tidings feed marked publisher that has a token, and the channels it lists. */
export function publisherFeed(sources: readonly SourceConfig[]): Pick<PublisherOptions, 'feedUrl' | 'publishToken' | 'channels'> | null {
  for (const s of sources) {
    if (s.kind !== 'feed-v1' || !s.publisher || !s.token) continue;
    return { feedUrl: s.url, publishToken: s.token, channels: [...new Set(['stable', 'experimental', ...(s.newsChannels ?? ['news'])])] };
  }
  return null;
}
