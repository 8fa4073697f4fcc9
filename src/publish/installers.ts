// The installers as release files: written beside the archives, then published like them (a
// checksums line each, the build's fingerprint).
import type { GitHubTarget } from './inputs.js';
import { extraReleaseFile } from './release-extras.js';
import { type InstallerArchive, writeInstallers } from '../package/index.js';
import type { ReleaseFile } from '../model.js';

export interface InstalledRelease {
  readonly tag: string;
  readonly version: string;
  readonly checksumsName: string;
  readonly archives: readonly InstallerArchive[];
  /** The workflow attests the archives (input `attestation`): the installers then run `gh attestation verify`. */
  readonly attested: boolean;
}

export async function installerReleaseFiles(dir: string, github: GitHubTarget, release: InstalledRelease, fingerprint: string): Promise<ReleaseFile[]> {
  if (github.owner === undefined || github.repo === undefined)
    throw new Error('Installers need GITHUB_REPOSITORY (owner/name), which only GitHub Actions sets.');
  const files = await writeInstallers(dir, {
    ...release,
    repository: `${github.owner}/${github.repo}`,
    serverUrl: github.serverUrl,
    apiUrl: github.apiUrl,
  });
  return Promise.all(files.map((file) => extraReleaseFile(file, fingerprint)));
}
