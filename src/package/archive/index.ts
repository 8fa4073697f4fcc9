// Deterministic, streaming writers for the release archives.
export type { ArchiveEntry, ArchiveResult } from './entries.js';
export { writeTarGz } from './tar.js';
export { writeZip } from './zip.js';
