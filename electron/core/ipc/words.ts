// The words the core's handlers answer with (refusals, form errors, Test Connection's findings), in one
// catalogue, English first, as the renderer's renderer/i18n/en.ts and the shell's electron/main/strings.ts.
// The plain words for check errors live beside their matching rules in ../plain-errors.ts.
const plural = new Intl.PluralRules('en');

export const words = {
  checked: (added: number) => (added === 0 ? 'Checked just now: nothing new.' : `Checked just now: ${added} new ${plural.select(added) === 'one' ? 'item' : 'items'}.`),
  alreadyChecking: 'Tidings is already checking.',
  serverAskedToWait: (until: string | null) => (until ? `The update server asked Tidings to wait until ${until}.` : 'The update server asked Tidings to wait.'),
  noSourceToCheck: 'There is no source to check. Add one in Settings → Sources.',
  notOffered: (version: string) => `${version} is not the offered update.`,
  downloadUnfinished: 'The download didn’t finish. Nothing was installed; try again later.',
  criticalCantSkip: 'A critical update can’t be skipped.',
  notSkipped: (version: string) => `${version} isn’t skipped.`,
  noReminder: 'There is no reminder to cancel.',
  urlNotAddress: 'Enter a full address, such as https://feed.example.com.',
  urlNotHttps: 'The address must start with https://.',
  cryptolensNeedsToken: 'A Cryptolens account needs its access token.',
  cryptolensNeedsChannel: 'Name the channel for new versions, for news, or both.',
  sourceGone: 'That source no longer exists.',
  foreignKey: 'This feed’s releases aren’t signed by a publisher key this app trusts.',
  reached: (channels: number, stable: string | null, experimental: string | null) => {
    const parts = [`${channels} ${plural.select(channels) === 'one' ? 'channel' : 'channels'}`, stable ? `latest stable ${stable}` : 'no stable release yet'];
    if (experimental) parts.push(`latest experimental ${experimental}`);
    return `Reached feed: ${parts.join(', ')}`;
  },
  noPublisher: 'Publishing needs a publisher token: add a source with one in Settings → Sources.',
  installerNeedsDesktop: 'Opening the installer needs the desktop app.',
  cantUpdateItself: 'This copy of the app can’t update itself. Open the installer instead.',
  folderNeedsDesktop: 'Showing the file needs the desktop app.',
  linksNeedDesktop: 'Links open from the desktop app.',
} as const;
