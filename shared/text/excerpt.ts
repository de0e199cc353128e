// One calm line of plain text from a post's Markdown, for inbox rows, toasts and the tray: no Markdown or HTML
// residue. Blocks (headings, paragraphs, list items, table rows, quotes) are joined with " · "; a paragraph that
// follows a finished sentence, or anything after a trailing colon, continues with a plain space. Links keep
// their text, images and code blocks are left out (code is kept only when the post is nothing else), inline
// code keeps its content, entities are decoded. Pure: runs in the renderer too (no node:*).
//
//   "## Updates\n\n- item\n- item"  →  "Updates · item · item"

const SEPARATOR = ' · ';
const ELLIPSIS = '…';
/**
 * Work is bounded whatever the input: a post body is at most 64 KiB (protocol limits), so only that much is read,
 * no line past 10,000 characters, and no block once there is clearly enough text.
 */
const MAX_INPUT_CHARS = 64 * 1024;
const MAX_LINE_CHARS = 10_000;

/** `section`: a thematic break came before it, so it never continues the previous sentence. */
type Block = { kind: 'heading' | 'paragraph' | 'item' | 'row' | 'code'; text: string; section?: boolean };

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX = /^ {0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)(?:\[[ xX]\][ \t]+)?(.*)$/;
const QUOTE = /^ {0,3}>[ \t]?/;
const TABLE_DELIMITER = /^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;
const DEFINITION = /^ {0,3}\[([^\]]{1,999})\]:[ \t]*\S/;
const HTML_COMMENT = /<!--[\s\S]*?(?:-->|$)/g;

/** Splits the Markdown into blocks of raw inline text (line-based, as CommonMark's block structure reads). */
function blocks(markdown: string, budget: number): { list: Block[]; labels: Set<string> } {
  const list: Block[] = [];
  const labels = new Set<string>();
  const lines = markdown.slice(0, MAX_INPUT_CHARS).replace(HTML_COMMENT, ' ').split(/\r\n?|\n/);
  let para: string[] = [];
  let used = 0;
  let section = false;
  const add = (b: Block) => {
    if (section) b.section = true;
    section = false;
    list.push(b);
  };
  const flush = () => {
    if (para.length === 0) return;
    add({ kind: 'paragraph', text: para.join(' ') });
    para = [];
  };
  const push = (b: Block) => {
    flush();
    add(b);
    used += b.text.length;
  };
  let fence: string | null = null;
  let code: string[] = [];
  for (let i = 0; i < lines.length && used < budget; i++) {
    let line = (lines[i] ?? '').slice(0, MAX_LINE_CHARS);
    if (fence !== null) {
      // A fence closes with at least as many of the same characters.
      const close = FENCE.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && line.trim() === close[1]) {
        push({ kind: 'code', text: code.join(' ') });
        fence = null;
        code = [];
      } else if (code.length < 1000) code.push(line.trim());
      continue;
    }
    const open = FENCE.exec(line);
    if (open) {
      flush();
      fence = open[1]!;
      continue;
    }
    while (QUOTE.test(line)) line = line.replace(QUOTE, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    const setext = SETEXT.exec(line);
    if (setext && para.length > 0) {
      const text = para.join(' ');
      para = [];
      push({ kind: 'heading', text });
      continue;
    }
    if (RULE.test(line)) {
      flush();
      section = list.length > 0;
      continue;
    }
    const atx = ATX.exec(line);
    if (atx) {
      push({ kind: 'heading', text: atx[1] ?? '' });
      continue;
    }
    const def = DEFINITION.exec(line);
    if (def && para.length === 0) {
      labels.add(def[1]!.toLowerCase());
      continue;
    }
    if (line.includes('|') && TABLE_DELIMITER.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-')) {
      // A table: the header row, then rows while lines hold a pipe; the delimiter row is skipped.
      push({ kind: 'row', text: cells(line) });
      i++;
      while (used < budget && i + 1 < lines.length && (lines[i + 1] ?? '').includes('|') && (lines[i + 1] ?? '').trim() !== '') {
        i++;
        push({ kind: 'row', text: cells((lines[i] ?? '').slice(0, MAX_LINE_CHARS)) });
      }
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      push({ kind: 'item', text: item[1] ?? '' });
      continue;
    }
    // A line inside a list item continues it; anything else continues (or starts) a paragraph.
    const last = list.at(-1);
    if (para.length === 0 && last?.kind === 'item' && /^[ \t]/.test(line) && i > 0 && (lines[i - 1] ?? '').trim() !== '') {
      last.text += ` ${line.trim()}`;
      continue;
    }
    para.push(line.trim());
    used += line.length;
  }
  if (fence !== null && code.length > 0) push({ kind: 'code', text: code.join(' ') });
  flush();
  return { list, labels };
}

/** A table row as "a, b, c" (escaped pipes stay pipes). */
function cells(row: string): string {
  const parts = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/);
  return parts.map((c) => c.trim().replace(/\\\|/g, '|')).filter((c) => c !== '').join(', ');
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', middot: '·',
  bull: '•', copy: '©', reg: '®', trade: '™', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', laquo: '«', raquo: '»',
  times: '×', euro: '€', pound: '£', deg: '°', shy: '',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});/g, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      // Control characters and invalid code points are not text worth showing.
      if (!Number.isFinite(code) || code < 0x20 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || (code >= 0x7f && code < 0xa0)) return ' ';
      return String.fromCodePoint(code);
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

