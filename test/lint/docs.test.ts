// Every document the code cites is in the repository: someone with only the repo must be able to look up
// "reliability.md case 17", "P13", "performance.md row 9" or ux.md's "Errors in plain words". This scans
// sources, tests and docs for such citations and checks them against docs/; it also keeps docs/ux.md
// honest against the string catalogues, and the files the four docs name against the tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const self = relative(root, import.meta.filename);

const SCANNED = ['electron', 'shared', 'server', 'preview', 'renderer', 'test', 'bench', 'scripts', 'build', 'docs', '.ci'];
const ROOT_FILES = ['README.md', 'package.json', 'playwright.config.ts', 'electron.vite.config.ts', 'eslint.config.mjs'];
const TEXT = /\.(ts|tsx|mjs|cjs|js|md|json|html|css|sh)$|^run$/;
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist', 'screenshots', 'results']);
/** The design documents the code was written against; each must have a counterpart in docs/. */
const DESIGN_DOCS = ['architecture', 'protocol', 'reliability', 'ux', 'performance', 'toolchain'];
/** Percentiles, not promises. */
const PERCENTILES = new Set([50, 90, 95, 99]);

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) {
      if (!SKIP_DIRS.has(name)) walk(rel, out);
    } else if (TEXT.test(name) && rel !== self) out.push(rel);
  }
  return out;
}

function scannedFiles(): { file: string; lines: string[] }[] {
  const files = [...SCANNED.filter((d) => existsSync(join(root, d))).flatMap((d) => walk(d, [])), ...ROOT_FILES.filter((f) => existsSync(join(root, f)))];
  return files.map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n') }));
}

const doc = (name: string) => readFileSync(join(root, 'docs', `${name}.md`), 'utf8');

/** Numbers in "31–32, 38", "30, 31, 36 and 37", "1–5, 7 and 8"; ranges expand; P-items are left to pCitations. */
function expandList(list: string): string[] {
  const out: string[] = [];
  for (const item of list.split(/\s*(?:,|\band\b)\s*/)) {
    const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(item.trim());
    if (range) for (let n = Number(range[1]); n <= Number(range[2]); n++) out.push(String(n));
    else if (/^\d+b?$/.test(item.trim())) out.push(item.trim());
  }
  return out;
}

const LIST = String.raw`(\d+b?(?:\s*(?:,|\band\b|–|-)\s*\d+b?)*)`;

/** "case 17", "cases 31–32, 38" → ['17'], ['31', '32', '38']. Switch labels (`case 3:` at a line start) are code. */
function caseCitations(line: string): string[] {
  if (/^\s*case\s+\d+\s*:/.test(line)) return [];
  return [...line.matchAll(new RegExp(String.raw`\bcases?\s+${LIST}`, 'gi'))].flatMap((m) => expandList(m[1] as string));
}

/** "row 9", "rows 4, 5, 8", "rows 6 and 9". */
function rowCitations(line: string): string[] {
  return [...line.matchAll(new RegExp(String.raw`\brows?\s+${LIST}`, 'gi'))].flatMap((m) => expandList(m[1] as string));
}

/** "P13", "P11–P15" → ['13'], ['11', …, '15']; p99-style percentiles are not promises. */
function pCitations(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/\bP(\d{1,2})(?:\s*[–-]\s*P(\d{1,2}))?\b/g)) {
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    for (let n = from; n <= to; n++) if (!PERCENTILES.has(n)) out.push(String(n));
  }
  return out;
}

/** Document names a line cites: any `docs/<name>.md`, and a bare `<name>.md` for the design documents. */
function docCitations(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/(?<![\w./-])(docs\/)?([a-z][a-z0-9-]*)\.md\b/g)) {
    if (m[1] || DESIGN_DOCS.includes(m[2] as string)) out.push(m[2] as string);
  }
  return out;
}

interface Where { file: string; line: number; text: string }
const at = (w: Where) => `${w.file}:${w.line}: ${w.text.trim().slice(0, 140)}`;

