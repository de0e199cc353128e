// Locale-aware formatting: plural rules, relative times, dates and sizes. Every component formats through
// here so a new language needs only a new catalogue.
export const locale = typeof navigator !== 'undefined' && navigator.language ? navigator.language : 'en';

const pluralRules = new Intl.PluralRules(locale);
export interface PluralForms {
  zero?: string;
  one: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

/** Picks the plural form for n and replaces `{n}` with the formatted number. */
export function plural(n: number, forms: PluralForms): string {
  const rule = pluralRules.select(n) as keyof PluralForms;
  const text = forms[rule] ?? forms.other;
  return text.replaceAll('{n}', new Intl.NumberFormat(locale).format(n));
}

const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1],
];

/** "3 minutes ago", "in 2 hours", "yesterday". `unixSeconds` is a server or store time. */
export function relativeTime(unixSeconds: number, nowMs: number = Date.now()): string {
  const diff = unixSeconds - nowMs / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return rtf.format(0, 'second');
  for (const [unit, secs] of units) {
    // 5 % slack: "in 23 h 59 min" reads as "tomorrow", as people say it.
    if (abs >= secs * 0.95 || unit === 'second') return rtf.format(Math.round(diff / secs), unit);
  }
  return rtf.format(0, 'second');
}

const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
export const formatDateTime = (unixSeconds: number): string => dateTime.format(new Date(unixSeconds * 1000));
export const formatDate = (unixSeconds: number): string => dateOnly.format(new Date(unixSeconds * 1000));
const timeOnly = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
export const formatTime = (unixSeconds: number): string => timeOnly.format(new Date(unixSeconds * 1000));

/** Bytes in the units people read: "34 MB", "1.2 GB", "512 KB". */
export function formatBytes(bytes: number): string {
  const steps: [string, number][] = [['gigabyte', 1e9], ['megabyte', 1e6], ['kilobyte', 1e3]];
  for (const [unit, size] of steps) {
    if (bytes >= size) {
      const v = bytes / size;
      return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: v < 10 ? 1 : 0 }).format(v);
    }
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'narrow' }).format(bytes);
}

export function formatPercent(fraction: number): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
