// The archives, checksums, SBOM, images list and installers, written into the output
// folder without following a link.
export { collectedArchives, installerArchives, writeInstallers } from './installers/index.js';
export { INSTALL_PS1_NAME, INSTALL_SH_NAME, STATE_FILE_NAME } from './installers/model.js';
export type { InstallerArchive } from './installers/model.js';
export { packageArchives } from './pack.js';
export { packageCollected, writeBuildRecords } from './records.js';
export { publicRepositoryUrl, sbomCreated, sbomText } from './sbom.js';
export type { SbomInput } from './sbom.js';
