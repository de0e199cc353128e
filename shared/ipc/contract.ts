// The one IPC contract between the UI and the companion. Each invoke channel has a zod schema for its
// argument (checked by whoever receives it: electron/main's ipcMain wrapper or the preview host) and a
// result type. The preload and the preview client both expose exactly `TidingsApi`, derived from here.
import { z } from 'zod';
import { channelName, semverString, platform } from '../protocol/schemas.ts';
import { preferencesPatch } from '../settings.ts';
import { UPDATE_CHANNELS } from '../channels.ts';
import type {
  AppInfo, Counts, DismissedItem, FieldError, InboxItemDetail, InboxPage, Result, Settings, StatusView, UpdateState, PublishedItem, KeyInfo, HashedFile, Screen, Topic,
} from './types.ts';

const none = z.object({}).strict();
const itemKey = z.string().min(1).max(200);
const channel = z.enum(UPDATE_CHANNELS);

export const sourceInput = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1, 'must not be empty').max(80),
  kind: z.enum(['tidings', 'cryptolens']),
  url: z.string().min(1, 'must not be empty').max(2048),
  channels: z.array(channelName).max(32),
  /** Cryptolens only: the account's channel names for "new version" messages and for news. */
  updateChannel: channelName.optional(),
  newsChannel: channelName.optional(),
  /** undefined = keep the stored token; null = remove it. */
  token: z.string().max(512).nullable().optional(),
});
export type SourceInput = z.infer<typeof sourceInput>;

export const settingsPatch = preferencesPatch;
export type SettingsPatch = z.infer<typeof settingsPatch>;

const assetInput = z.strictObject({
  platform,
  /** Either a file hashed through hashFile (by handle) or an https URL that main downloads and hashes. */
  handle: z.string().max(100).optional(),
  url: z.string().max(2048).optional(),
});

export const publishInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('news'),
    channel: channelName,
    title: z.string().trim().min(1, 'must not be empty').max(200),
    body: z.string().max(64 * 1024),
  }),
  z.strictObject({
    kind: z.literal('release'),
    channel: channelName,
    version: semverString,
    title: z.string().trim().max(200),
    notes: z.string().max(64 * 1024),
    assets: z.array(assetInput).min(1, 'add at least one asset').max(16),
    critical: z.boolean(),
    rollout: z.int().min(0).max(100),
    platforms: z.array(platform).max(16),
    minVersion: semverString.optional(),
    maxVersion: semverString.optional(),
    expiresDays: z.int().min(1).max(3650).optional(),
  }),
]);
export type PublishInput = z.infer<typeof publishInput>;

/** Invoke channels: argument schema and result type. Method name = channel name. */
export const invokeSchemas = {
  getAppInfo: none,
  listInbox: z.strictObject({
    channel: channelName.optional(),
    kind: z.enum(['release', 'news', 'note']).optional(),
    offset: z.int().min(0).max(10_000_000),
    limit: z.int().min(1).max(500),
  }),
  getItem: z.strictObject({ key: itemKey }),
  setRead: z.strictObject({ keys: z.array(itemKey).min(1).max(1000), read: z.boolean() }),
  markAllRead: z.strictObject({ channel: channelName.optional() }),
  dismiss: z.strictObject({ keys: z.array(itemKey).min(1).max(1000) }),
  /** Undo a dismissal (Delete in the inbox, or Settings → Data → Dismissed). */
  restoreItems: z.strictObject({ keys: z.array(itemKey).min(1).max(1000) }),
  listDismissed: none,
  getCounts: none,
  getUpdate: none,
  checkNow: none,
  download: z.strictObject({ version: semverString }),
  cancelDownload: none,
  /** Apply the verified update and relaunch into it (the shell quits; docs/updates.md). */
  restartToUpdate: none,
  openInstaller: none,
  showInFolder: none,
  skipVersion: z.strictObject({ version: semverString }),
  unskipVersion: z.strictObject({ version: semverString }),
  remindLater: z.strictObject({ preset: z.enum(['tomorrow', '3days', 'week']) }),
  clearRemind: none,
  setChannel: z.strictObject({ channel, installStable: z.boolean().optional() }),
  getSettings: none,
  updateSettings: settingsPatch,
  saveSource: sourceInput,
  removeSource: z.strictObject({ id: z.string().min(1).max(64) }),
  testSource: sourceInput,
  getStatus: none,
  clearHistory: none,
  openLink: z.strictObject({ url: z.string().max(4096) }),
  chooseKey: none,
  hashFile: none,
  publish: publishInput,
  listPublished: z.strictObject({ channel: channelName.optional() }),
  retract: z.strictObject({ id: z.string().min(1).max(64), channel: channelName }),
} as const;

