// plainExcerpt: one calm line of plain text from a post's Markdown (inbox rows, toasts, tray). Examples for each
// construct a publisher writes, and properties: any input gives one trimmed line within the limit, quickly; a
// generated document of plain words comes back as exactly those words, in order, with no Markdown residue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plainExcerpt } from '../../shared/text/excerpt.ts';

const examples: [string, string][] = [
  ['## Updates\n\n- item\n- item', 'Updates · item · item'],
  ['## Updates ##\n\n* one\n+ two\n3. three', 'Updates · one · two · three'],
  ['Changes:\n\n- faster sync\n- fewer toasts', 'Changes: faster sync · fewer toasts'],
  ['Fixes **two** crashes and *one* __hang__ in _sync_ ~~today~~.', 'Fixes two crashes and one hang in sync today.'],
  ['Run `npm i tidings` then ``a`b``.', 'Run npm i tidings then a`b.'],
  ['See [the docs](https://example.com/a_(b) "Docs") and <https://example.com>.', 'See the docs and https://example.com.'],
  ['![Screenshot](shot.png) Dark mode is here.', 'Dark mode is here.'],
  ['See [the notes][n].\n\n[n]: https://example.com/notes', 'See the notes.'],
  ['| Platform | File |\n|---|:--:|\n| linux | AppImage |\n| win \\| arm | exe |', 'Platform, File · linux, AppImage · win | arm, exe'],
  ['<p>Hello<br>world</p><p>again</p><!-- draft -->', 'Hello world again'],
  ['Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#8212; &#x2713; &nbsp;ok &unknown;', 'Tom & Jerry <3 "quoted" — ✓ ok &unknown;'],
  ['&lt;b&gt;not a tag&lt;/b&gt;', '<b>not a tag</b>'],
  ['```sh\nnpm i tidings\n```\n\nInstall it.', 'Install it.'],
  ['```\nonly code here\n```', 'only code here'],
  ['> Quoted *advice*\n> on two lines', 'Quoted advice on two lines'],
  ['Release notes\n=============\n\nFirst paragraph.\n\nSecond one.\n\n---\n\nThird', 'Release notes · First paragraph. Second one. · Third'],
  ['- [x] shipped\n- [ ] next', 'shipped · next'],
  ['snake_case stays, 2 * 3 = 6, a\\*b and \\# literal', 'snake_case stays, 2 * 3 = 6, a*b and # literal'],
  ['1. first\n   continued here\n2. second', 'first continued here · second'],
  ['', ''],
  ['   \n\n  ', ''],
];

test('examples: every Markdown construct reads as plain words', () => {
  for (const [md, want] of examples) assert.equal(plainExcerpt(md), want, JSON.stringify(md));
});

test('long text is cut at a word with an ellipsis, within the limit in code points (emoji included)', () => {
  const words = 'calm '.repeat(60);
  const cut = plainExcerpt(words, 40);
  assert.equal(cut, `${'calm '.repeat(7).trim()}…`);
  const emoji = '😀'.repeat(200);
  assert.equal(Array.from(plainExcerpt(emoji, 10)).length, 10);
  assert.ok(!plainExcerpt(emoji, 10).includes('\uFFFD'));
  assert.equal(plainExcerpt('## Heading\n\n- a list item that goes on', 12), 'Heading…', 'never ends on a separator');
  assert.equal(plainExcerpt('anything', 0), '');
});

const MARKUP = /[#*_`[\]()|<>&\\~]|\s{2}|^\s|\s$|\n/;

test('property: any input gives one trimmed line within the limit', () => {
  const alphabet = fc.constantFrom(...'#*_`[]()|-><&;:!~\\=.1a b\n\t'.split(''), '&amp;', '```', '<b>', '](', '\r\n', '😀', '\u0000');
  fc.assert(fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 400 }), fc.string({ maxLength: 400 })), fc.integer({ min: 0, max: 300 }), (md, max) => {
    const out = plainExcerpt(md, max);
    assert.equal(typeof out, 'string');
    assert.ok(Array.from(out).length <= max, `${Array.from(out).length} > ${max}`);
    assert.ok(!/\p{Cc}/u.test(out) && out === out.trim() && !out.includes('  '), JSON.stringify(out));
  }), { numRuns: 2000 });
});

const word = fc.stringMatching(/^[A-Za-z][a-z0-9]{0,7}$/);
const words = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
/** A span of plain words wrapped in one inline construct, with the words it must read as. */
const span = fc.tuple(words, fc.constantFrom('plain', 'strong', 'em', 'under', 'code', 'link', 'strike', 'entity', 'html')).map(([w, how]) => {
  const md = {
    plain: w, strong: `**${w}**`, em: `*${w}*`, under: `_${w}_`, code: `\`${w}\``, link: `[${w}](https://example.com/x?a=1)`,
    strike: `~~${w}~~`, entity: `${w}&nbsp;&amp;`, html: `<em>${w}</em>`,
  }[how];
  return { md, text: how === 'entity' ? `${w} &` : w };
});
const line = fc.array(span, { minLength: 1, maxLength: 4 }).map((s) => ({ md: s.map((x) => x.md).join(' '), text: s.map((x) => x.text).join(' ') }));
const block = fc.tuple(line, fc.constantFrom('heading', 'paragraph', 'bullet', 'numbered', 'quote', 'image-first')).map(([l, kind]) => ({
  md: { heading: `## ${l.md}`, paragraph: l.md, bullet: `- ${l.md}`, numbered: `1. ${l.md}`, quote: `> ${l.md}`, 'image-first': `![logo](logo.png) ${l.md}` }[kind],
  text: l.text,
}));

test('property: a generated document of plain words reads as exactly its words, blocks joined by " · ", no residue', () => {
  fc.assert(fc.property(fc.array(block, { minLength: 1, maxLength: 6 }), (blocks) => {
    const md = blocks.map((b) => b.md).join('\n\n');
    const want = blocks.map((b) => b.text).join(' · ');
    const out = plainExcerpt(md, 10_000);
    assert.equal(out, want, md);
    assert.ok(!MARKUP.test(out.replace(/ &/g, '')), out);
  }), { numRuns: 1000 });
});

test('property: a cut excerpt is the start of the whole one', () => {
  fc.assert(fc.property(fc.array(block, { minLength: 1, maxLength: 8 }), fc.integer({ min: 5, max: 80 }), (blocks, max) => {
    const md = blocks.map((b) => b.md).join('\n\n');
    const whole = plainExcerpt(md, 10_000);
    const cut = plainExcerpt(md, max);
    if (Array.from(whole).length <= max) assert.equal(cut, whole);
    else {
      assert.ok(cut.endsWith('…'), cut);
      assert.ok(whole.startsWith(cut.slice(0, -1)), `${cut} / ${whole}`);
    }
  }), { numRuns: 500 });
});

test('hostile input stays fast: megabytes of brackets, stars, backticks and unclosed fences', () => {
  const inputs = ['['.repeat(200_000), '*a'.repeat(200_000), '`'.repeat(100_000) + 'x', '```\n' + 'code\n'.repeat(100_000), '<'.repeat(200_000) + 'a', `${'a'.repeat(1_000_000)}\n`, '[a](' + '('.repeat(100_000)];
  for (const md of inputs) {
    const t0 = performance.now();
    const out = plainExcerpt(md);
    const ms = performance.now() - t0;
    assert.ok(ms < 500, `${md.slice(0, 10)}…: ${ms.toFixed(0)} ms`);
    assert.ok(Array.from(out).length <= 160);
  }
});
