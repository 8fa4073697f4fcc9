// A release rebuilt in place keeps its body (generated notes only fill a new release), so its
// build line would name the first build for good. This brings that one line up to date after a
// rebuild, and leaves every other line, and any body without a build line, as it is.
import type { Log } from '../shared/log.js';
import type { ReleaseClient } from './index.js';
import { withCurrentBuild } from './release-notes.js';

export async function refreshBuildLine(client: ReleaseClient, tag: string, releaseId: number, build: string | undefined, log: Log): Promise<void> {
  if (build === undefined) return;
  const release = await client.getReleaseByTag(tag); // a draft is not found here: its notes are new anyway
  if (release?.id !== releaseId || typeof release.body !== 'string') return;
  const body = withCurrentBuild(release.body, build);
  if (body === undefined) return;
  await client.updateRelease(release.id, { body });
  log.info(`Release ${tag}: the notes now name build ${build}.`);
}
