// Persisted shell settings (electron-store: JSON file, schema-checked, migrated by app version).
// The store is injected: index.ts passes electron-store, the tests pass `conf` (the same engine without
// Electron) built from the very same `settingsStoreOptions`, so schema and migrations are tested for real.
import type { Options } from 'electron-store';
import type { Settings, SourceView, Channel } from '../../shared/ipc/types.ts';
import type { SettingsPatch, SourceInput } from '../../shared/ipc/contract.ts';
import type { ElectronApi, Rectangle } from './electron-api.ts';
import type { TokenSeal } from '../core/api.ts';
import { UPDATE_CHANNELS } from '../../shared/channels.ts';
import { z } from 'zod';
import { defaultPreferences, preferencesSchema, type Preferences } from '../../shared/settings.ts';

/** A token at rest: encrypted by the OS keychain (safeStorage) where available, else marked plain. */
export interface StoredToken { enc: 'safeStorage' | 'plain'; data: string }

export interface StoredSource {
  id: string;
  name: string;
  kind: 'tidings' | 'cryptolens';
  url: string;
  channels: string[];
  token: StoredToken | null;
  publisher: boolean;
}

/** The user's preferences (shared/settings.ts, the one description of them) plus what only the shell keeps. */
export interface StoredSettings extends Preferences {
  channel: Channel;
  /** Sources kept by builds before the core stored them; read once to seed the core. */
  sources: StoredSource[];
  /** "Pause notifications" from the tray, epoch ms; null = not paused. */
  pausedUntil: number | null;
  windowBounds: Rectangle | null;
  /** Keys of items already toasted, newest last (bounded): at-most-once across restarts. */
  shownToasts: string[];
}

export interface KeyValueStore<T> {
  get<K extends keyof T>(key: K): T[K];
  set<K extends keyof T>(key: K, value: T[K]): void;
}

export type SafeStorage = ElectronApi['safeStorage'];

export const SHOWN_LIMIT = 2000;
const rect = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number', minimum: 200 }, height: { type: 'number', minimum: 200 } }, required: ['x', 'y', 'width', 'height'] } as const;

export const defaultSettings: StoredSettings = {
  channel: 'stable', ...defaultPreferences, sources: [], pausedUntil: null, windowBounds: null, shownToasts: [],
};

/** The preferences' JSON schema, derived from the zod schema (draft-07, as electron-store's ajv reads it). */
const preferencesJson = (z.toJSONSchema(preferencesSchema, { target: 'draft-7', io: 'input' }) as { properties: Record<string, object> }).properties;

/** Options for electron-store / conf. `migrations` are keyed by the app version that introduced them. */
export function settingsStoreOptions(): Options<StoredSettings> {
  return {
    name: 'settings',
    defaults: defaultSettings,
    // A hand-edited or half-written file must not crash the app at start: reset to defaults instead.
    clearInvalidConfig: true,
    schema: {
      channel: { enum: [...UPDATE_CHANNELS] },
      ...preferencesJson,
      sources: {
        type: 'array', maxItems: 32, items: {
          type: 'object', required: ['id', 'name', 'kind', 'url', 'channels'],
          properties: {
            id: { type: 'string' }, name: { type: 'string' }, kind: { enum: ['tidings', 'cryptolens'] }, url: { type: 'string' },
            channels: { type: 'array', items: { type: 'string' } }, publisher: { type: 'boolean' },
            token: { anyOf: [{ type: 'null' }, { type: 'object', properties: { enc: { enum: ['safeStorage', 'plain'] }, data: { type: 'string' } }, required: ['enc', 'data'] }] },
          },
        },
      },
      pausedUntil: { anyOf: [{ type: 'null' }, { type: 'number' }] },
      windowBounds: { anyOf: [{ type: 'null' }, rect] },
      shownToasts: { type: 'array', items: { type: 'string' }, maxItems: SHOWN_LIMIT },
    },
    migrations: {
      // Pre-release builds (0.0.x) kept one `notifications` switch and an interval in minutes.
      '0.1.0': (store) => {
        const legacy = store as unknown as { get(k: string): unknown; set(k: string, v: unknown): void; delete(k: string): void; has(k: string): boolean };
        if (legacy.has('notifications')) {
          const on = legacy.get('notifications') !== false;
          legacy.set('notifyUpdates', on);
          legacy.set('notifyNews', on);
          legacy.delete('notifications');
        }
        if (legacy.has('intervalMinutes')) {
          const hours = Number(legacy.get('intervalMinutes')) / 60;
          const allowed = [1, 4, 24, 168];
          legacy.set('intervalHours', allowed.find((h) => h >= hours) ?? 168);
          legacy.delete('intervalMinutes');
        }
      },
    },
  };
}

