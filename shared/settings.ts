// The user's settings, described once: the schema with its defaults. The IPC contract's patch, the core's
// stored preferences and the Electron shell's electron-store schema all derive from it, so adding a setting
// touches this file, the screen that shows it and, if it does something, the code that applies it.
import { z } from 'zod';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time such as 22:00');

/** Every user setting except the channel (the core keeps it with the update state) and the sources. */
export const preferencesSchema = z.object({
  autoCheck: z.boolean().default(true),
  intervalHours: z.union([z.literal(1), z.literal(4), z.literal(24), z.literal(168)]).default(4),
  notifyUpdates: z.boolean().default(true),
  notifyNews: z.boolean().default(true),
  quietHours: z.strictObject({ enabled: z.boolean(), start: time, end: time }).default({ enabled: false, start: '22:00', end: '08:00' }),
  launchAtLogin: z.boolean().default(false),
  /** A verified update not yet installed is installed when the app quits (as electron-updater's autoInstallOnAppQuit). */
  installOnQuit: z.boolean().default(true),
  /** Send the publisher a small report when an update fails to start (version, platform, channel, bucket). Off by default. */
  shareDiagnostics: z.boolean().default(false),
  /** News kept for this many days; null = forever. */
  retentionDays: z.union([z.literal(30), z.literal(90), z.null()]).default(90),
});

export type Preferences = z.infer<typeof preferencesSchema>;

export const defaultPreferences: Preferences = preferencesSchema.parse({});

/** What updateSettings accepts: any subset of the preferences, nothing else. */
export const preferencesPatch = z.strictObject(Object.fromEntries(
  Object.entries(preferencesSchema.shape).map(([k, v]) => [k, (v as z.ZodDefault<z.ZodType>).unwrap().optional()]),
) as { [K in keyof Preferences]: z.ZodOptional<z.ZodType<Preferences[K]>> });

/**
 * Reads stored preferences: every field that is still valid is kept, an invalid or missing one takes its
 * default (a hand-edited or older file never resets everything, and never crashes a start).
 */
export function readPreferences(raw: unknown): Preferences {
  const obj = raw !== null && typeof raw === 'object' ? raw as Record<string, unknown> : {};
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(preferencesSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(obj[k]);
    out[k] = r.success ? r.data : (defaultPreferences as Record<string, unknown>)[k];
  }
  return out as Preferences;
}
