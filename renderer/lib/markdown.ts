// Markdown → safe HTML. marked renders with raw HTML escaped (never passed through), links only when they
// parse as https: or mailto:, images only as inline data: images; DOMPurify then removes anything else
// (event handlers, styles, unknown tags). Remote images are never loaded, so trackers get no hit and the
// CSP never has to block anything. Very long bodies are shortened before parsing.
import { Marked, type Tokens } from 'marked';
import DOMPurify from 'dompurify';
import { t } from '../i18n/en.ts';

/** Characters of Markdown rendered at most; the rest is cut (the server caps bodies at 64 KB anyway). */
export const MAX_MARKDOWN_CHARS = 100_000;
const MAX_NESTING = 16;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const dataImage = /^data:image\/(?:png|gif|jpeg|webp);base64,[A-Za-z0-9+/=]+$/i;

/** The URL if it is an absolute https: or mailto: URL, else null. Uses the WHATWG parser, like the browser. */
export function safeLink(raw: string): URL | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '') return url;
  if (url.protocol === 'mailto:') return url;
  return null;
}

/** What a tooltip says about a link: the real host, in punycode (the URL parser gives ASCII hosts). */
export function linkHost(url: URL): string {
  return url.protocol === 'mailto:' ? url.pathname : url.host;
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link({ href, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      const url = safeLink(href);
      if (!url) return `<span class="link-blocked">${inner}</span>`;
      const title = escapeHtml(t.markdown.linkTitle(linkHost(url)));
      return `<a href="${escapeHtml(url.href)}" title="${title}" rel="noopener noreferrer">${inner}</a>`;
    },
    image({ href, text }: Tokens.Image) {
      if (dataImage.test(href)) return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}">`;
      return `<span class="img-blocked">${escapeHtml(t.markdown.imageBlocked(text))}</span>`;
    },
  },
});

const allowedTags = ['a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'li', 'ol', 'p', 'pre', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul'];
let hooked = false;

function purify(html: string): string {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.nodeName === 'A') {
        const url = safeLink(node.getAttribute('href') ?? '');
        if (!url) node.removeAttribute('href');
        node.setAttribute('rel', 'noopener noreferrer');
        node.removeAttribute('target');
      }
      if (node.nodeName === 'IMG' && !dataImage.test(node.getAttribute('src') ?? '')) node.remove();
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: ['href', 'title', 'alt', 'src', 'class', 'start', 'align', 'rel'],
    ALLOWED_URI_REGEXP: /^(?:https:|mailto:|data:image\/(?:png|gif|jpeg|webp);)/i,
    FORBID_ATTR: ['style'],
    ALLOW_DATA_ATTR: false,
  });
}

/** Flattens pathological nesting (thousands of `>` or list levels) so parsing stays linear and shallow. */
function tame(source: string): string {
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const quote = /^(?:[ \t]*>){17,}/.exec(line);
    if (quote) lines[i] = '>'.repeat(MAX_NESTING) + line.slice(quote[0].length);
    const list = /^(?:[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+){17,}/.exec(lines[i] ?? '');
    if (list) lines[i] = '- '.repeat(MAX_NESTING) + (lines[i] ?? '').slice(list[0].length);
    const indent = /^[ \t]{64,}/.exec(lines[i] ?? '');
    if (indent) lines[i] = ' '.repeat(64) + (lines[i] ?? '').slice(indent[0].length);
  }
  return lines.join('\n');
}

export interface Rendered {
  html: string;
  shortened: boolean;
}

const cache = new Map<string, Rendered>();

export function renderMarkdown(source: string): Rendered {
  const hit = cache.get(source);
  if (hit) return hit;
  const started = performance.now();
  const shortened = source.length > MAX_MARKDOWN_CHARS;
  const text = tame(shortened ? source.slice(0, MAX_MARKDOWN_CHARS) : source);
  let html: string;
  try {
    html = purify(marked.parse(text) as string);
  } catch {
    html = `<p class="plain">${escapeHtml(text)}</p>`;
  }
  const out = { html, shortened };
  // Tests and benchmarks read this measure (reliability case 37: under 200 ms).
  performance.measure('tidings:markdown', { start: started, end: performance.now() });
  if (cache.size > 50) cache.delete(cache.keys().next().value as string);
  cache.set(source, out);
  return out;
}
