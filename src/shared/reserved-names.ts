// The file names the action keeps for itself on a release and beside the archives, in one place:
// input checking (asset-name-template), the publish request, and `mode: publish` manifests all
// ask reservedNameKind. Pure.

/**
 * Assets whose names start with this are the action's own working copies: the lock, new
 * archives waiting to be swapped in, old ones kept until the new set is complete. They are
 * never listed in the checksums file, and a run holding the lock removes any left over.
 */
export const TEMP_PREFIX = 'ktctl-tmp-';

/** The release asset that records which build made each archive (fingerprints and checksums, no secrets). */
export const BUILD_INFO_NAME = 'build-info.json';

/** The images ktctl starts and their names in the cluster's registry. */
export const IMAGES_FILE = 'images.txt';

/** Written next to a build job's archives and uploaded with them (mode: build). */
export const MANIFEST_NAME = 'ktctl-build-manifest.json';

/** The one-line installers published with every release. */
const INSTALLER_NAMES = ['install.sh', 'install.ps1'] as const;

const CHECKSUMS_SUFFIX = '_checksums.txt';
const SBOM_SUFFIX = '_sbom.spdx.json';

/** `ktctl_<version>_checksums.txt`. */
export function checksumsNameFor(version: string): string {
  return `ktctl_${version}${CHECKSUMS_SUFFIX}`;
}

/** `ktctl_<version>_sbom.spdx.json`. */
export function sbomNameFor(version: string): string {
  return `ktctl_${version}${SBOM_SUFFIX}`;
}

export type ReservedKind = 'working copy' | 'build info' | 'checksums file' | 'SBOM' | 'images list' | 'build manifest' | 'installer';

/**
 * Which of the action's own names `name` is, or undefined. Compared without regard to case: a
 * release on a case-insensitive disk (a developer's download folder) must not hold two of them.
 * The checksums file and the SBOM are reserved for every version, not only this run's.
 */
export function reservedNameKind(name: string): ReservedKind | undefined {
  const lower = name.toLowerCase();
  if (lower.startsWith(TEMP_PREFIX)) return 'working copy';
  if (lower === BUILD_INFO_NAME) return 'build info';
  if (lower === IMAGES_FILE) return 'images list';
  if (lower === MANIFEST_NAME) return 'build manifest';
  if ((INSTALLER_NAMES as readonly string[]).includes(lower)) return 'installer';
  if (lower.startsWith('ktctl_') && lower.endsWith(CHECKSUMS_SUFFIX)) return 'checksums file';
  if (lower.startsWith('ktctl_') && lower.endsWith(SBOM_SUFFIX)) return 'SBOM';
  return undefined;
}
