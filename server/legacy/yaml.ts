// The little YAML electron-updater's files need, written by hand: mappings, one list of mappings, strings,
// whole numbers. Every string is a double-quoted scalar, so no value can turn into a number, a boolean, a
// date or a new key (`2.1`, `yes`, `a: b`, `- x`, `#`), whatever the publisher wrote.
export type YamlValue = string | number | YamlMap[];
export interface YamlMap {
  [key: string]: YamlValue | undefined;
}

/**
 * A YAML 1.2 double-quoted scalar. JSON's escaping is valid there; on top of it, characters YAML wants
 * escaped (DEL, C1 controls, BOM, the line/paragraph separators that YAML 1.1 readers treat as breaks,
 * noncharacters) are written as \uXXXX.
 */
export function yamlString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalar(value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`only whole numbers are written, got ${value}`);
    return String(value);
  }
  return yamlString(value);
}

/** Keys are plain identifiers we choose (never publisher text). */
function key(k: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(k)) throw new Error(`not a plain YAML key: ${k}`);
  return k;
}

function lines(map: YamlMap, indent: string, first: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(map)) {
    if (v === undefined) continue;
    const lead = out.length === 0 ? first : indent;
    if (Array.isArray(v)) {
      out.push(`${lead}${key(k)}:`);
      for (const item of v) out.push(...lines(item, `${indent}    `, `${indent}  - `));
    } else {
      out.push(`${lead}${key(k)}: ${scalar(v)}`);
    }
  }
  return out;
}

/** A YAML document of one mapping; `undefined` values are left out. */
export function toYaml(map: YamlMap): string {
  return `${lines(map, '', '').join('\n')}\n`;
}
