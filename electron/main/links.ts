// External links (reliability.md P13, cases 31–32, 38). The only place the shell calls shell.openExternal:
// the URL is parsed with WHATWG `new URL()` (never prefix-matched), the scheme must be https or mailto,
// userinfo is refused, hosts dressed up as an allow-listed one (example.com.attacker.com) are refused, and
// other hosts outside the publisher's allow-list need the user's confirmation in a dialog that shows the
// real host (punycode, so homoglyph/IDN hosts are visible as what they are).
import type { ElectronApi } from './electron-api.ts';

export type LinkDecision =
  | { action: 'open'; url: string }
  | { action: 'confirm'; url: string; host: string }
  | { action: 'refuse'; reason: string };

/** True when `host` is `allowed` itself or a subdomain of it (dot boundary: example.com.attacker.com is not). */
export function hostAllowed(host: string, allowList: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowList.some((a) => {
    const allowed = new URL(`https://${a}`).hostname; // normalises IDN allow-list entries to punycode
    return h === allowed || h.endsWith(`.${allowed}`);
  });
}

/** A host that carries an allow-listed name as its leading labels without being under it
 * (example.com.attacker.com, docs.example.com.evil.net): the prefix-match bypass of checklist item 13.
 * Such a host exists only to look like the publisher, so it is refused, not merely confirmed. */
export function impersonates(host: string, allowList: readonly string[]): boolean {
  const h = `.${host.toLowerCase().replace(/\.$/, '')}.`;
  return !hostAllowed(host, allowList) && allowList.some((a) => h.includes(`.${new URL(`https://${a}`).hostname}.`));
}

/** mailto: parameters a mail client only pre-fills. Others (attach=, attachment=…) have made clients
 * attach local files, so a link carrying them is refused. */
const MAILTO_PARAMS = new Set(['subject', 'body', 'cc', 'bcc']);

export function decideLink(raw: string, allowList: readonly string[]): LinkDecision {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { action: 'refuse', reason: 'not a valid URL' };
  }
  if (url.protocol === 'mailto:') {
    // A mail link can carry no host tricks; it opens the mail client with the address filled in.
    const odd = [...url.searchParams.keys()].find((k) => !MAILTO_PARAMS.has(k.toLowerCase()));
    if (odd !== undefined) return { action: 'refuse', reason: `mail links with "${odd.slice(0, 40)}" in them are not opened` };
    return { action: 'open', url: url.href };
  }
  if (url.protocol !== 'https:') return { action: 'refuse', reason: `the ${url.protocol} scheme is not allowed` };
  if (url.username !== '' || url.password !== '') {
    return { action: 'refuse', reason: 'links with a user name in them are not opened' };
  }
  if (hostAllowed(url.hostname, allowList)) return { action: 'open', url: url.href };
  if (impersonates(url.hostname, allowList)) return { action: 'refuse', reason: `${url.hostname} only looks like one of the publisher's sites` };
  return { action: 'confirm', url: url.href, host: url.hostname };
}

/** Characters that can make a host or URL read differently from what it is (bidi overrides, zero-width). */
const invisible = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/gu;
export const visibleText = (s: string) => s.replace(invisible, (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);

export function createLinks(api: Pick<ElectronApi, 'shell' | 'dialog'>, allowList: readonly string[], log: (msg: string) => void) {
  return async function openLink(raw: string): Promise<{ ok: true; opened: boolean } | { ok: false; error: { field: string; message: string } }> {
    const d = decideLink(raw, allowList);
    if (d.action === 'refuse') {
      log(`openLink refused: ${d.reason}`);
      return { ok: false, error: { field: 'url', message: `This link can't be opened: ${d.reason}.` } };
    }
    if (d.action === 'confirm') {
      const r = await api.dialog.showMessageBox({
        type: 'question',
        buttons: ['Open', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: `Open a link to ${visibleText(d.host)}?`,
        detail: `This link goes to ${visibleText(d.host)}, which isn't one of the publisher's sites.\n\n${visibleText(d.url)}`,
      });
      if (r.response !== 0) return { ok: true, opened: false };
    }
    // electronegativity OPEN_EXTERNAL_JS_CHECK: reviewed. The argument is never the renderer's raw string:
    // it is the re-serialised href of a parsed URL whose scheme is https/mailto, with no userinfo, and
    // whose host is on the allow-list or was confirmed by the user in the dialog above.
    await api.shell.openExternal(d.url);
    return { ok: true, opened: true };
  };
}
