// CLI failures: usage errors exit 2, everything else (a refused publish, a missing file) exits 1.
// `field` names what was wrong (a flag, or the JSON path the feed reported) for --json output.
export class CliError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}
export class UsageError extends CliError {}
