// `npm test` (the developer loop) or `npm run test:all` (everything, as CI runs it): scripts/test.mjs
// sets KTCTL_TEST_ALL=1 for the second. A matrix too long for the loop runs a sample there, chosen
// so that every row and every column of it still runs; CI runs all of it.
export const RUN_EVERYTHING = process.env['KTCTL_TEST_ALL'] === '1';

/**
 * Whether cell (row, column) of a matrix runs in this scope: all of them under test:all; in the
 * loop, one column in `stride` per row, shifted by the row, so every column runs for some row.
 */
export function inSample(row: number, column: number, stride = 3): boolean {
  return RUN_EVERYTHING || (column + row) % stride === 0;
}

/**
 * Options for a test (or suite) that only `npm run test:all` runs: an end-to-end repeat of a case
 * `provenBy` already proves in the loop in process, or a further variant of a path the loop runs
 * end to end once, where the repeat costs seconds of CPU. The loop reports it as skipped, saying
 * where the same thing is proven; CI runs it.
 */
export function allOnly(provenBy: string): { readonly skip?: string } {
  return RUN_EVERYTHING ? {} : { skip: `npm run test:all runs it; the loop proves it in ${provenBy}` };
}
