/**
 * A bad input: the message names the input and says what to do. Thrown before
 * anything is downloaded or built, so a run that fails with it has changed nothing.
 */
export class InputError extends Error {
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`Input '${input}': ${detail}`);
    this.name = 'InputError';
  }
}

/** The message of anything thrown, without a stack: stacks can carry file contents. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