/** Real OS protection only: on Linux without a keyring Electron still "encrypts", with a key hard-coded in
 * Chromium ('basic_text'), which protects nothing; such a token is stored as what it is, plain. */
export function keychainAvailable(safe: SafeStorage): boolean {
  return safe.isEncryptionAvailable() && safe.getSelectedStorageBackend?.() !== 'basic_text';
}

export function encryptToken(safe: SafeStorage, token: string): StoredToken {
  if (keychainAvailable(safe)) return { enc: 'safeStorage', data: safe.encryptString(token).toString('base64') };
  // No keychain (e.g. Linux without a secret service): kept as is and marked plain.
  return { enc: 'plain', data: token };
}

export function decryptToken(safe: SafeStorage, stored: StoredToken | null): string | null {
  if (!stored) return null;
  if (stored.enc === 'plain') return stored.data;
  try {
    return safe.decryptString(Buffer.from(stored.data, 'base64'));
  } catch {
    return null; // keychain changed or reset: the user re-enters the token
  }
}

export type ShellSettings = ReturnType<typeof createSettings>;

export function createSettings(store: KeyValueStore<StoredSettings>, safe: SafeStorage) {
  const get = <K extends keyof StoredSettings>(k: K) => store.get(k);
  const sourceView = (s: StoredSource): SourceView => ({
    id: s.id, name: s.name, kind: s.kind, url: s.url, channels: s.channels, hasToken: s.token !== null, publisher: s.publisher ?? false,
  });
  return {
    get,
    view(): Settings {
      return {
        channel: get('channel'), autoCheck: get('autoCheck'), intervalHours: get('intervalHours'),
        notifyUpdates: get('notifyUpdates'), notifyNews: get('notifyNews'), quietHours: get('quietHours'),
        launchAtLogin: get('launchAtLogin'), installOnQuit: get('installOnQuit'), shareDiagnostics: get('shareDiagnostics'),
        retentionDays: get('retentionDays'), sources: get('sources').map(sourceView),
      };
    },
    patch(p: SettingsPatch): void {
      for (const [k, v] of Object.entries(p) as [keyof SettingsPatch, unknown][]) {
        if (v !== undefined) store.set(k, v as never);
      }
    },
    setChannel(channel: Channel): void { store.set('channel', channel); },
    /** Stores a source; the token is encrypted at rest. Returns the plaintext token to hand to the core. */
    saveSource(input: SourceInput & { id: string }, publisher = false): string | null {
      const sources = get('sources');
      const old = sources.find((s) => s.id === input.id);
      const token = input.token === undefined ? (old?.token ?? null) : input.token === null ? null : encryptToken(safe, input.token);
      const next: StoredSource = { id: input.id, name: input.name, kind: input.kind, url: input.url, channels: input.channels, token, publisher };
      store.set('sources', old ? sources.map((s) => (s.id === input.id ? next : s)) : [...sources, next]);
      return decryptToken(safe, token);
    },
    removeSource(id: string): void { store.set('sources', get('sources').filter((s) => s.id !== id)); },
    sourceToken(id: string): string | null { return decryptToken(safe, get('sources').find((s) => s.id === id)?.token ?? null); },
    /** How the core keeps source tokens at rest: through the OS keychain where there is one. */
    tokenSeal(): TokenSeal {
      return {
        seal: (token) => JSON.stringify(encryptToken(safe, token)),
        open: (sealed) => {
          try {
            return decryptToken(safe, JSON.parse(sealed) as StoredToken);
          } catch {
            return null;
          }
        },
      };
    },
    pause(until: number | null): void { store.set('pausedUntil', until); },
    bounds(): Rectangle | null { return get('windowBounds'); },
    saveBounds(b: Rectangle): void { store.set('windowBounds', b); },
    wasShown(key: string): boolean { return get('shownToasts').includes(key); },
    markShown(keys: string[]): void {
      const all = [...get('shownToasts').filter((k) => !keys.includes(k)), ...keys];
      store.set('shownToasts', all.slice(-SHOWN_LIMIT));
    },
  };
}
