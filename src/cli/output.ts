// What every command shares, apart from the command line itself: how it prints (human text, or
// JSON with --json) and the error that means "the command was used wrongly" (exit code 2). Its own
// module so that the commands need not import the entry point that imports them.

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export interface Output {
  json: boolean;
  print(human: string, data: unknown): void;
}

export function output(json: boolean): Output {
  return {
    json,
    print(human, data) {
      process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    },
  };
}
