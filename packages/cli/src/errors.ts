/** Exit codes: 0 done, 1 failed, 2 usage (or a PARTIAL run), 130 interrupted by Ctrl-C. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, partial: 2, interrupted: 130 } as const;

/** A failure told to the person as one sentence on stderr; never a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = exitCodes.failed,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, exitCodes.usage);
    this.name = 'UsageError';
  }
}

/** The one line a person sees for any failure, whatever was thrown. */
export function sentenceFor(error: unknown): string {
  if (error instanceof CliError) return oneLine(error.message);
  const detail = error instanceof Error ? error.message : String(error);
  return oneLine(`Something went wrong: ${detail || 'no details'}.`);
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