// Quantifiers are bounded so that no pattern is quadratic on a long hostile line (a link's text or a tag is short).
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]{0,30}(?:\s[^<>]{0,1000})?\/?>/g;
const AUTOLINK = /<((?:https?|mailto):[^\s<>]*)>/gi;
const DESTINATION = String.raw`\((?:[^()\s]|\([^()\s]{0,200}\)){0,4000}(?:\s+(?:"[^"\n]{0,300}"|'[^'\n]{0,300}'))?\s{0,10}\)`;
const IMAGE = new RegExp(String.raw`!\[[^\]\n]{0,1000}\](?:${DESTINATION}|\[[^\]\n]{0,1000}\])?`, 'g');
const LINK = new RegExp(String.raw`\[([^\]\n]{0,1000})\]${DESTINATION}`, 'g');
const REF_LINK = /\[([^\]\n]{1,1000})\]\[[^\]\n]{0,1000}\]/g;
const SHORTCUT = /\[([^\]\n]{1,1000})\]/g;
/** Runs of * (or ~~) that open or close emphasis (next to text on one side); "2 * 3" and "~5 min" keep theirs. */
const STAR_RUN = /(?<=\S)(?:\*+|~{2,})|(?:\*+|~{2,})(?=\S)/g;
/** Tags that end a line of text in a browser become a space ("<p>One</p><p>Two</p>" reads "One Two"). */
const BLOCK_TAG = /<\/?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|hr|pre|dd|dt)\b[^<>]*>/gi;
/** Underscores emphasise only at word edges: snake_case keeps its underscore. */
const UNDERSCORE_RUN = /(?<![\p{L}\p{N}])_+(?=\S)|(?<=\S)_+(?![\p{L}\p{N}])/gu;
const CODE_SPAN = /(`+)([\s\S]*?[^`])\1(?!`)/g;

/** Plain text of one block's inline Markdown. Code spans keep their content verbatim. */
function inline(text: string, labels: Set<string>): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(CODE_SPAN)) {
    out += prose(text.slice(at, m.index), labels) + m[2]!.trim();
    at = m.index + m[0].length;
  }
  return out + prose(text.slice(at), labels);
}

function prose(text: string, labels: Set<string>): string {
  const escaped: string[] = [];
  let s = text
    // Backslash escapes are literal characters: set aside (between two private-use marks, removed from the input
    // first) so no rule below reads them as syntax.
    .replace(/[\uE000\uE001]/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, (_m, c: string) => `\uE000${escaped.push(c) - 1}\uE001`)
    .replace(AUTOLINK, '$1')
    .replace(IMAGE, ' ')
    .replace(LINK, '$1')
    .replace(REF_LINK, '$1')
    .replace(SHORTCUT, (whole, label: string) => (labels.has(label.toLowerCase()) ? label : whole))
    .replace(BLOCK_TAG, ' ')
    .replace(HTML_TAG, '')
    .replace(STAR_RUN, '')
    .replace(UNDERSCORE_RUN, '')
    .replace(/\uE000(\d+)\uE001/g, (_m, n: string) => escaped[Number(n)] ?? '');
  s = decodeEntities(s);
  return s;
}

function tidy(s: string): string {
  // Control characters (NUL included) become spaces; runs of space collapse; no space before punctuation.
  return s.replace(/[\p{Cc}\u2028\u2029]/gu, ' ').replace(/\s+/g, ' ').replace(/ ([.,;:!?])(?=\s|$)/g, '$1').trim();
}

/** Shortens to at most `max` code points at a word boundary when there is one near, ending with "…". */
function clip(s: string, max: number): string {
  const points = Array.from(s);
  if (points.length <= max) return s;
  if (max <= 1) return ELLIPSIS.slice(0, max);
  let cut = points.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  if (space >= cut.length * 0.6) cut = cut.slice(0, space);
  // Never end on a separator or a dangling punctuation mark before the ellipsis.
  cut = cut.replace(/[\s·,;:–—-]+$/u, '');
  return `${cut}${ELLIPSIS}`;
}

/** One line of plain text from Markdown, at most `max` code points (160 by default). */
export function plainExcerpt(markdown: string, max = 160): string {
  const limit = Math.max(0, Math.floor(max));
  if (limit === 0 || typeof markdown !== 'string') return '';
  // Blocks are parsed only until there is clearly enough text (raw Markdown is at most a few times its plain text).
  const { list, labels } = blocks(markdown, limit * 8 + 1000);
  const texts = list.map((b) => ({ ...b, text: tidy(b.kind === 'code' ? b.text : inline(b.text, labels)) })).filter((b) => b.text !== '');
  const prose = texts.filter((b) => b.kind !== 'code');
  const chosen = prose.length > 0 ? prose : texts;
  let line = '';
  let previous: (typeof chosen)[number] | null = null;
  for (const b of chosen) {
    if (previous === null) line = b.text;
    else {
      const sentenceEnded = /[.!?…]["'”’)]*$/u.test(previous.text) && previous.kind === 'paragraph' && b.kind === 'paragraph' && !b.section;
      const introduces = /:$/.test(previous.text) && !b.section;
      line += (sentenceEnded || introduces ? ' ' : SEPARATOR) + b.text;
    }
    previous = b;
    if (line.length > limit * 4) break;
  }
  return clip(line, limit);
}
