// The build number that tells rebuilds of one version apart (a kubeconfig rotation rebuilds
// `ktctl version 0.3.7` as `ktctl version 0.3.7`): `<run number>.<run attempt>` of the workflow
// run that built it, as GitHub Actions numbers them.
//
// Why the run's numbers and not a count kept on the release: they are known before anything is
// built (the notes and the installers need it), every job of one run (a matrix) gets the same
// number without talking to each other, nothing is read back from the release (no race between
// jobs, nothing to trust there), and they only grow: GITHUB_RUN_NUMBER grows with every run of
// the workflow, GITHUB_RUN_ATTEMPT with every re-run of one run. What it does not cover: two
// different workflow files publishing the same release count separately.

/** `42.1`, or undefined outside GitHub Actions (the local command): no number is made up. */
export function buildNumber(env: NodeJS.ProcessEnv): string | undefined {
  const run = env['GITHUB_RUN_NUMBER'] ?? '';
  const attempt = env['GITHUB_RUN_ATTEMPT'] || '1';
  if (!/^[1-9][0-9]{0,9}$/.test(run) || !/^[1-9][0-9]{0,4}$/.test(attempt)) return undefined;
  return `${run}.${attempt}`;
}
