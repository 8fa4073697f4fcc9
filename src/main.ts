// The action's run, as a runner executes it: read inputs, then each stage in turn.
// core.setFailed is called once, here; every stage throws errors that say what to do.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { ACTION_VERSION } from './about.js';
import { messageOf } from './errors.js';
import { decodeConfig, parseBoolean, parseBuildInputs, UPSTREAM_CONFIG, type InputReader } from './inputs.js';
import { configSummaryOf, credentialsExpireOutput, isoDay, withConfigsChecked } from './config-checks.js';
import { dryRunChecks, plannedFiles, planText } from './dry-run.js';
import { dryRunRelease } from './dry-run-release.js';
import { scrubBuildCache } from './build.js';
import type { Log } from './log.js';
import type { BuildInputs, BuildResult } from './model.js';
import { checksumsText } from './package.js';
import { writeWithoutFollowing } from './output-folder.js';
import { buildInWorkspace, planFor, resolveUpstreamTag, withOutputDirChecked, withPatchFiles, withRegistryImages } from './pipeline.js';
import { mergeRegistryImages, registryImages, parseImageRegistry, writeImagesFile } from './images.js';
import {
  actionsArtifactStore,
  buildDigests,
  checkUnchanged,
  digestsMarker,
  findSeries,
  checkVisibility,
  computeFingerprint,
  downloadBuildArtifacts,
  fingerprintParts,
  parsePublishInputs,
  publishRequestFor,
  publishSeries,
  releaseClientFor,
  releaseFiles,
  releaseTagFor,
  unchangedQueryFor,
  uploadBuildArtifact,
  withDownloadUrls,
  type PublishInputs,
  type PublishResult,
  type ReleaseClient,
  type ReleaseFile,
} from './publish/index.js';
import { setBuildOutputs, setReleaseOutputs, withReleaseNotes, writeSummary } from './report.js';
import { redactUrlCredentials, urlSecrets } from './redact.js';
import { secretFragments } from './secrets.js';
import { armPublishedTextGuard, checkGivenText, guardedReleaseClient, publishedText, PublishedTextGuard, setCheckedOutput } from './published-text.js';
import { releaseNotes, shownName } from './release-notes.js';
import { extraReleaseFile, readReleaseBody } from './release-extras.js';
import { sbomCreated, writeSbom } from './sbom.js';
import { sbomLockedMerge } from './sbom-merge.js';
import { stopOnSignals } from './stop.js';
import { buildNumber } from './build-number.js';
import { collectedArchives, installerArchives } from './installers/index.js';
import { installerReleaseFiles } from './installers/release.js';
import { refreshBuildLine } from './release-build-line.js';
import { removeTree } from './workspace.js';

const WORKSPACE_STATE = 'workspace';
const BUILD_CACHE_STATE = 'build-cache';
const VERSION_STATE = 'ktctl-version';

export const actionsLog: Log = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  group: (title, work) => core.group(title, work),
};

/** Inputs that are URLs: a mirror's may carry a user and password or token. */
const URL_INPUTS = ['kt-connect-repository', 'go-download-base-url', 'upx-download-base-url', 'wintun-url'];

/** Config inputs are taken byte for byte: trimming would change what ktctl embeds. */
const readInput: InputReader = (name) => (name === 'kubeconfig' || name === 'kt-config' ? core.getInput(name, { trimWhitespace: false }) : core.getInput(name));

