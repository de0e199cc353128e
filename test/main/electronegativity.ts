// Runs electronegativity (offline: see offline-got.cjs) and returns its SARIF findings.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Finding { rule: string; file: string; line: number; text: string }

export function scan(input: string): Finding[] {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-en-')), 'report.sarif');
  execFileSync(process.execPath, [
    '--require', path.resolve('test/main/offline-got.cjs'), path.resolve('node_modules/@doyensec/electronegativity/dist/index.js'),
    '-i', input, '-o', out, '-r', '-e', '45.4.1', '-x', 'AvailableSecurityFixesGlobalCheck',
  ], { stdio: 'pipe', timeout: 60_000 });
  const sarif = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results: { ruleId: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
  return sarif.runs[0]!.results.map((r) => ({
    rule: r.ruleId, text: r.message.text,
    file: r.locations[0]?.physicalLocation.artifactLocation.uri ?? '', line: r.locations[0]?.physicalLocation.region.startLine ?? 0,
  }));
}

/** The checks that must never report anything for our code. */
export const forbidden = /NODE_INTEGRATION|CONTEXT_ISOLATION|SANDBOX|CSP|NAVIGATION|PERMISSION_REQUEST|AUXCLICK|WEB_SECURITY|INSECURE_CONTENT|EXPERIMENTAL_FEATURES|BLINK_FEATURES|PRELOAD|REMOTE_MODULE|CERTIFICATE|DANGEROUS_FUNCTIONS|PROTOCOL_HANDLERS|CUSTOM_ARGUMENTS|SECURITY_WARNINGS|HTTP_RESOURCES|ALLOWPOPUPS/;
