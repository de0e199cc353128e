// Runs electronegativity (offline: see offline-got.cjs) and returns its SARIF findings.
//
// Its JavaScript parser predates class private members (`#field`): a bundle holding one fails to parse with
// "Unknown node type ClassPrivateProperty", the file is silently left out, and the global checks then report a
// missing CSP, navigation limits and permission handler. So built JavaScript is scanned from a copy with only
// private members lowered (TypeScript's transpile to ES2021; everything the checks look at stays as written),
// and any file the scanner still can't parse fails the scan instead of passing unread.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

export interface Finding { rule: string; file: string; line: number; text: string }

const JS = /\.(c|m)?js$/;

/** A copy of `input` whose JavaScript files have class private members lowered; .ts sources are copied as they are. */
function scannable(input: string): string {
  if (!statSync(input).isDirectory()) return input;
  const copy = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-en-src-')), path.basename(input));
  cpSync(input, copy, { recursive: true });
  for (const rel of readdirSync(copy, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(copy, rel);
    if (!JS.test(file) || !statSync(file).isFile()) continue;
    const code = readFileSync(file, 'utf8');
    if (!code.includes('#')) continue;
    const out = ts.transpileModule(code, { fileName: file, compilerOptions: { target: ts.ScriptTarget.ES2021, module: ts.ModuleKind.Preserve, allowJs: true, removeComments: false } });
    writeFileSync(file, out.outputText);
  }
  return copy;
}

export function scan(input: string): Finding[] {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-en-')), 'report.sarif');
  const target = scannable(input);
  const r = spawnSync(process.execPath, [
    '--require', path.resolve('test/main/offline-got.cjs'), path.resolve('node_modules/@doyensec/electronegativity/dist/index.js'),
    '-i', target, '-o', out, '-r', '-e', '45.4.1', '-x', 'AvailableSecurityFixesGlobalCheck',
  ], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`electronegativity exited ${r.status ?? r.signal}: ${r.stderr}`);
  const unread = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /\bError parsing\b/.test(l) && !/Tolerable error parsing/i.test(l));
  if (unread.length > 0) throw new Error(`electronegativity could not read every file, so its findings would be incomplete:\n${unread.join('\n')}`);
  const sarif = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
  return sarif.runs[0]!.results.map((r) => ({
    rule: r.ruleId, text: r.message.text,
    file: r.locations[0]?.physicalLocation.artifactLocation.uri ?? '', line: r.locations[0]?.physicalLocation.region.startLine ?? 0,
  }));
}

/** The checks that must never report anything for our code. */
export const forbidden = /NODE_INTEGRATION|CONTEXT_ISOLATION|SANDBOX|CSP|NAVIGATION|PERMISSION_REQUEST|AUXCLICK|WEB_SECURITY|INSECURE_CONTENT|EXPERIMENTAL_FEATURES|BLINK_FEATURES|PRELOAD|REMOTE_MODULE|CERTIFICATE|DANGEROUS_FUNCTIONS|PROTOCOL_HANDLERS|CUSTOM_ARGUMENTS|SECURITY_WARNINGS|HTTP_RESOURCES|ALLOWPOPUPS/;