export interface InvokeResults {
  getAppInfo: AppInfo;
  listInbox: InboxPage;
  getItem: InboxItemDetail | null;
  setRead: Counts;
  markAllRead: Counts;
  dismiss: Counts;
  restoreItems: Counts;
  listDismissed: { items: DismissedItem[] };
  getCounts: Counts;
  getUpdate: UpdateState;
  /** Refused politely while a server's Retry-After or the check-now rate limit is in force. */
  checkNow: Result<{ message: string }>;
  download: Result;
  cancelDownload: Result;
  restartToUpdate: Result;
  openInstaller: Result;
  showInFolder: Result;
  skipVersion: Result;
  unskipVersion: Result;
  remindLater: Result<{ until: number }>;
  clearRemind: Result;
  /** needsConfirm: switching to stable while running a newer pre-release; ask, then call again. */
  setChannel: Result<{ needsConfirm?: { installed: string; stable: string | null } }>;
  getSettings: Settings;
  updateSettings: Settings;
  saveSource: Result<{ id: string }>;
  removeSource: Result;
  testSource: Result<{ summary: string }>;
  getStatus: StatusView;
  clearHistory: Counts;
  /** Main parses the URL, checks the scheme and host allow-list, maybe confirms, then opens it. */
  openLink: Result<{ opened: boolean }>;
  chooseKey: Result<{ key: KeyInfo | null }>;
  hashFile: Result<{ file: HashedFile | null }>;
  publish: Result<{ item: PublishedItem }>;
  listPublished: Result<{ items: PublishedItem[] }>;
  retract: Result;
}

export type InvokeChannel = keyof typeof invokeSchemas;
export type InvokeArgs<K extends InvokeChannel> = z.infer<(typeof invokeSchemas)[K]>;

/** Events from the companion to the UI. The UI re-queries on `changed`; it never polls. */
export interface EventPayloads {
  changed: { topics: Topic[] };
  downloadProgress: { version: string; received: number; total: number };
  navigate: { screen: Screen; itemKey?: string };
  notice: { level: 'info' | 'warning'; message: string };
  hashProgress: { fileName: string; done: number; total: number };
}
export type EventName = keyof EventPayloads;
export const eventNames: readonly EventName[] = ['changed', 'downloadProgress', 'navigate', 'notice', 'hashProgress'];

const topic = z.enum(['inbox', 'counts', 'update', 'status', 'settings', 'publisher']);
const screen = z.enum(['inbox', 'updates', 'settings', 'status', 'publish']);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Event payload schemas, checked by the sender (electron/main before webContents.send) and again by the
 * receiver (the preload, before a page listener sees it), so an event is as validated as an invoke argument.
 */
export const eventSchemas = {
  changed: z.strictObject({ topics: z.array(topic).max(16) }),
  downloadProgress: z.strictObject({ version: semverString, received: count, total: count }),
  navigate: z.strictObject({ screen, itemKey: itemKey.optional() }),
  notice: z.strictObject({ level: z.enum(['info', 'warning']), message: z.string().max(4000) }),
  hashProgress: z.strictObject({ fileName: z.string().max(1024), done: count, total: count }),
} as const;

// Compile-time: the schemas describe exactly EventPayloads and eventNames lists exactly their keys.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const eventSchemasMatch: { [E in EventName]: Same<z.infer<(typeof eventSchemas)[E]>, EventPayloads[E]> } & Record<keyof typeof eventSchemas, true> = {
  changed: true, downloadProgress: true, navigate: true, notice: true, hashProgress: true,
};
void eventSchemasMatch;

/** Validates an event payload; returns a field error instead of throwing. */
export function parseEvent<E extends EventName>(name: E, raw: unknown): { ok: true; payload: EventPayloads[E] } | { ok: false; error: { field: string; message: string } } {
  const schema = (eventSchemas as Record<string, z.ZodType | undefined>)[name];
  if (!schema) return { ok: false, error: { field: '', message: `unknown event ${String(name)}` } };
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, payload: r.data as EventPayloads[E] } : { ok: false, error: fieldError(r.error) };
}

/** A failed parse as the field error both directions of the contract report. */
function fieldError(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  return { field: (issue?.path ?? []).map(String).join('.'), message: issue?.message ?? 'is invalid' };
}

/** The API the renderer sees on `window.tidings`, in Electron (preload) and in the preview alike. */
export type TidingsApi = {
  [K in InvokeChannel]: (args: InvokeArgs<K>) => Promise<InvokeResults[K]>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};

/** The IPC channel name used on the wire for an invoke or an event. */
export const ipcChannel = (name: InvokeChannel | EventName) => `tidings:${name}`;

export const invokeChannels = Object.keys(invokeSchemas) as InvokeChannel[];

/**
 * What one invoke returns over Electron IPC: electron/main wraps every answer so that no exception (and
 * no stack trace) ever crosses to the renderer; the preload unwraps it and rejects with the field error.
 */
export type IpcReply<T = unknown> = { ok: true; value: T } | { ok: false; error: FieldError };

/** What a receiver (ipcMain wrapper, preview host) implements. */
export type InvokeHandlers = { [K in InvokeChannel]: (args: InvokeArgs<K>) => Promise<InvokeResults[K]> };

/** Validates an argument; returns a field error instead of throwing. */
export function parseArgs<K extends InvokeChannel>(name: K, raw: unknown): { ok: true; args: InvokeArgs<K> } | { ok: false; error: { field: string; message: string } } {
  const schema = invokeSchemas[name] as unknown as z.ZodType<InvokeArgs<K>>;
  const r = schema.safeParse(raw ?? {});
  return r.success ? { ok: true, args: r.data } : { ok: false, error: fieldError(r.error) };
}