export async function run(): Promise<void> {
  if (core.getState('isPost') === 'true') {
    try {
      post();
    } catch (error) {
      // the post step only cleans up: say what was left, never fail a job that succeeded for it
      core.warning(`Cleaning up after the main step failed: ${messageOf(error)}. Remove the runner's temporary folder if it is self-hosted.`);
    }
    return;
  }
  core.saveState('isPost', 'true');
  // from the first child on (git ls-remote), a cancelled job stops every child's process tree
  stopOnSignals();

  // Masked before anything else runs: from here on no log line can show them.
  for (const name of ['kubeconfig', 'kt-config']) {
    for (const fragment of secretFragments(configSecretText(readInput(name)))) core.setSecret(fragment);
  }
  // a mirror URL may carry a token: git and the downloads could print it
  // go-proxy is a list: each of its URLs may carry a token; go-sumdb may end with one
  const urls = [...URL_INPUTS.map((name) => readInput(name).trim()), ...['go-proxy', 'go-sumdb'].flatMap((name) => readInput(name).split(/[\s,|]+/))];
  for (const url of urls) for (const secret of urlSecrets(url)) core.setSecret(secret);

  try {
    const workspace = process.env['GITHUB_WORKSPACE'] ?? process.cwd();
    // mode publish builds nothing: the configs were the build jobs', and its step need not give them
    const publishOnly = readInput('mode').trim() === 'publish';
    const readBuildInput: InputReader = (name) =>
      publishOnly && (name === 'kubeconfig' || name === 'kt-config') && readInput(name).trim() === '' ? UPSTREAM_CONFIG : readInput(name);
    const dryRun = parseBoolean('dry-run', readInput('dry-run').trim() || 'false');
    const given = await withPatchFiles(
      parseBuildInputs(readBuildInput, { workspace, serverUrl: process.env['GITHUB_SERVER_URL'] ?? 'https://github.com' }, os.availableParallelism()),
      workspace,
    );
    const publishing = parsePublishInputs(readInput, process.env);
    for (const text of [given.configs.kubeconfig, given.configs.ktConfig]) {
      if (text !== undefined) for (const fragment of secretFragments(text)) core.setSecret(fragment);
    }
    // both configs and the credential's lifetime, before any network step; read once, for every stage
    const inputs = publishing.mode === 'publish' ? given : withConfigsChecked(given, actionsLog);
    // what the log masks, no text the action publishes or writes may hold (published-text.ts)
    armPublishedTextGuard(publishedTextGuardFor(readInput, inputs));
    const credentialsExpire = inputs.configSummary?.credentialsExpire;
    if (publishing.mode !== 'publish') setCheckedOutput('credentials-expire', credentialsExpireOutput(credentialsExpire));
    // read and checked before anything is downloaded: a bad body fails the run at once
    const body = publishing.publish ? await readReleaseBody(publishing.releaseBody, workspace) : undefined;
    if (body !== undefined)
      checkGivenText(publishing.releaseBody !== undefined && 'file' in publishing.releaseBody ? 'release-body-file' : 'release-body', body);
    if (publishing.releaseName !== undefined) checkGivenText('release-name', publishing.releaseName);
    // the archives carry the credentials: no upload of any kind to a public repository
    const client = publishing.publish || publishing.uploadArtifact ? guardedReleaseClient(releaseClientFor(publishing, actionsLog)) : undefined;
    if (client !== undefined) await checkVisibility(client, publishing.allowPublic, actionsLog);

    if (dryRun) {
      await dryRunAction(await withOutputDirChecked(inputs, workspace), publishing, client, credentialsExpire);
    } else if (publishing.mode === 'publish') {
      await publishCollected(publishing, client!, body);
    } else {
      await buildAndPublish(await withOutputDirChecked(inputs, workspace), publishing, client, body, credentialsExpire);
    }
  } catch (error) {
    // every stage shows URLs redacted already; this holds for any message that slipped through
    core.setFailed(urls.reduce((message, url) => redactUrlCredentials(message, url), messageOf(error)));
  }
}

/** A config input as secret text: the keyword `upstream` (upstream's placeholder, on purpose) is no secret, and masking it would hide every "upstream" in the log. */
function configSecretText(value: string): string {
  return value.trim() === UPSTREAM_CONFIG ? '' : value;
}

