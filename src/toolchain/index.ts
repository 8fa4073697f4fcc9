// Go, upx and wintun: chosen, downloaded with limits, checked against a SHA-256, unpacked
// with only regular files taken, and kept in the runner's tool cache.
export { extractDownload } from './extract.js';
export { chooseGo, installGo } from './go.js';
export type { InstalledGo } from './go.js';
export { DownloadError, fetchText, HttpStatusError, isRetryable, NoAnswerError, probeUrl } from './http-get.js';
export { hostPlatform } from './platform.js';
export type { HostPlatform } from './platform.js';
export { installUpx, runnerTools, upxSourceFor } from './upx.js';
export type { InstalledUpx, ToolLookups, UpxSource } from './upx.js';
export { fetchWintun } from './wintun.js';
