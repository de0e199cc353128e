// Settings handlers: preferences (stored by the core, so both shells restart with them, and applied here:
// interval, retention), and the sources followed — added, edited, removed and tested for real.
import type { Companion, ProbeResult, SourceConfig } from '../api.ts';
import { ConfigError } from '../companion.ts';
import type { InvokeHandlers, SourceInput } from '../../../shared/ipc/contract.ts';
import type { Settings, SourceView } from '../../../shared/ipc/types.ts';
import { readPreferences, type Preferences } from '../../../shared/settings.ts';
import { isAllowedUrl } from '../../../shared/protocol/limits.ts';
import { isUpdateChannel } from '../../../shared/channels.ts';
import { plainError } from '../plain-errors.ts';
import { refuse, type Ctx } from './context.ts';
import { words } from './words.ts';

type SettingsHandlers = Pick<InvokeHandlers, 'getSettings' | 'updateSettings' | 'saveSource' | 'removeSource' | 'testSource'>;

export function preferences(companion: Companion): Preferences {
  return readPreferences(companion.preferences());
}

export function sourceView(c: SourceConfig): SourceView {
  const v: SourceView = {
    id: c.id, name: c.name ?? c.id, kind: c.kind === 'feed-v1' ? 'tidings' : 'cryptolens', url: c.url,
    channels: c.kind === 'feed-v1' ? c.newsChannels ?? ['news'] : [], hasToken: !!c.token, publisher: c.publisher ?? false,
  };
  if (c.kind === 'cryptolens') {
    if (c.updateChannel) v.updateChannel = c.updateChannel;
    if (c.newsChannel) v.newsChannel = c.newsChannel;
  }
  return v;
}

export function settingsView(ctx: Ctx): Settings {
  return { ...preferences(ctx.companion), channel: ctx.companion.channel(), sources: ctx.companion.sourceConfigs().map(sourceView) };
}

/** Applies what the core itself acts on; the rest (notifications, quiet hours, login item) is the shell's. */
export function applyPreferences(companion: Companion, p: Preferences): void {
  companion.setInterval(p.autoCheck ? p.intervalHours * 3_600_000 : null);
  companion.setRetention(p.retentionDays);
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'source';

/** The form's input as a source the core follows; the stored token is kept when the form leaves it out. */
function configOf(ctx: Ctx, input: SourceInput, id: string): SourceConfig | { field: string; message: string } {
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    return { field: 'url', message: words.urlNotAddress };
  }
  if (!isAllowedUrl(url.href, ctx.loopback)) return { field: 'url', message: words.urlNotHttps };
  const old = ctx.companion.sourceConfigs().find((s) => s.id === id);
  const token = input.token === undefined ? old?.token : input.token ?? undefined;
  const common = { id, name: input.name.trim(), publisher: old?.publisher ?? false, url: url.href.replace(/\/+$/, '') };
  if (input.kind === 'cryptolens') {
    if (!token) return { field: 'token', message: words.cryptolensNeedsToken };
    if (!input.updateChannel && !input.newsChannel) return { field: 'updateChannel', message: words.cryptolensNeedsChannel };
    return { kind: 'cryptolens', ...common, token, ...(input.updateChannel ? { updateChannel: input.updateChannel } : {}), ...(input.newsChannel ? { newsChannel: input.newsChannel } : {}) };
  }
  return { kind: 'feed-v1', ...common, live: true, newsChannels: input.channels.filter((c) => !isUpdateChannel(c)), ...(token ? { token } : {}) };
}

/** Test Connection's answer in plain words: what was found, or which field is wrong and why. */
function probeAnswer(r: ProbeResult, url: string): { ok: true; summary: string } | { ok: false; error: { field: string; message: string } } {
  if (r.ok) return { ok: true, summary: words.reached(r.channels, r.latestStable, r.latestExperimental) };
  if (r.field === 'key') return refuse('url', words.foreignKey);
  return refuse(r.field, plainError(r.detail, url, null));
}

export function settingsHandlers(ctx: Ctx): SettingsHandlers {
  const { companion } = ctx;
  const newId = (name: string) => {
    const taken = new Set(companion.sourceConfigs().map((s) => s.id));
    let id = slug(name);
    for (let n = 2; taken.has(id); n++) id = `${slug(name)}-${n}`;
    return id;
  };
  return {
    getSettings: async () => settingsView(ctx),
    updateSettings: async (patch) => {
      const next = readPreferences({ ...preferences(companion), ...patch });
      companion.setPreferences(next);
      applyPreferences(companion, next);
      ctx.changed('settings');
      return settingsView(ctx);
    },
    saveSource: async (input) => {
      if (input.id && !companion.sourceConfigs().some((s) => s.id === input.id)) return refuse('form', words.sourceGone);
      const id = input.id ?? newId(input.name);
      const config = configOf(ctx, input, id);
      if ('field' in config) return refuse(config.field, config.message);
      // Nothing is saved that doesn't answer: a wrong address, token or key is said at its field.
      const probe = probeAnswer(await companion.probeSource(config), config.url);
      if (!probe.ok) return probe;
      try {
        await companion.saveSource(config);
      } catch (e) {
        if (e instanceof ConfigError) return refuse(e.field || 'url', e.message);
        throw e;
      }
      ctx.changed('settings', 'status');
      return { ok: true, id };
    },
    removeSource: async ({ id }) => {
      if (!companion.sourceConfigs().some((s) => s.id === id)) return refuse('form', words.sourceGone);
      await companion.removeSource(id);
      ctx.changed('settings', 'status', 'inbox', 'update');
      return { ok: true };
    },
    testSource: async (input) => {
      const config = configOf(ctx, input, input.id ?? 'test');
      if ('field' in config) return refuse(config.field, config.message);
      return probeAnswer(await companion.probeSource(config), config.url);
    },
  };
}
