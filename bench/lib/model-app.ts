// The model app of the delta row (row 13): an installer made of a large framework part that no release
// changes (pseudo-random bytes, as incompressible as a compressed Electron framework) and an asar-like app
// payload (a JSON header of offsets, then JS-like text files and binary assets). Three versions: the base,
// a patch release (two files edited, the version bumped) and a minor release (5 % of the JS files edited,
// three new files, one image replaced). Deterministic: the same seed gives the same bytes.
import { createCipheriv, createHash } from 'node:crypto';

export interface ModelSize {
  frameworkBytes: number;
  jsFiles: number;
  images: number;
}

export const FULL_MODEL: ModelSize = { frameworkBytes: 80 * 1024 * 1024, jsFiles: 600, images: 40 };
export const SMOKE_MODEL: ModelSize = { frameworkBytes: 4 * 1024 * 1024, jsFiles: 60, images: 4 };

/** Pseudo-random bytes from AES-256-CTR over zeros: fast and reproducible. */
function noise(seed: string, n: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([c.update(Buffer.alloc(n)), c.final()]);
}

/** xorshift32: the small PRNG that picks words and places edits. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

const WORDS = ['const', 'let', 'return', 'function', 'await', 'async', 'if', 'else', 'for', 'of', 'new', 'this', 'state', 'props',
  'value', 'items', 'index', 'result', 'options', 'config', 'render', 'update', 'message', 'channel', 'release', 'version', 'error',
  'handler', 'window', 'document', 'element', 'length', 'map', 'filter', 'reduce', 'push', 'JSON.stringify', 'Promise.all', 'null',
  'undefined', 'true', 'false', '=>', '===', '&&', '||', '{', '}', '(', ')', ';', '.', ',', '0', '1', '42', "'id'", "'name'"];

/** A line of JS-like text. */
function codeLine(rand: () => number): string {
  const n = 4 + Math.floor(rand() * 12);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
  return `${'  '.repeat(Math.floor(rand() * 4))}${parts.join(' ')}\n`;
}

function codeFile(rand: () => number, bytes: number): string {
  let s = '';
  while (s.length < bytes) s += codeLine(rand);
  return s;
}

interface AppFile {
  name: string;
  data: Buffer;
}

/** asar's layout: a 4-byte header length, the JSON header (every file's offset and size), then the files. */
function packAsar(files: AppFile[]): Buffer {
  let offset = 0;
  const entries: Record<string, { offset: string; size: number }> = {};
  for (const f of files) {
    entries[f.name] = { offset: String(offset), size: f.data.length };
    offset += f.data.length;
  }
  const header = Buffer.from(JSON.stringify({ files: entries }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([len, header, ...files.map((f) => f.data)]);
}

function baseFiles(size: ModelSize): AppFile[] {
  const rand = prng(2024);
  const files: AppFile[] = [{ name: 'package.json', data: Buffer.from('{"name":"model-app","version":"2.0.0","main":"main.js"}') }];
  for (let i = 0; i < size.jsFiles; i++) files.push({ name: `src/module-${i}.js`, data: Buffer.from(codeFile(rand, 2_000 + Math.floor(rand() * 14_000))) });
  for (let i = 0; i < size.images; i++) files.push({ name: `assets/image-${i}.png`, data: noise(`image-${i}`, 20_000 + Math.floor(rand() * 80_000)) });
  return files;
}

/** Edits a text file in place: `edits` insertions of new lines and replaced lines at random places. */
function edit(file: AppFile, rand: () => number, edits: number): AppFile {
  const lines = file.data.toString().split('\n');
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * lines.length);
    if (rand() < 0.5) lines.splice(at, 0, ...codeFile(rand, 150 + Math.floor(rand() * 300)).split('\n').slice(0, -1));
    else lines[at] = codeLine(rand).slice(0, -1);
  }
  return { name: file.name, data: Buffer.from(lines.join('\n')) };
}

export interface ModelApp {
  base: Buffer;
  patch: Buffer;
  minor: Buffer;
  frameworkBytes: number;
}

export function modelApp(size: ModelSize): ModelApp {
  const framework = noise('electron-framework', size.frameworkBytes);
  const files = baseFiles(size);
  const installer = (fs: AppFile[]) => Buffer.concat([framework, packAsar(fs)]);
  const js = files.map((f, i) => (f.name.endsWith('.js') ? i : -1)).filter((i) => i >= 0);

  const rPatch = prng(7);
  const patchFiles = files.slice();
  patchFiles[0] = { name: 'package.json', data: Buffer.from('{"name":"model-app","version":"2.0.1","main":"main.js"}') };
  for (let k = 0; k < 2; k++) {
    const i = js[Math.floor(rPatch() * js.length)] as number;
    patchFiles[i] = edit(patchFiles[i] as AppFile, rPatch, 2);
  }

  const rMinor = prng(99);
  const minorFiles = files.slice();
  minorFiles[0] = { name: 'package.json', data: Buffer.from('{"name":"model-app","version":"2.1.0","main":"main.js"}') };
  const changed = Math.max(1, Math.round(js.length * 0.05));
  for (let k = 0; k < changed; k++) {
    const i = js[Math.floor(rMinor() * js.length)] as number;
    minorFiles[i] = edit(minorFiles[i] as AppFile, rMinor, 3);
  }
  for (let k = 0; k < 3; k++) minorFiles.push({ name: `src/feature-${k}.js`, data: Buffer.from(codeFile(rMinor, 8_000)) });
  const img = minorFiles.findIndex((f) => f.name.endsWith('.png'));
  if (img >= 0) minorFiles[img] = { name: (minorFiles[img] as AppFile).name, data: noise('new-image', 40_000) };

  return { base: installer(files), patch: installer(patchFiles), minor: installer(minorFiles), frameworkBytes: size.frameworkBytes };
}
