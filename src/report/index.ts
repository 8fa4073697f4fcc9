// Tells the workflow what was built: the step outputs and the job summary.
export { reportBuild, reportBuilding, reportCredentialsExpire, reportDryRun, reportPlanned, reportUnchanged } from './report.js';
