// Proves what ships: each built ktctl is checked before upx packs it (upx hides the Go build
// info), and the one that can run on this machine is run.
export { parseModulePath } from './build-info.js';
export { binaryChecks } from './checks.js';
export type { BinaryChecks } from './checks.js';
export { checkNavigatorInBinary } from './navigator.js';
export { runsHere } from './settings.js';
