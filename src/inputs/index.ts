// The inputs, read and validated before anything is downloaded: the two configs, the
// credential's lifetime, the patches and the release body file.
export { configSummaryOf, credentialsExpireOutput, isoDay, withConfigsChecked } from './config-checks.js';
export { decodeConfig, parseBoolean, parseBuildInputs, UPSTREAM_CONFIG } from './inputs.js';
export type { InputReader } from './inputs.js';
export { editDistance } from './kt-config.js';
export { readPatch, resolvePatches } from './patches.js';
export { validateForUpstream } from './upstream-checks.js';
export { readWorkspaceFile } from './workspace-file.js';