/** The guard of published text: both configs as given and as decoded; the kubeconfig's context and namespace are shown on purpose. */
function publishedTextGuardFor(read: InputReader, inputs: BuildInputs): PublishedTextGuard {
  // mode publish reads no config: nothing of the kubeconfig is shown
  const kube = inputs.configSummary?.kube ?? { embedded: false };
  const shown = [kube.context, kube.namespace].filter((name) => name !== undefined).flatMap((name) => [name, shownName(name)]);
  return PublishedTextGuard.forConfigs(
    [
      { name: 'kubeconfig', text: configSecretText(read('kubeconfig')) },
      { name: 'kubeconfig', text: inputs.configs.kubeconfig },
      { name: 'kt-config', text: configSecretText(read('kt-config')) },
      { name: 'kt-config', text: inputs.configs.ktConfig },
    ],
    shown,
  );
}

/**
 * Modes `all` and `build`: skip when the release already holds this build, else build, then
 * publish or upload. `body`: the release body the user gave, read and checked already.
 */
async function buildAndPublish(
  given: BuildInputs,
  publishing: PublishInputs,
  client: ReleaseClient | undefined,
  body: string | undefined,
  credentialsExpire: Date | undefined,
): Promise<void> {
  sbomCreated(process.env); // a malformed SOURCE_DATE_EPOCH fails before anything is fetched
  const upstream = await resolveUpstreamTag(given, actionsLog);
  const plan = planFor(given, upstream);
  const inputs = withRegistryImages(given, plan); // the kt config as embedded, before the fingerprint hashes it
  core.saveState(VERSION_STATE, plan.version); // the post step needs it to know that kt config
  const parts = fingerprintParts(inputs, upstream, plan.version, ACTION_VERSION);
  const fingerprint = computeFingerprint(parts);
  const tag = releaseTagFor(publishing, upstream.tag);
  setCheckedOutput('release-tag', tag); // the tag a release would have; publishing says which it got
  setCheckedOutput('fingerprint', fingerprint);
  setCheckedOutput('version', plan.version);
  setCheckedOutput('upstream-tag', upstream.tag);
  setCheckedOutput('source-hash', upstream.source?.hash ?? '');

  if (client !== undefined && publishing.publish && publishing.skipUnchanged) {
    // with immutable releases, rebuilds are <tag>-build.<n> (publish-series.ts): compare with the newest
    const current = (await findSeries(client, tag)).newest?.tagName ?? tag;
    const check = await actionsLog.group(`Compare with release ${current}`, () =>
      checkUnchanged(client, unchangedQueryFor(publishing, current, plan, fingerprint), actionsLog),
    );
    if (check.unchanged) {
      core.info(`Release ${current} already holds this exact build (fingerprint ${fingerprint.slice(0, 12)}): nothing to build.`);
      // a given body replaces the release's body on every run, a skipped one too (README: release-body)
      if (body !== undefined) {
        await client.updateRelease(check.result.releaseId, { body });
        core.info(
          `Applied the given release body (${publishing.releaseBody !== undefined && 'file' in publishing.releaseBody ? 'release-body-file' : 'release-body'}) to release ${current}.`,
        );
      }
      setCheckedOutput('skipped', 'true');
      setCheckedOutput('release-tag', current);
      setReleaseOutputs(check.result);
      setCheckedOutput('assets', JSON.stringify(check.result.assets));
      return;
    }
    core.info(`Building: ${check.reason}.`);
  }
  setCheckedOutput('skipped', 'false');

  const build = buildNumber(process.env);
  let result: BuildResult;
  try {
    result = await buildInWorkspace(inputs, plan, {
      log: actionsLog,
      env: process.env,
      tempDir: process.env['RUNNER_TEMP'] || os.tmpdir(),
      onWorkspace: (root) => core.saveState(WORKSPACE_STATE, root),
      onBuildCache: (gocache, since) => core.saveState(BUILD_CACHE_STATE, JSON.stringify({ gocache, since })),
    });
  } finally {
    // cleaned up already: the post step has nothing left to do
    core.saveState(WORKSPACE_STATE, '');
    core.saveState(BUILD_CACHE_STATE, '');
  }

  // the tag is known once publishing chose it (a rebuild of an immutable release gets a new one)
  const notesFor = (releaseTag: string): string =>
    releaseNotes({
      ...result,
      archives: result.assets,
      checksumsName: plan.checksumsName,
      sbomName: result.sbomFile === undefined ? undefined : path.basename(result.sbomFile),
      tag: releaseTag,
      repository: publishing.github.owner === undefined ? undefined : `${publishing.github.owner}/${publishing.github.repo}`,
      ktConfigKeys: [...configSummaryOf(inputs).ktSettings.keys()],
      kube: {
        ...configSummaryOf(inputs).kube,
        ...(credentialsExpire === undefined ? {} : { credentialsExpire: isoDay(credentialsExpire) }),
      },
      attested: publishing.attestation,
      build,
      installers: client !== undefined && publishing.publish,
      serverUrl: publishing.github.serverUrl,
    });
  let notes = notesFor(tag);
  let published: PublishResult | undefined;
  if (client !== undefined && publishing.publish) {
    const sbom = result.sbomFile === undefined ? [] : [await extraReleaseFile(result.sbomFile, fingerprint)];
    const images = result.imagesFile === undefined ? [] : [await extraReleaseFile(result.imagesFile, fingerprint)];
    // the installers name the release they install from: made once publishing chose its tag
    const installersFor = (releaseTag: string): Promise<ReleaseFile[]> =>
      installerReleaseFiles(
        inputs.outputDir,
        publishing.github,
        {
          tag: releaseTag,
          version: plan.version,
          checksumsName: plan.checksumsName,
          archives: installerArchives({ ...inputs, upxEnabled: inputs.upx.enabled }, plan),
          attested: publishing.attestation,
        },
        fingerprint,
      );
    const files = [...releaseFiles(result, fingerprint), ...sbom, ...images];
    const request = {
      ...publishRequestFor(publishing, tag, result, files, plan.checksumsName),
      build,
      // several mode: all jobs on one tag: the SBOM on the release describes all of their archives
      merges: result.sbomFile === undefined ? [] : [sbomLockedMerge(result.sbomFile, fingerprint, actionsLog)],
    };
    // generated notes name the patches and the images list; a body the user gave is taken as it is
    const digests = buildDigests(parts);
    const generated = (releaseTag: string): string =>
      `${withReleaseNotes({ ...request, body: notesFor(releaseTag) }, result).body}\n${digestsMarker(digests)}\n`;
    // a body the user gave replaces an existing release's body too; generated notes only fill a new release
    // checked before any GitHub call that writes: a refused text leaves the release as it was (the summary shows the notes too)
    checkReleaseText(tag, generated(tag), body);
    published = await actionsLog.group(`Publish release ${tag}`, async () => {
      const release = await publishSeries(client, { ...request, body: body ?? generated(tag) }, actionsLog, {
        digests,
        userBody: body,
        bodyFor: body === undefined ? generated : undefined,
        filesFor: installersFor,
      });
      if (body === undefined) await refreshBuildLine(client, release.tag, release.releaseId, build, actionsLog);
      return release;
    });
    notes = notesFor(published.tag);
  }
  if (publishing.uploadArtifact) {
    await actionsLog.group('Upload the workflow artifact', () =>
      uploadBuildArtifact(
        actionsArtifactStore(),
        {
          prefix: publishing.artifactName,
          build: result,
          fingerprint,
          checksumsName: plan.checksumsName,
          retentionDays: publishing.retentionDays,
          serverUrl: publishing.github.serverUrl,
          ghes: publishing.github.ghes,
        },
        actionsLog,
      ),
    );
  }
  await report(result, published, notes);
}

