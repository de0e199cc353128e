// CLI failures: usage errors exit 2, everything else (a refused publish, a missing file) exits 1.
export class UsageError extends Error {}
export class CliError extends Error {
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}