function each(fn: (w: Where) => void): number {
  let n = 0;
  for (const { file, lines } of scannedFiles()) lines.forEach((text, i) => { n++; fn({ file, line: i + 1, text }); });
  return n;
}

// Benchmarks and the browser benchmarks say "row N" without naming the file; elsewhere a row is a row.
const isBenchFile = (f: string) => /^(bench|test\/bench|renderer\/bench|test\/e2e\/bench)\/|perf\.spec\.ts$/.test(f);

test('the citation parser reads the forms the code uses', () => {
  assert.deepEqual(caseCitations('// External links (reliability.md P13, cases 31–32, 38). The only place'), ['31', '32', '38']);
  assert.deepEqual(caseCitations("test('cases 18 and 19: the cursor is the newest created'"), ['18', '19']);
  assert.deepEqual(caseCitations('security payloads of `reliability.md` (cases 30, 31, 36–38) and'), ['30', '31', '36', '37', '38']);
  assert.deepEqual(caseCitations("test('case 7: 2,000 clients turned away'"), ['7']);
  assert.deepEqual(caseCitations('    case 3: return x;'), []);
  assert.deepEqual(pCitations('Renderer hardening (reliability.md P11–P15, cases 33–35)'), ['11', '12', '13', '14', '15']);
  assert.deepEqual(pCitations('latency p99 and P99 are percentiles; P6 is a promise'), ['6']);
  assert.deepEqual(rowCitations('`npm run bench` runs rows 1–5, 7 and 8 of performance.md'), ['1', '2', '3', '4', '5', '7', '8']);
  assert.deepEqual(docCitations('(docs: toolchain.md) and docs/operations.md, shared/design/x.md, notes.md'), ['toolchain', 'operations']);
});

test('every cited document is in docs/', () => {
  const missing: string[] = [];
  let citations = 0;
  each((w) => {
    for (const name of docCitations(w.text)) {
      citations++;
      if (!existsSync(join(root, 'docs', `${name}.md`))) missing.push(`docs/${name}.md is cited but missing — ${at(w)}`);
    }
  });
  assert.ok(citations > 40, `only ${citations} citations found: is the scan still reading the tree?`);
  assert.deepEqual(missing, []);
});

test('every cited promise and case is in docs/reliability.md', () => {
  const text = doc('reliability');
  const promises = new Set([...text.matchAll(/^\| P(\d+) \|/gm)].map((m) => m[1]));
  const cases = new Set([...text.matchAll(/\*\*Case (\d+)\*\*/g)].map((m) => m[1]));
  const missing: string[] = [];
  let n = 0;
  each((w) => {
    for (const c of caseCitations(w.text)) { n++; if (!cases.has(c)) missing.push(`case ${c} — ${at(w)}`); }
    for (const p of pCitations(w.text)) { n++; if (!promises.has(p)) missing.push(`P${p} — ${at(w)}`); }
  });
  assert.ok(n > 100, `only ${n} case/promise citations found`);
  assert.deepEqual(missing, [], 'cited in the tree but not defined in docs/reliability.md (a "| Pn |" table row or "**Case n**")');
});

test('every cited benchmark row is in docs/performance.md', () => {
  const rows = new Set([...doc('performance').matchAll(/^\| (\d+b?) \|/gm)].map((m) => m[1]));
  const missing: string[] = [];
  let n = 0;
  each((w) => {
    if (!isBenchFile(w.file) && !/performance\.md/.test(w.text)) return;
    for (const r of rowCitations(w.text)) { n++; if (!rows.has(r)) missing.push(`row ${r} — ${at(w)}`); }
  });
  assert.ok(n > 10, `only ${n} row citations found`);
  assert.deepEqual(missing, [], 'cited but not a "| n |" row of docs/performance.md');
});

