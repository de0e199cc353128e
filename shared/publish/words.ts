// The words the publisher page's handlers answer with (refusals at a form field, the feed's answers in plain
// words), in one catalogue, English first, as the renderer's renderer/i18n/en.ts, the shell's
// electron/main/strings.ts and the core's electron/core/ipc/words.ts. Used by shared/publish/form.ts,
// electron/core/publisher.ts and the preview's pickers. No paths ever: the renderer sees file names only.
const again = 'Publishing the same thing again will not post it twice.';

export const publishWords = {
  // The form's downloads
  assetNotHttps: 'Enter an https address (https://…) where clients download this file.',
  assetMissing: 'Choose a file or enter the https address of each download.',
  fileForgotten: 'Choose this file again: Tidings forgets chosen files when it restarts.',
  fileNeedsUrl: (name: string) => `Enter the https address clients will download ${name} from.`,
  fileGone: (name: string) => `${name} is no longer there: it was moved or deleted after it was hashed. Choose it again.`,
  fileChanged: (name: string) => `${name} changed after it was hashed. Choose it again, so the published hash matches it.`,
  fileChangedWhileHashing: (name: string) => `${name} changed while it was hashed. Choose it again.`,
  cantRead: (name: string) => `Tidings couldn’t read ${name}.`,
  redirectsToHttp: 'This address redirects to a plain http address; Tidings downloads only over https.',
  tooManyRedirects: 'This address redirects too many times.',
  downloadRefused: (host: string, status: number | string) => `Tidings couldn’t download this file to compute its hash: ${host} answered HTTP ${status}.`,
  downloadUnreachable: (host: string) => `Tidings couldn’t download this file to compute its hash: ${host} couldn’t be reached.`,
  downloadStopped: 'The download of this file stopped before its end. Try again.',
  // Dialogs and the key
  dialogOpen: 'A file dialog is already open.',
  dialogFailed: 'The file dialog couldn’t open.',
  noKey: (what: string) => `Choose your signing key first (the private key file tidings keygen wrote): ${what} is signed with it.`,
  aPost: 'a post',
  aRetraction: 'a retraction',
  notAKey: (name: string) => `${name} isn’t a signing key Tidings can use. Choose the private key file tidings keygen wrote (an Ed25519 key in PEM).`,
  // The feed's answers
  alreadyPublished: (what: string, channel: string, seq: number) => `Already published: ${what} on ${channel} (seq ${seq}). Nothing was sent again; change something to publish another post.`,
  feedUnreachable: (host: string, why: string) => `Tidings couldn’t reach the feed at ${host} (${why}). Try again. ${again}`,
  tokenRefused: 'The feed refused the publisher token. Check the publisher source in Settings.',
  channelRefused: (channel: string, why: string) => `The publisher token may not publish on ${channel}. ${why}`,
  untrustedKey: (key: { keyId: string; publicKey: string } | undefined) => (key
    ? `The feed doesn’t trust this signing key (key id ${key.keyId}). Choose the key the feed trusts or trust it on the feed service: tidings key add ${key.publicKey}.`
    : 'The feed doesn’t trust this signing key. Choose the key the feed trusts.'),
  badSignature: 'The feed found the signature doesn’t match the post. Choose the key file again and retry.',
  versionConflict: (version: string, channel: string) => `${version} is already published on ${channel} with other downloads. Use a new version number, or retract the old release first.`,
  idConflict: 'The feed already has a different post with this id. Nothing was published; try again.',
  feedWait: (seconds: number | undefined) => `The feed asked Tidings to wait${seconds ? ` for ${seconds} s` : ''}. Nothing was published yet; try again then. ${again}`,
  feedProblem: (status: number) => `The feed had a problem (HTTP ${status}). Try again. ${again}`,
  listForbidden: 'The feed didn’t let the publisher token list posts (it needs read access).',
  listUnreachable: (host: string) => `Tidings couldn’t reach the feed at ${host}. Try again in a moment.`,
  notRetractable: (id: string) => `${id} is not a post this feed could have published.`,
  // The preview's file picker (preview/publisher.ts)
  previewNoDialog: 'The preview can’t open a file dialog on this computer (it uses zenity or kdialog on a Linux desktop). Use the desktop app, or enter its https address instead.',
  previewDialogFailed: (program: string) => `The file dialog failed (${program}). Enter the file’s https address instead.`,
} as const;
