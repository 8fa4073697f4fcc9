// Which release holds the tag, and creating it as a draft when there is none.
//
// Bounded lookup: GitHub's "get a release by tag" never returns drafts, so drafts are found by
// listing releases, and a repository can have thousands. listRecentReleases reads pages of 100
// until a page holds a published release, at most MAX_RELEASE_PAGES (github.ts). GitHub's REST
// docs promise no order for "list releases"; what it does is list drafts first, then the newest.
// The bound is safe either way:
// - A published release is always found, by getReleaseByTag, whatever the list holds.
// - The drafts that matter were made minutes ago by a job of this same workflow (a duplicate from
//   a concurrent job, or our own): they are at the head of the list in either order.
// - A draft the bound misses can only be an old leftover of an interrupted run. Missing it costs
//   a second draft for the tag, never a wrong or a second published release: GitHub refuses to
//   publish a second release for a tag (422), and publishRelease checks once more before it
//   publishes (see publish-release.ts).
import type { Log } from '../shared/index.js';
import type { ReleaseClient, ReleaseInfo } from './github.js';
import type { PublishRequest } from './request.js';

/** The release that holds the tag: the published one, else the draft with the lowest id. */
export async function findRelease(client: ReleaseClient, tag: string): Promise<ReleaseInfo | undefined> {
  const published = await client.getReleaseByTag(tag);
  if (published !== undefined) return published;
  const candidates = (await client.listRecentReleases()).filter((release) => release.tagName === tag);
  const live = candidates.find((release) => !release.draft);
  if (live !== undefined) return live;
  return candidates.sort((a, b) => a.id - b.id)[0];
}

/**
 * The release to publish to: the one holding the tag, else a new draft. Two jobs that both find
 * none both create a draft; each then looks again and every job keeps the lowest id (ids grow
 * with creation, so a job that created a higher id sees the lower one), deleting its own
 * duplicate.
 */
export async function resolveRelease(client: ReleaseClient, request: PublishRequest, log: Log): Promise<{ release: ReleaseInfo; created: boolean }> {
  const found = await findRelease(client, request.tag);
  if (found !== undefined) {
    log.info(`Using ${found.draft ? 'draft ' : ''}release ${request.tag} (id ${found.id}).`);
    return { release: found, created: false };
  }
  const created = await client.createRelease({
    tag: request.tag,
    name: request.name ?? request.tag,
    body: request.body,
    draft: true,
    prerelease: request.prerelease,
    targetCommitish: request.targetCommitish,
  });
  const kept = await findRelease(client, request.tag);
  if (kept !== undefined && kept.id !== created.id) {
    log.info(`Another job created release ${request.tag} first (id ${kept.id}); removing the duplicate draft ${created.id}.`);
    await client.deleteRelease(created.id);
    return { release: kept, created: false };
  }
  log.info(`Created draft release ${request.tag} (id ${created.id}).`);
  return { release: created, created: true };
}

/** Creates the tag at `sha` before a draft is published, so it does not land on the default branch. */
export async function ensureTag(client: ReleaseClient, tag: string, sha: string, log: Log): Promise<void> {
  const existing = await client.getTagRef(tag);
  if (existing === undefined) {
    await client.createTagRef(tag, sha);
    log.info(`Created tag ${tag} at ${sha}.`);
  } else if (existing !== sha) {
    log.info(`Tag ${tag} already exists (${existing.slice(0, 12)}); the release uses it as it is.`);
  }
}
