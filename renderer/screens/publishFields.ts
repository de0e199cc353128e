// Client-side checks for the publisher forms (the companion and the server check again) and the mapping
// of an error's field name to the input it belongs next to.
import { t } from '../i18n/en.ts';

export const semverOk = (v: string) => /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/.test(v);
/** An https address, or http on this computer (a local test feed; the companion decides whether it allows that). */
export function httpsOk(v: string): boolean {
  try {
    const u = new URL(v.trim());
    if (u.username !== '' || u.password !== '') return false;
    if (u.protocol === 'https:') return u.hostname !== '';
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}
export const intIn = (v: string, min: number, max: number) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max;

export type Errors = Record<string, string>;

/**
 * Where an error goes: the exact field if the form has it (e.g. `assets.0.url`), else the nearest parent
 * (`assets.0`, `assets`), else the form itself. Server-side names such as `notes` or `body.title` land on
 * the closest known field.
 */
export function placeError(field: string, known: string[]): string {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    if (known.includes(candidate)) return candidate;
  }
  const last = parts[parts.length - 1] ?? '';
  return known.includes(last) ? last : 'form';
}

export function fieldError(field: string, message: string, known: string[]): Errors {
  return { [placeError(field, known)]: message };
}

export const messages = {
  empty: t.settings.errEmpty,
  semver: t.publish.errSemver,
  https: t.publish.errHttps,
  rollout: t.publish.errRollout,
  asset: t.publish.errAsset,
  fileUrl: t.publish.errFileUrl,
  days: t.publish.errDays,
};
