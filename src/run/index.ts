// The conductors of a run: reading and checking the inputs, the plan, the build half as four
// phases (prepare the source, install the tools, build and check, package), and the dry run.
export type { PlannedBuild } from './build-phases.js';
export { dryRunChecks, dryRunPlan, planText } from './dry-run.js';
export { buildInWorkspace, planFor, resolveUpstreamTag, withOutputDirChecked, withPatchFiles, withRegistryImages } from './pipeline.js';
export { inputReaderOf, maskInputSecrets, readRunInputs, releaseClientForRun } from './run-inputs.js';
export type { RunInputs } from './run-inputs.js';
export { planRun } from './run-plan.js';
