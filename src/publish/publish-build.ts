// The publish step of both modes: a build (this job's, or the build jobs' gathered by mode:
// publish) onto its release, and the rule for the release's body:
// - a body the user gave (release-body, release-body-file) is the body: of a new release, of a
//   release published to again, and of a release that is skipped because it holds this build;
// - otherwise the generated notes (release-text.ts) fill a NEW release only: a release published
//   to again keeps its body (someone may have edited it), except that the build line of
//   generated notes is brought up to date, so it names this build and the one it supersedes.
// The texts are checked before anything is written to GitHub: a refused text leaves the
// release as it was.
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { extraReleaseFile } from './release-extras.js';
import { installerReleaseFiles } from './installers.js';
import type { InstallerArchive } from '../package/index.js';
import { type Log, publishedText } from '../shared/index.js';
import type { BuildPlan, BuildResult, ReleaseFile, CollectedBuild } from '../model.js';
import { generatedBody, notesFor, withCurrentBuild, type NotesContext } from './release-text.js';
import { sbomLockedMerge } from './sbom-merge.js';
import { actionsArtifactStore, downloadBuildArtifacts, uploadBuildArtifact } from './artifact.js';
import type { ReleaseClient } from './github.js';
import type { PublishInputs } from './inputs.js';
import { findSeries, publishSeries } from './publish-series.js';
import type { PublishResult } from './request.js';
import type { BuildDigests } from './supersede.js';
import { checkUnchanged } from './unchanged.js';
import { publishRequestFor, unchangedQueryFor } from './client.js';

/** A build to publish, as both modes have it. */
export interface BuildPublication {
  /** The release tag asked for: the base of the release series (publish-series.ts). */
  readonly tag: string;
  readonly built: Pick<BuildResult, 'version' | 'upstream' | 'goVersion' | 'assets' | 'sbomFile' | 'imagesFile' | 'patches'>;
  readonly checksumsName: string;
  /** The archives, each with the fingerprint of the build that made it. */
  readonly archives: readonly ReleaseFile[];
  readonly fingerprint: string;
  /** What the build was made from, recorded in generated notes (supersede.ts). */
  readonly digests: BuildDigests;
  /** What the notes say besides the build; its `build` is the build number. */
  readonly notes: NotesContext;
  /** The installers are written here (beside the archives), for the tag publishing chose. */
  readonly installers: { readonly dir: string; readonly archives: readonly InstallerArchive[] };
  /** The body the user gave, read and checked already; undefined: generated notes. */
  readonly body: string | undefined;
}

export interface PublishedBuild {
  readonly release: PublishResult;
  /** The notes of the release published to, for the job summary. */
  readonly notes: string;
}

/**
 * The release of the series that already holds this exact build, or undefined when this run must
 * build. A given body is applied to a skipped release too (README: release-body).
 */
export async function findUnchanged(
  client: ReleaseClient,
  publishing: PublishInputs,
  asked: { readonly tag: string; readonly plan: BuildPlan; readonly fingerprint: string; readonly body: string | undefined; readonly bodyInput: string },
  log: Log,
): Promise<PublishResult | undefined> {
  // with immutable releases, rebuilds are <tag>-build.<n> (publish-series.ts): compare with the newest
  const current = (await findSeries(client, asked.tag)).newest?.tagName ?? asked.tag;
  const check = await log.group(`Compare with release ${current}`, () =>
    checkUnchanged(client, unchangedQueryFor(publishing, current, asked.plan, asked.fingerprint), log),
  );
  if (!check.unchanged) {
    log.info(`Building: ${check.reason}.`);
    return undefined;
  }
  log.info(`Release ${current} already holds this exact build (fingerprint ${asked.fingerprint.slice(0, 12)}): nothing to build.`);
  if (asked.body !== undefined) {
    await client.updateRelease(check.result.releaseId, { body: asked.body });
    log.info(`Applied the given release body (${asked.bodyInput}) to release ${current}.`);
  }
  return check.result;
}

