// The release: found, written, replaced or skipped, one writer at a time; immutable releases
// as a series; `mode: publish` from the build jobs' artifacts; the release's text.
export { buildNumber } from './build-number.js';
export { releaseClientFor } from './client.js';
export { dryRunRelease } from './dry-run-release.js';
export { computeFingerprint, fingerprintParts } from './fingerprint.js';
export type { FingerprintParts } from './fingerprint.js';
export type { ReleaseClient } from './github.js';
export { guardedReleaseClient } from './guarded-client.js';
export { parsePublishInputs, releaseTagFor } from './inputs.js';
export type { PublishInputs } from './inputs.js';
export { collectBuildJobs, findUnchanged, publishBuild, uploadBuild } from './publish-build.js';
export { shownName } from './release-notes.js';
export {
  CONFIGS_OF_THE_BUILD_JOBS,
  dryRunSummaryHtml,
  embeddedNotes,
  givenBodyInput,
  notesContextFor,
  notesFor,
  readReleaseBody,
  summaryHtml,
} from './release-text.js';
export type { ReportedAsset } from './release-text.js';
export { releaseFiles, withDownloadUrls } from './request.js';
export type { PublishResult } from './request.js';
export { buildDigests } from './supersede.js';
export { checkVisibility } from './visibility.js';