/** The release's tag, its generated notes and a given body, checked before anything is written to GitHub. */
function checkReleaseText(tag: string, generated: string, body: string | undefined): void {
  publishedText('release tag', tag);
  publishedText('release notes', generated);
  if (body !== undefined) publishedText('release body', body);
}

/**
 * `dry-run: true`: every check a build makes before it builds (src/dry-run.ts), what publishing
 * would do to the release, the plan in the log, and the outputs known without building.
 */
async function dryRunAction(
  given: BuildInputs,
  publishing: PublishInputs,
  client: ReleaseClient | undefined,
  credentialsExpire: Date | undefined,
): Promise<void> {
  if (publishing.mode === 'publish') {
    // the archives are the build jobs' artifacts, which exist only in a real run
    core.info('Dry run of mode publish: the inputs and the repository check out; the build jobs’ artifacts are only there in a real run.');
    return;
  }
  const upstream = await resolveUpstreamTag(given, actionsLog);
  const plan = planFor(given, upstream);
  const inputs = withRegistryImages(given, plan);
  const fingerprint = computeFingerprint(fingerprintParts(inputs, upstream, plan.version, ACTION_VERSION));
  const tag = releaseTagFor(publishing, upstream.tag);
  setCheckedOutput('fingerprint', fingerprint);
  setCheckedOutput('version', plan.version);
  setCheckedOutput('upstream-tag', upstream.tag);
  setCheckedOutput('source-hash', upstream.source?.hash ?? '');
  const findings = await dryRunChecks(inputs, plan, { log: actionsLog, tempDir: process.env['RUNNER_TEMP'] || os.tmpdir() });
  setCheckedOutput('go-version', findings.goVersion);
  const release =
    client !== undefined && publishing.publish
      ? await actionsLog.group(`Read release ${tag}`, () =>
          dryRunRelease(client, publishing, {
            tag,
            fingerprint,
            archiveNames: plan.targets.map((target) => target.archiveName),
            files: plannedFiles(plan, findings),
          }),
        )
      : undefined;
  const text = planText({
    inputs,
    plan,
    upstream,
    findings,
    credentialsExpire: credentialsExpire === undefined ? undefined : isoDay(credentialsExpire),
    release: release ?? (publishing.uploadArtifact ? [`Workflow artifact ${publishing.artifactName}: would be uploaded.`] : undefined),
  });
  core.info(text);
  await core.summary.addHeading(`Dry run: ktctl ${plan.version}`, 2).addCodeBlock(text).write();
}

