// ux.md "Errors in plain words": what a check's technical detail means to a user. The detail itself stays
// available (Status → Technical details); these words never carry a status code, path or stack.
/** ux.md "Errors in plain words" from a check's technical detail (which stays available as the detail). */
export function plainError(detail: string, url: string, retryAt: number | null): string {
  let host = url;
  try {
    host = new URL(url).host;
  } catch { /* keep the text */ }
  if (/ENOTFOUND|EAI_AGAIN/.test(detail)) return `Couldn’t find the update server (${host}).`;
  if (/HTTP (429|503)/.test(detail) && retryAt) return `The update server asked Tidings to wait until ${new Date(retryAt).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' })}.`;
  if (/HTTP 40[13]|access denied|result 1/.test(detail)) return 'The feed refused the access token. Check Sources in Settings.';
  if (/timeout\)|within \d+ ms|went quiet/.test(detail)) return 'The update server didn’t answer in time.';
  if (/CERT|certificate|SSL|TLS|self.signed|refused-url/i.test(detail)) return 'The connection wasn’t secure, so Tidings didn’t use it.';
  if (/signature|signed/i.test(detail)) return 'A release wasn’t signed by the publisher’s key, so Tidings ignored it.';
  if (/schema|JSON|cursor|did not advance|pages in one check|Not Modified/.test(detail)) return 'The feed sent something Tidings doesn’t understand.';
  if (/ECONNREFUSED|ECONNRESET|network|closed before/.test(detail)) return `Couldn’t reach the update server (${host}).`;
  return 'Tidings couldn’t check this source.';
}
