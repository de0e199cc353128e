// One line per goal, in the format performance.md asks for, and the same figures as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Figure {
  label: string;
  /** Median over the runs; null when the target could not run. */
  value: number | null;
  unit: string;
  runs: number[];
}

export interface Goal {
  op: '≥' | '≤';
  /** Ratio target (ours / anchor); absent when only an absolute bound is the goal. */
  ratio?: number;
  /** Extra absolute bound on ours, in ours' unit (e.g. 10 KB, 50 ms). */
  absolute?: number;
}

export interface Line {
  name: string;
  kind: 'goal' | 'aa';
  ours: Figure;
  anchor: Figure;
  ratio: number | null;
  goal: Goal;
  /** Whether the goal is met (null: anchor unavailable, or an A/A line). */
  met: boolean | null;
  /** Why the anchor could not run. */
  unavailable?: string;
  /** Why the figures may not judge the goal (e.g. load from a generator slower than the servers). */
  unjudged?: string;
  text: string;
}

const digits = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
export const show = (f: Figure) => (f.value === null ? 'unavailable' : `${digits(f.value)} ${f.unit}`);

/** Ratios far below 1 (bytes of a delta against a full download) keep their significant digits. */
const ratioText = (r: number) => (Math.abs(r) >= 0.01 || r === 0 ? r.toFixed(2) : r.toFixed(5));

export function goalText(g: Goal, unit: string): string {
  if (g.ratio === undefined) return `${g.op} ${g.absolute} ${unit}`;
  return `${g.op} ${ratioText(g.ratio)}x${g.absolute !== undefined ? `, ours ${g.op} ${g.absolute} ${unit}` : ''}`;
}

export function makeLine(name: string, ours: Figure, anchor: Figure, goal: Goal, kind: 'goal' | 'aa' = 'goal', unavailable?: string): Line {
  const ratio = ours.value !== null && anchor.value !== null && anchor.value !== 0 ? ours.value / anchor.value : null;
  const cmp = (a: number, b: number) => (goal.op === '≥' ? a >= b : a <= b);
  const met = kind === 'aa' || ratio === null || ours.value === null ? null
    : (goal.ratio === undefined || cmp(ratio, goal.ratio)) && (goal.absolute === undefined || cmp(ours.value, goal.absolute));
  const goalPart = kind === 'aa' ? `goal ≈ 1.00x, A/A: "ours" is a second copy of ${anchor.label}` : `goal ${goalText(goal, ours.unit)}`;
  let text = `${name}: ours ${show(ours)} vs ${anchor.label} ${show(anchor)} = ${ratio === null ? 'n/a' : `${ratioText(ratio)}x`} (${goalPart})`;
  if (unavailable) text += ` [${anchor.label} skipped: ${unavailable}]`;
  return { name, kind, ours, anchor, ratio, goal, met, unavailable, text };
}

export interface RowResult {
  row: number;
  title: string;
  lines: Line[];
  /** Hard facts checked along the way (status codes, empty bodies, byte counts, deliveries). */
  facts: Record<string, unknown>;
  notes: string[];
  seconds: number;
}

export function writeResults(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
}

/** Marks a line undecided when its distance from the goal is within the A/A noise of its row. */
export function verdict(line: Line, noise: number): string {
  if (line.kind === 'aa' || line.ratio === null || line.met === null) return 'n/a';
  // Distance from the goal, relative: of the ratio to its target, or of ours to an absolute-only bound.
  const g = line.goal;
  const off = g.ratio !== undefined
    ? Math.abs(line.ratio - g.ratio) / g.ratio
    : Math.abs((line.ours.value as number) - (g.absolute as number)) / (g.absolute as number);
  return off <= noise ? 'undecided' : line.met ? 'met' : 'missed';
}
