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

/**
 * Electronegativity's own runner, as its CLI calls it with `-o report.sarif -r -e 45.4.1 -x AvailableSecurityFixesGlobalCheck`,
 * but asked for the files it couldn't parse, which the CLI keeps to itself when it writes a report.
 */
const RUNNER = `
  const m = require(process.argv[1]);
  const run = m.default ?? m;
  run({ input: process.argv[2], output: process.argv[3], isSarif: true, customScan: [], excludeFromScan: ['availablesecurityfixesglobalcheck'],
    isRelative: true, isVerbose: true, electronVersionOverride: '45.4.1', parserPlugins: [] }, false)
    .then((r) => console.log('SCAN_ERRORS ' + JSON.stringify(r.errors.filter((e) => !e.tolerable))))
    .catch((e) => { console.error(e && e.stack || e); process.exit(1); });
`;

export function scan(input: string): Finding[] {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-en-')), 'report.sarif');
  const target = scannable(input);
  const r = spawnSync(process.execPath, [
    '--require', path.resolve('test/main/offline-got.cjs'), '-e', RUNNER,
    path.resolve('node_modules/@doyensec/electronegativity/dist/runner.js'), target, out,
  ], { encoding: 'utf8', timeout: 60_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('SCAN_ERRORS '));
  if (r.status !== 0 || !line) throw new Error(`electronegativity failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  const unread = JSON.parse(line.slice('SCAN_ERRORS '.length)) as { file: string; message: string }[];
  if (unread.length > 0) throw new Error(`electronegativity could not read ${unread.map((e) => `${e.file} (${e.message})`).join(', ')}, so its findings would be incomplete`);
  const sarif = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
  return sarif.runs[0]!.results.map((r) => ({
    rule: r.ruleId, text: r.message.text,
    file: r.locations[0]?.physicalLocation.artifactLocation.uri ?? '', line: r.locations[0]?.physicalLocation.region.startLine ?? 0,
  }));
}

/** The checks that must never report anything for our code. */
export const forbidden = /NODE_INTEGRATION|CONTEXT_ISOLATION|SANDBOX|CSP|NAVIGATION|PERMISSION_REQUEST|AUXCLICK|WEB_SECURITY|INSECURE_CONTENT|EXPERIMENTAL_FEATURES|BLINK_FEATURES|PRELOAD|REMOTE_MODULE|CERTIFICATE|DANGEROUS_FUNCTIONS|PROTOCOL_HANDLERS|CUSTOM_ARGUMENTS|SECURITY_WARNINGS|HTTP_RESOURCES|ALLOWPOPUPS/;