test('sections of the four docs cited by name exist', () => {
  const headings = new Map(['reliability', 'ux', 'performance', 'toolchain'].map((d) => [d, [...doc(d).matchAll(/^#{1,4} (.+)$/gm)].map((m) => (m[1] as string).toLowerCase())]));
  const missing: string[] = [];
  let n = 0;
  each((w) => {
    for (const m of w.text.matchAll(/\b(reliability|ux|performance|toolchain)\.md`?\s*\(?["“]([^"”]+)["”]/g)) {
      n++;
      const section = (m[2] as string).toLowerCase();
      if (!headings.get(m[1] as string)!.some((h) => h.includes(section))) missing.push(`${m[1]}.md "${m[2]}" — ${at(w)}`);
    }
  });
  assert.ok(n >= 3, `only ${n} section citations found`);
  assert.deepEqual(missing, []);
});

test('files the four docs name exist', () => {
  const missing: string[] = [];
  for (const d of ['reliability', 'ux', 'performance', 'toolchain']) {
    for (const m of doc(d).matchAll(/`((?:electron|renderer|shared|server|preview|test|bench|scripts|build|docs)\/[^`\s*<]+?)`/g)) {
      const path = m[1] as string;
      if (path.startsWith('bench/results/')) continue; // written by `npm run bench`, not in git
      if (!existsSync(join(root, path))) missing.push(`docs/${d}.md names ${path}`);
    }
  }
  assert.deepEqual(missing, []);
});

/** Loaded at run time from their files: the catalogues belong to other layers, and this only reads them. */
async function catalogue(file: string): Promise<Record<string, unknown>> {
  return ((await import(pathToFileURL(join(root, file)).href)) as { en: Record<string, unknown> }).en;
}

function lookup(obj: Record<string, unknown>, path: string): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

test('docs/ux.md cites catalogue keys that exist, and quotes fixed strings as the catalogue has them', async () => {
  const cats = { t: await catalogue('renderer/i18n/en.ts'), shell: await catalogue('electron/main/strings.ts') };
  const problems: string[] = [];
  let keys = 0;
  doc('ux').split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/`(t|shell)\.([\w.]+)`/g)) {
      keys++;
      const { found, value } = lookup(cats[m[1] as 't' | 'shell'], m[2] as string);
      if (!found) { problems.push(`docs/ux.md:${i + 1}: ${m[1]}.${m[2]} is not in the catalogue`); continue; }
      const row = new RegExp(String.raw`^\|\s*\`${m[1]}\.${(m[2] as string).replace(/\./g, '\\.')}\`\s*\|\s*(.*?)\s*\|\s*$`).exec(line);
      if (row && typeof value === 'string' && row[1] !== value) problems.push(`docs/ux.md:${i + 1}: ${m[1]}.${m[2]} quoted as "${row[1]}", the catalogue says "${value}"`);
    }
  });
  assert.ok(keys > 50, `only ${keys} catalogue keys cited in docs/ux.md`);
  assert.deepEqual(problems, []);
});

test('docs/ux.md "Errors in plain words" quotes the words the app uses', () => {
  const ux = doc('ux');
  const section = ux.slice(ux.indexOf('## Errors in plain words'), ux.indexOf('\n## ', ux.indexOf('## Errors in plain words') + 1));
  const sources = ['electron/core/plain-errors.ts', 'renderer/i18n/en.ts', 'electron/main/strings.ts'].map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
  const rows = [...section.matchAll(/^\|[^|]+\|\s*(.+?)\s*\|\s*$/gm)].map((m) => m[1] as string).filter((w) => !/^(-+|Words)$/.test(w));
  assert.ok(rows.length >= 7, `only ${rows.length} rows in the plain-words table`);
  // Placeholders ({host}, {time}) are filled by code; the words around them must be in a source as written.
  const missing = rows.flatMap((w) => w.split(/\{[^}]+\}/).map((s) => s.trim()).filter((s) => s.length > 3 && !sources.includes(s)).map((s) => `"${s}" (from "${w}")`));
  assert.deepEqual(missing, []);
});