/** Mode `publish`: gather the build jobs' artifacts and publish them as one release. */
async function publishCollected(publishing: PublishInputs, client: ReleaseClient, body: string | undefined): Promise<void> {
  // a fresh folder, 0700: nothing planted in RUNNER_TEMP beforehand is written through or read
  const destination = await mkdtemp(path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), 'ktctl-artifacts-'));
  // Every manifest is validated in full here, before anything is written to the release.
  const collected = await actionsLog.group('Download the build jobs’ artifacts', () =>
    downloadBuildArtifacts(actionsArtifactStore(), { prefix: publishing.artifactName, destination }, actionsLog),
  );
  if (collected === undefined) {
    throw new Error(
      `mode: publish found no workflow artifact named ${publishing.artifactName} or ${publishing.artifactName}-*: give the build jobs (mode: build) and this job the same artifact-name, and make this job need them.`,
    );
  }
  const tag = releaseTagFor(publishing, collected.upstream.tag);
  setCheckedOutput('release-tag', tag);
  const build = buildNumber(process.env);
  setCheckedOutput('skipped', 'false');
  setCheckedOutput('fingerprint', collected.fingerprint);
  // one SBOM for every job's targets, from the modules their manifests list
  const sbomFile =
    collected.sbom === undefined
      ? undefined
      : await writeSbom(destination, {
          ...collected.sbom,
          version: collected.version,
          upstream: collected.upstream,
          goVersion: collected.goVersion,
          actionVersion: ACTION_VERSION,
          created: sbomCreated(process.env),
        });
  const imagesFile = collected.images === undefined ? undefined : await writeImagesFile(destination, collected.images);
  const extras = await Promise.all([sbomFile, imagesFile].filter((file) => file !== undefined).map((file) => extraReleaseFile(file, collected.fingerprint)));
  // the build jobs' configs are not known here: the notes say so
  const notesFor = (releaseTag: string): string =>
    releaseNotes({
      ...collected,
      archives: collected.assets,
      sbomName: sbomFile === undefined ? undefined : path.basename(sbomFile),
      tag: releaseTag,
      repository: `${publishing.github.owner}/${publishing.github.repo}`,
      ktConfigKeys: undefined,
      kube: undefined,
      attested: publishing.attestation,
      build,
      installers: true,
      serverUrl: publishing.github.serverUrl,
    });
  // the installers name the release they install from: made once publishing chose its tag
  const installersFor = (releaseTag: string): Promise<ReleaseFile[]> =>
    installerReleaseFiles(
      destination,
      publishing.github,
      {
        tag: releaseTag,
        version: collected.version,
        checksumsName: collected.checksumsName,
        archives: collectedArchives(collected.assets),
        attested: publishing.attestation,
      },
      collected.fingerprint,
    );
  const request = {
    ...publishRequestFor(publishing, tag, collected, [...collected.files, ...extras], collected.checksumsName),
    build,
    // archives on the release that no build job of this run rebuilt stay in the SBOM
    merges: sbomFile === undefined ? [] : [sbomLockedMerge(sbomFile, collected.fingerprint, actionsLog)],
  };
  // the build jobs' configs are not known here: only the upstream tells why a rebuild supersedes
  const digests = { upstream: collected.upstream.commit, version: collected.version };
  // as in mode all: generated notes name the images list; a body the user gave is taken as it is
  const generated = (releaseTag: string): string =>
    `${withReleaseNotes({ ...request, body: notesFor(releaseTag) }, { imagesFile }).body}\n${digestsMarker(digests)}\n`;
  checkReleaseText(tag, generated(tag), body);
  const published = await actionsLog.group(`Publish release ${tag}`, () =>
    publishSeries(client, { ...request, body: body ?? generated(tag) }, actionsLog, {
      digests,
      userBody: body,
      bodyFor: body === undefined ? generated : undefined,
      filesFor: installersFor,
    }),
  );
  const notes = notesFor(published.tag);
  // one checksums file for the archives of every build job (its name was checked with the manifest)
  const checksumsFile = path.join(destination, collected.checksumsName);
  await writeWithoutFollowing(checksumsFile, publishedText('checksums file', checksumsText(collected.assets)));
  await report({ ...collected, checksumsFile, sbomFile, imagesFile }, published, notes);
}

