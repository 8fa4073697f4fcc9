// The glue between the publish inputs and the modules that do the work: the release client of
// this run's repository, and what checkUnchanged and publishRelease are asked.
import type { BuildPlan, ReleaseFile } from '../model.js';
import type { Log } from '../shared/index.js';
import { createReleaseClient, type ReleaseClient, type ReleaseClientOptions } from './github.js';
import type { PublishInputs } from './inputs.js';
import type { PublishRequest } from './request.js';
import type { UnchangedQuery } from './unchanged.js';

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
