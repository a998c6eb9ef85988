// A mistake in how dedc was called (a missing file, a bad option value): printed as one line
// with a pointer to --help, exit code 2. Problems in programs are diagnostics instead (exit 1).

export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}
