// The file names the action itself puts on a release, or beside the archives of a build job, for
// a given version. No archive may take one of them: it would be overwritten by, or overwrite, the
// action's own file, or be mistaken for it (a checksums file that is an archive, an SBOM that is
// not one).
import { IMAGES_FILE } from '../images.js';
import { BUILD_INFO_NAME } from '../release-files.js';
import { sbomNameFor } from '../sbom.js';
import { MANIFEST_NAME } from './manifest.js';
import { TEMP_PREFIX } from './request.js';

/** `ktctl_<version>_checksums.txt` (plan.ts). */
export function checksumsNameFor(version: string): string {
  return `ktctl_${version}_checksums.txt`;
}

/** Every name the action uses itself for a release of `version`, but the working copies (TEMP_PREFIX…). */
export function reservedAssetNames(version: string): readonly string[] {
  return [checksumsNameFor(version), BUILD_INFO_NAME, sbomNameFor(version), IMAGES_FILE, MANIFEST_NAME];
}

/** True when an archive may not be named `name` in a release of `version`. */
export function isReservedAssetName(name: string, version: string): boolean {
  return name.startsWith(TEMP_PREFIX) || reservedAssetNames(version).includes(name);
}
