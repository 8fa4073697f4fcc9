// Proves what ships: each built ktctl is checked before upx packs it (upx hides the Go build
// info), and the one that can run on this machine is run. `go build` exiting 0 proves little:
// these checks read what the binary itself says.
export * from './build-info.js';
export * from './settings.js';
export * from './checks.js';
export { checkNavigatorInBinary } from './navigator.js';