/** Publishes the build to its release (a new one of the series where the newest is immutable); see the top of this file. */
export async function publishBuild(client: ReleaseClient, publishing: PublishInputs, build: BuildPublication, log: Log): Promise<PublishedBuild> {
  const { built, body, fingerprint } = build;
  // the SBOM and the images list go beside the archives, with a checksums line each
  const extras = await Promise.all([built.sbomFile, built.imagesFile].filter((file) => file !== undefined).map((file) => extraReleaseFile(file, fingerprint)));
  const generated = (tag: string): string => generatedBody(notesFor(build.notes, tag), built, build.digests);
  const request = {
    ...publishRequestFor(publishing, build.tag, [...build.archives, ...extras], build.checksumsName, body ?? generated(build.tag)),
    build: build.notes.build,
    // several jobs on one tag: the SBOM on the release describes all of their archives
    merges: built.sbomFile === undefined ? [] : [sbomLockedMerge(built.sbomFile, fingerprint, log)],
  };
  publishedText('release tag', build.tag);
  publishedText('release notes', generated(build.tag));
  if (body !== undefined) publishedText('release body', body);
  // the installers name the release they install from: made once publishing chose its tag
  const installersFor = (tag: string): Promise<ReleaseFile[]> =>
    installerReleaseFiles(
      build.installers.dir,
      publishing.github,
      { tag, version: built.version, checksumsName: build.checksumsName, archives: build.installers.archives, attested: publishing.attestation },
      fingerprint,
    );
  const release = await log.group(`Publish release ${build.tag}`, async () => {
    const result = await publishSeries(client, request, log, {
      digests: build.digests,
      userBody: body,
      bodyFor: body === undefined ? generated : undefined,
      filesFor: installersFor,
    });
    if (body === undefined) await refreshBuildLine(client, result, build.notes.build, log);
    return result;
  });
  return { release, notes: notesFor(build.notes, release.tag) };
}

/** A release published to again keeps its body: only the build line of generated notes is brought up to date. */
async function refreshBuildLine(client: ReleaseClient, published: PublishResult, build: string | undefined, log: Log): Promise<void> {
  if (build === undefined) return;
  const release = await client.getReleaseByTag(published.tag); // a draft is not found here: its notes are new anyway
  if (release?.id !== published.releaseId || typeof release.body !== 'string') return;
  const body = withCurrentBuild(release.body, build);
  if (body === undefined) return;
  await client.updateRelease(release.id, { body });
  log.info(`Release ${published.tag}: the notes now name build ${build}.`);
}

/**
 * Mode publish: the build jobs' artifacts of this run, downloaded into a fresh folder (0700:
 * nothing planted in `tempDir` beforehand is written through or read) and every manifest
 * validated in full, before anything is written to the release.
 */
export async function collectBuildJobs(
  publishing: PublishInputs,
  tempDir: string,
  log: Log,
): Promise<{ readonly folder: string; readonly collected: CollectedBuild }> {
  const folder = await mkdtemp(path.join(tempDir, 'ktctl-artifacts-'));
  const collected = await log.group('Download the build jobs’ artifacts', () =>
    downloadBuildArtifacts(actionsArtifactStore(), { prefix: publishing.artifactName, destination: folder }, log),
  );
  if (collected === undefined) {
    throw new Error(
      `mode: publish found no workflow artifact named ${publishing.artifactName} or ${publishing.artifactName}-*: give the build jobs (mode: build) and this job the same artifact-name, and make this job need them.`,
    );
  }
  return { folder, collected };
}

/** Mode build (and all, with upload-artifact): the archives and a manifest as this job's workflow artifact, for the publish job. */
export async function uploadBuild(
  publishing: PublishInputs,
  build: { readonly result: BuildResult; readonly fingerprint: string; readonly checksumsName: string },
  log: Log,
): Promise<void> {
  await log.group('Upload the workflow artifact', () =>
    uploadBuildArtifact(
      actionsArtifactStore(),
      {
        prefix: publishing.artifactName,
        build: build.result,
        fingerprint: build.fingerprint,
        checksumsName: build.checksumsName,
        retentionDays: publishing.retentionDays,
        serverUrl: publishing.github.serverUrl,
        ghes: publishing.github.ghes,
      },
      log,
    ),
  );
}
