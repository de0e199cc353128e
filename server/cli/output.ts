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

/** Files below this size are hashed without a progress line (it would only flicker). */
export const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/**
 * A progress line on stderr for large files: rewritten in place at most every 200 ms on a terminal,
 * and one plain line per 10 % otherwise (CI logs). Sizes unknown in advance (a download without
 * Content-Length) are reported every 64 MB off a terminal.
 */
export function progress(label: string, total: number | null, stream: NodeJS.WriteStream = process.stderr): { update(done: number): void; end(): void } {
  const tty = stream.isTTY === true;
  let lastPct = -10;
  let lastAt = 0;
  let lastMb = 0;
  let open = false;
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return {
    update(done) {
      if ((total ?? done) < PROGRESS_MIN_BYTES) return;
      const finished = total !== null && done >= total;
      if (tty) {
        const now = Date.now();
        if (now - lastAt < 200 && !finished) return;
        lastAt = now;
        const pct = total ? ` (${Math.floor((done / total) * 100)} %)` : '';
        stream.write(`\r${label}: ${mb(done)}${total ? ` of ${mb(total)}` : ''} MB${pct}   `);
        open = true;
      } else if (total) {
        const pct = Math.floor((done / total) * 100);
        if (pct < lastPct + 10 && !finished) return;
        lastPct = pct;
        stream.write(`${label}: ${pct} % of ${mb(total)} MB\n`);
      } else if (done - lastMb >= 64 * 1048576) {
        lastMb = done;
        stream.write(`${label}: ${mb(done)} MB\n`);
      }
    },
    /** Ends an in-place line, so what follows starts on a line of its own. */
    end() {
      if (open) stream.write('\n');
      open = false;
    },
  };
}
