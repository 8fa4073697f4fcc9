// The publishing half: inputs → client → unchanged check → release or artifact (publish-build.ts is the step main.ts runs).
// Everything here is glue over the modules it re-exports; see those for the rules:
// visibility.ts (who may download), unchanged.ts (what makes a run skip), publish-release.ts (the
// run: find-release.ts, lock.ts, put-assets.ts, replace.ts), artifact.ts and manifest.ts (matrix).
import type { BuildPlan } from '../model.js';
import type { Log } from '../shared/log.js';
import { createReleaseClient, type ReleaseClient, type ReleaseClientOptions } from './github.js';
import type { PublishInputs } from './inputs.js';
import type { PublishRequest, ReleaseFile } from './request.js';
import type { UnchangedQuery } from './unchanged.js';

export * from './artifact.js';
export * from './find-release.js';
export * from './fingerprint.js';
export * from './github.js';
export * from './inputs.js';
export * from './lock.js';
export * from './locked-merge.js';
export * from './publish-release.js';
export * from './publish-series.js';
export * from './request.js';
export * from './series.js';
export * from './supersede.js';
export * from './unchanged.js';
export * from './visibility.js';
export { BUILD_INFO_NAME, parseBuildInfo, parseChecksums } from '../shared/release-files.js';

/** The client for this run's repository (GITHUB_REPOSITORY, GITHUB_API_URL, github-token). */
export function releaseClientFor(
  inputs: PublishInputs,
  log: Log,
  tuning: Pick<ReleaseClientOptions, 'retries' | 'retryBaseMs' | 'paceWrites' | 'throttleId'> = {},
): ReleaseClient {
  const { owner, repo, apiUrl } = inputs.github;
  if (owner === undefined || repo === undefined) {
    throw new Error('Publishing needs GITHUB_REPOSITORY (owner/name), which only GitHub Actions sets.');
  }
  return createReleaseClient({ ...tuning, token: inputs.token, apiUrl, owner, repo, log });
}

/** What checkUnchanged needs, from the plan (names are known before anything is built). */
export function unchangedQueryFor(inputs: PublishInputs, tag: string, plan: BuildPlan, fingerprint: string): UnchangedQuery {
  return {
    tag,
    name: inputs.releaseName,
    draft: inputs.draft,
    prerelease: inputs.prerelease,
    fingerprint,
    archiveNames: plan.targets.map((target) => target.archiveName),
    checksumsName: plan.checksumsName,
  };
}

/** What publishRelease needs: the archives (each with the fingerprint of the build that made it) and the body of a new release (release-text.ts). */
export function publishRequestFor(inputs: PublishInputs, tag: string, archives: readonly ReleaseFile[], checksumsName: string, body: string): PublishRequest {
  return {
    tag,
    name: inputs.releaseName,
    draft: inputs.draft,
    prerelease: inputs.prerelease,
    body,
    overwrite: inputs.overwrite,
    targetCommitish: inputs.github.sha,
    archives,
    checksumsName,
  };
}
