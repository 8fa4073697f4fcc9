// The publishing run, step by step: find or create the release (a draft), take its lock, repair
// what an interrupted run left, put the assets (put-assets.ts, replace.ts), let go of the lock and
// publish the draft (a lock published with it would stay for good with immutable releases on), or,
// on a published release, delete what the swap set aside and let go of the lock.
// Which release of a series to publish to (immutable releases) is decided before: publish-series.ts.
//
// Several jobs publishing to one tag (a matrix of `mode: all` jobs) take turns through the lock
// (lock.ts): each one sees the release as the previous one left it, so its checksums file and
// build-info.json are complete. Each job publishes once its own archives are in, so with many
// `mode: all` jobs the release can become public before the slowest job's archives are in; for
// all-or-nothing, use mode: build jobs and one mode: publish job.
import { messageOf, type Log, BUILD_INFO_NAME, TEMP_PREFIX } from '../shared/index.js';
import { ensureTag, findRelease, resolveRelease } from './find-release.js';
import { isNotFound, type ReleaseClient, type ReleaseInfo, type ReleasePatch } from './github.js';
import { mergeUnderLock } from './locked-merge.js';
import { LOCK_NAME, takeLock, type LockTiming } from './lock.js';
import { putAssets } from './put-assets.js';
import { repairLeftovers } from './replace.js';
import { checkRequest, resultOf, type PublishRequest, type PublishResult } from './request.js';

/** Waits of the lock between concurrent jobs; tests make them tiny. */
export type PublishTiming = LockTiming;

/** The release this run used is not the one kept for the tag: start over on that one. */
class MovedRelease extends Error {
  constructor(readonly to: number | undefined) {
    super(`the release moved to ${to ?? 'nowhere'}`);
  }
}

/**
 * Puts the archives on the release for request.tag and publishes it (unless draft), all or nothing:
 * a new release stays a draft until every archive, the checksums file and build-info.json are in;
 * an existing published release is changed by the staged swap of replace.ts.
 */
export async function publishRelease(client: ReleaseClient, request: PublishRequest, log: Log, timing: PublishTiming = {}): Promise<PublishResult> {
  checkRequest(request);
  for (let attempt = 1; ; attempt++) {
    const { release, created } = await resolveRelease(client, request, log);
    try {
      return await publishTo(client, release, created, request, log, timing);
    } catch (error) {
      if (attempt >= 4) throw error;
      if (error instanceof MovedRelease) continue;
      if (isNotFound(error) && (await findRelease(client, request.tag))?.id !== release.id) {
        log.info(`Release ${release.id} was removed by another job while we used it; starting over.`);
        continue;
      }
      throw error;
    }
  }
}

/** The release for the tag is immutable: nothing of it may be touched (publish-series.ts publishes a new one). */
export class ImmutableReleaseError extends Error {
  constructor(tag: string) {
    super(`Release ${tag} is immutable (published while immutable releases were on), so its assets cannot change; choose another release-tag.`);
    this.name = 'ImmutableReleaseError';
  }
}

function refuseImmutable(release: ReleaseInfo, tag: string): void {
  if (release.immutable) throw new ImmutableReleaseError(tag);
}

async function publishTo(
  client: ReleaseClient,
  resolved: ReleaseInfo,
  created: boolean,
  request: PublishRequest,
  log: Log,
  timing: PublishTiming,
): Promise<PublishResult> {
  refuseImmutable(resolved, request.tag);
  const taken = await takeLock(client, resolved, log, timing);
  let released = false;
  const lock = {
    release: async (): Promise<void> => {
      if (released) return;
      released = true;
      await taken.release();
    },
  };
  try {
    // The release as it is now that no one else writes to it (the previous holder may have published it).
    const release = await findRelease(client, request.tag);
    if (release?.id !== resolved.id) {
      if (created) await client.deleteRelease(resolved.id);
      throw new MovedRelease(release?.id);
    }
    refuseImmutable(release, request.tag);
    const shared = [request.checksumsName, BUILD_INFO_NAME];
    const assets = await client.listAssets(release.id);
    const repaired = await repairLeftovers(client, release, assets, shared, log);
    const listed = repaired ? await client.listAssets(release.id) : assets;
    // the SBOM describes every archive on the release: merged with the release's copy, under the lock
    const merged = await mergeUnderLock(client, listed, request);
    const commit = await putAssets(client, release, merged, log, listed);

    let final = release;
    const patch: { -readonly [K in keyof ReleasePatch]: ReleasePatch[K] } = {};
    let publishing = false;
    if (request.name !== undefined && final.name !== request.name) patch.name = request.name;
    if (final.prerelease !== request.prerelease) patch.prerelease = request.prerelease;
    if (!request.draft && final.draft) {
      // A job that missed our draft (see find-release.ts) may have published another release for the tag.
      const kept = await findRelease(client, request.tag);
      if (kept !== undefined && kept.id !== final.id) {
        log.info(`Release ${request.tag} is kept as id ${kept.id}, not our draft ${final.id}; moving there.`);
        if (created) await client.deleteRelease(final.id);
        throw new MovedRelease(kept.id);
      }
      if (request.targetCommitish !== undefined) await ensureTag(client, request.tag, request.targetCommitish, log);
      patch.draft = false;
      if (request.makeLatest !== undefined) patch.makeLatest = request.makeLatest;
      publishing = true;
    } else if (request.draft && !final.draft) {
      log.info(`Release ${request.tag} is already published; draft: true does not unpublish it.`);
    }
    // With immutable releases on, whatever is on the release when it is published stays there for
    // good: the lock goes first. Publishing is this run's last write to a draft (a draft's commit
    // step has nothing to do), so the lock has protected every change.
    if (publishing) {
      await lock.release();
      if ((await client.listAssets(final.id)).some((asset) => asset.id === taken.asset.id)) {
        throw new Error(
          `Could not remove the lock ${LOCK_NAME} from draft release ${request.tag} before publishing it (it would stay on the release for good if immutable releases are on); the draft is left for the next run to finish.`,
        );
      }
    }
    if (Object.keys(patch).length > 0) {
      final = await client.updateRelease(final.id, patch);
      if (patch.draft === false) log.info(`Published release ${request.tag}: ${final.htmlUrl}`);
    }
    try {
      await commit();
    } catch (error) {
      throw new Error(
        `Release ${request.tag} holds the new assets, but removing the replaced copies (${TEMP_PREFIX}…-old-…) failed: ${messageOf(error)} The next run removes them, or delete them by hand.`,
        { cause: error },
      );
    }
    const finalAssets = await client.listAssets(final.id);
    return resultOf(final, finalAssets, [...request.archives.map((file) => file.name), request.checksumsName, BUILD_INFO_NAME]);
  } finally {
    await lock.release();
  }
}
