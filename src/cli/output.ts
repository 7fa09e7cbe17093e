// What every command shares, apart from the command line itself: how it prints (human text, or
// JSON with --json) and the error that means "the command was used wrongly" (exit code 2). Its own
// module so that the commands need not import the entry point that imports them.

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Where a command writes: process.stdout and process.stderr, or a test's buffers. */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Output {
  json: boolean;
  /** For progress and notes that are not the result (copy's progress on a terminal). */
  stderr: CliStream;
  print(human: string, data: unknown): void;
}

export function output(
  json: boolean,
  stdout: CliStream = process.stdout,
  stderr: CliStream = process.stderr,
): Output {
  return {
    json,
    stderr,
    print(human, data) {
      stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    },
  };
}