async function report(result: BuildResult, published: PublishResult | undefined, notes?: string): Promise<void> {
  const assets = published === undefined ? result.assets : withDownloadUrls(result.assets, published);
  setBuildOutputs(result, assets);
  if (published !== undefined) setReleaseOutputs(published);
  await writeSummary(result, assets, published === undefined ? undefined : { url: published.htmlUrl, tag: published.tag }, notes);
}

/**
 * The post step: if the main step was killed before it could clean up, removes the scratch
 * folder and the build cache entries that hold the configs. The configs are read from the
 * inputs again, which the runner hands to the post step as well.
 */
function post(): void {
  const root = core.getState(WORKSPACE_STATE);
  // only ever a folder this action made: the state file is the runner's, not an input
  if (path.basename(root).startsWith('ktctl-customize-')) removeTree(root);
  const cache = core.getState(BUILD_CACHE_STATE);
  if (cache !== '') {
    const { gocache, since } = JSON.parse(cache) as { gocache: string; since: number };
    const configs = ['kubeconfig', 'kt-config'].map((name) => decodeConfig(name, readInput(name)) ?? '');
    // the kt config as embedded, if image-registry added the images to it
    const registry = parseImageRegistry(readInput('image-registry'));
    const version = core.getState(VERSION_STATE);
    if (registry !== undefined && version !== '')
      configs.push(mergeRegistryImages(decodeConfig('kt-config', readInput('kt-config')), registryImages(registry, version)));
    const removed = scrubBuildCache(gocache, since, configs);
    if (removed > 0) core.info(`Removed ${removed} build cache entries that held the embedded configs.`);
  }
}
