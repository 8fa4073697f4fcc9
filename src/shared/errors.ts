/**
 * A bad input: the message names the input and says what to do. Thrown by the input checks
 * before any network step, and by the few checks that need what was fetched (the upstream tag,
 * the source's image constants, a patch that does not apply, a tool's version): always before
 * anything is built or published, so a run that fails with it has published nothing.
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
