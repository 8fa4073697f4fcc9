// How long the action waits before it tries a network step again. Every wait the action makes on
// purpose (retries of downloads, the module proxy and GitHub's API, the release lock's polling,
// the pacing of GitHub writes) is a number of units of this length, so a test can make them all
// short at once without touching how many attempts are made or in what order.
// Pure: read from the environment the run was given.

/**
 * For tests only: milliseconds in one unit of retry wait (default 1000, a second). A fault test
 * sets it to 1 so a retried download costs milliseconds; the count of attempts stays the same.
 */
export const RETRY_UNIT_VARIABLE = 'KTCTL_CUSTOMIZE_TEST_RETRY_UNIT_MS';

export const DEFAULT_RETRY_UNIT_MS = 1000;

/** The length of one unit of retry wait in milliseconds: KTCTL_CUSTOMIZE_TEST_RETRY_UNIT_MS, or a second. */
export function retryUnitMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[RETRY_UNIT_VARIABLE]?.trim() ?? '';
  if (text === '') return DEFAULT_RETRY_UNIT_MS;
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 60_000)) {
    throw new Error(`Environment variable ${RETRY_UNIT_VARIABLE} (for tests only) must be a whole number of milliseconds from 0 to 60000.`);
  }
  return value;
}
