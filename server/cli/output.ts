// Output for people (plain lines) or scripts (--json: one JSON document on stdout).
export interface Out {
  json: boolean;
  /** A result: printed as JSON with --json, else as the given lines. */
  result(data: unknown, lines: string[]): void;
  /** Progress and notes go to stderr, so stdout stays clean for pipes. */
  note(line: string): void;
}

export function makeOut(json: boolean): Out {
  return {
    json,
    result(data, lines) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : lines.map((l) => `${l}\n`).join(''));
    },
    note(line) {
      process.stderr.write(`${line}\n`);
    },
  };
}

/** A throttled progress line on stderr: rewritten in place on a TTY, every 10 % otherwise. */
export function progress(label: string, total: number | null): (done: number) => void {
  const tty = process.stderr.isTTY;
  let lastPct = -10;
  let lastAt = 0;
  return (done) => {
    const pct = total ? Math.floor((done / total) * 100) : null;
    const now = Date.now();
    if (tty) {
      if (now - lastAt < 100 && done !== total) return;
      lastAt = now;
      const mb = (done / 1048576).toFixed(1);
      process.stderr.write(`\r${label}: ${mb} MB${pct !== null ? ` (${pct} %)` : ''}   `);
      if (done === total) process.stderr.write('\n');
    } else if (pct !== null && total && total > 8 * 1048576 && (pct >= lastPct + 10 || done === total)) {
      lastPct = pct;
      process.stderr.write(`${label}: ${pct} %\n`);
    }
  };
}
