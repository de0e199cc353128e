// The shell's words (tray, menu, OS notifications) in one catalogue per language, English first, like the
// renderer's renderer/i18n/en.ts: a translation is a second object of the same shape (type ShellStrings),
// with plurals through Intl.PluralRules and times through Intl formats, never string pieces in components.
const rules = new Intl.PluralRules('en');
const plural = (n: number, forms: { one: string; other: string }) => (rules.select(n) === 'one' ? forms.one : forms.other).replace('{n}', String(n));
const clock = (ms: number) => new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(ms);

export const en = {
  tray: {
    tooltip: (parts: string[]) => `Tidings — ${parts.join(' · ')}`,
    available: (v: string) => `Update ${v} available`,
    downloading: (v: string) => `Downloading ${v}`,
    ready: (v: string) => `${v} ready to install`,
    installing: (v: string) => `Installing ${v}…`,
    installFailed: (v: string) => `${v} couldn’t be installed`,
    verifyFailed: (v: string) => `Download of ${v} failed verification`,
    cantConfirm: "Can't confirm updates",
    upToDate: 'Up to date',
    unreadShort: (n: number) => `${n} unread`,
    unreadMenu: (n: number) => (n === 0 ? 'No unread news' : `${n} unread news`),
    install: (v: string, critical: boolean) => `Install ${v}${critical ? ' (critical)' : ''}…`,
    cantConfirmMenu: "Can't confirm updates…",
    currentMenu: (installed: string) => `Tidings ${installed} is up to date`,
    checkNow: 'Check for updates now',
    channel: 'Channel',
    stable: 'Stable',
    experimental: 'Experimental',
    open: 'Open Tidings',
    pausedUntil: (ms: number) => `Notifications paused until ${clock(ms)}`,
    resume: 'Resume notifications',
    pauseHour: 'Pause notifications for 1 hour',
    pauseTomorrow: 'Pause notifications until tomorrow',
    quit: 'Quit',
  },
  toast: {
    releaseTitle: (product: string, version: string, critical: boolean) => `${product} ${version} is available${critical ? ' (critical update)' : ''}`,
    releaseBody: (title: string) => `${title ? `${title}. ` : ''}Click to see what's new.`,
    postsTitle: (n: number, from: string | null) => `${plural(n, { one: '{n} new post', other: '{n} new posts' })}${from ? ` from ${from}` : ''}`,
    postsBody: (a: string, b: string, rest: number) => (rest > 0 ? `${a}, ${b} and ${rest} more` : `${a} and ${b}`),
  },
  /** The publisher page's native Open dialogs (electron/main/publisher.ts). */
  dialogs: {
    keyTitle: 'Choose Your Signing Key',
    keyButton: 'Use This Key',
    keyFilter: 'Signing keys',
    fileTitle: 'Choose a File to Publish',
    fileButton: 'Choose',
    allFiles: 'All files',
  },
};

export type ShellStrings = typeof en;
