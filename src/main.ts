// The action's run, as a runner executes it: read inputs, then each stage in turn.
// core.setFailed is called once, here; every stage throws errors that say what to do.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { ACTION_VERSION } from './about.js';
import { messageOf } from './errors.js';
import { decodeConfig, parseBuildInputs, type InputReader } from './inputs.js';
import { scrubBuildCache } from './build.js';
import type { Log } from './log.js';
import type { BuildInputs, BuildResult } from './model.js';
import { checksumsText } from './package.js';
import { buildInWorkspace, planFor, resolveUpstreamTag, withOutputDirChecked, withPatchFiles, withRegistryImages } from './pipeline.js';
import { mergeRegistryImages, registryImages, parseImageRegistry, writeImagesFile } from './images.js';
import {
  actionsArtifactStore,
  checkUnchanged,
  checkVisibility,
  computeFingerprint,
  downloadBuildArtifacts,
  fingerprintParts,
  parsePublishInputs,
  publishRelease,
  publishRequestFor,
  releaseClientFor,
  releaseFiles,
  releaseTagFor,
  unchangedQueryFor,
  uploadBuildArtifact,
  withDownloadUrls,
  type PublishInputs,
  type PublishResult,
  type ReleaseClient,
} from './publish/index.js';
import { setBuildOutputs, setReleaseOutputs, withReleaseNotes, writeSummary } from './report.js';
import { redactUrlCredentials, urlSecrets } from './redact.js';
import { secretFragments } from './secrets.js';
import { kubeconfigSummary, releaseNotes } from './release-notes.js';
import { extraReleaseFile, readReleaseBody } from './release-extras.js';
import { sbomCreated, writeSbom } from './sbom.js';
import { embeddedSettings } from './verify/index.js';
import { stopOnSignals } from './stop.js';
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
    for (const fragment of secretFragments(readInput(name))) core.setSecret(fragment);
  }
  // a mirror URL may carry a token: git and the downloads could print it
  // go-proxy is a list: each of its URLs may carry a token; go-sumdb may end with one
  const urls = [...URL_INPUTS.map((name) => readInput(name).trim()), ...['go-proxy', 'go-sumdb'].flatMap((name) => readInput(name).split(/[\s,|]+/))];
  for (const url of urls) for (const secret of urlSecrets(url)) core.setSecret(secret);

  try {
    const workspace = process.env['GITHUB_WORKSPACE'] ?? process.cwd();
    const inputs = await withPatchFiles(
      parseBuildInputs(readInput, { workspace, serverUrl: process.env['GITHUB_SERVER_URL'] ?? 'https://github.com' }, os.availableParallelism()),
      workspace,
    );
    const publishing = parsePublishInputs(readInput, process.env);
    for (const text of [inputs.configs.kubeconfig, inputs.configs.ktConfig]) {
      if (text !== undefined) for (const fragment of secretFragments(text)) core.setSecret(fragment);
    }
    // the archives carry the credentials: no upload of any kind to a public repository
    const client = publishing.publish || publishing.uploadArtifact ? releaseClientFor(publishing, actionsLog) : undefined;
    if (client !== undefined) await checkVisibility(client, publishing.allowPublic, actionsLog);

    if (publishing.mode === 'publish') {
      await publishCollected(publishing, client!);
    } else {
      await buildAndPublish(await withOutputDirChecked(inputs, process.env['GITHUB_WORKSPACE'] ?? process.cwd()), publishing, client);
    }
  } catch (error) {
    // every stage shows URLs redacted already; this holds for any message that slipped through
    core.setFailed(urls.reduce((message, url) => redactUrlCredentials(message, url), messageOf(error)));
  }
}

/** Modes `all` and `build`: skip when the release already holds this build, else build, then publish or upload. */
async function buildAndPublish(given: BuildInputs, publishing: PublishInputs, client: ReleaseClient | undefined): Promise<void> {
  // read first: a missing body file fails the run before anything is built
  const body = publishing.publish ? await readReleaseBody(publishing.releaseBody) : undefined;
  sbomCreated(process.env); // a malformed SOURCE_DATE_EPOCH fails before anything is fetched
  const upstream = await resolveUpstreamTag(given, actionsLog);
  const plan = planFor(given, upstream);
  const inputs = withRegistryImages(given, plan); // the kt config as embedded, before the fingerprint hashes it
  core.saveState(VERSION_STATE, plan.version); // the post step needs it to know that kt config
  const fingerprint = computeFingerprint(fingerprintParts(inputs, upstream, plan.version, ACTION_VERSION));
  const tag = releaseTagFor(publishing, upstream.tag);
  core.setOutput('fingerprint', fingerprint);
  core.setOutput('version', plan.version);
  core.setOutput('upstream-tag', upstream.tag);
  core.setOutput('source-hash', upstream.source?.hash ?? '');

  if (client !== undefined && publishing.publish && publishing.skipUnchanged) {
    const check = await actionsLog.group(`Compare with release ${tag}`, () =>
      checkUnchanged(client, unchangedQueryFor(publishing, tag, plan, fingerprint), actionsLog),
    );
    if (check.unchanged) {
      core.info(`Release ${tag} already holds this exact build (fingerprint ${fingerprint.slice(0, 12)}): nothing to do.`);
      core.setOutput('skipped', 'true');
      setReleaseOutputs(check.result);
      core.setOutput('assets', JSON.stringify(check.result.assets));
      return;
    }
    core.info(`Building: ${check.reason}.`);
  }
  core.setOutput('skipped', 'false');

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

  const notes = releaseNotes({
    ...result,
    archives: result.assets,
    checksumsName: plan.checksumsName,
    sbomName: result.sbomFile === undefined ? undefined : path.basename(result.sbomFile),
    tag,
    repository: publishing.github.owner === undefined ? undefined : `${publishing.github.owner}/${publishing.github.repo}`,
    ktConfigKeys: [...embeddedSettings(inputs.configs.ktConfig).keys()],
    kube: kubeconfigSummary(inputs.configs.kubeconfig),
  });
  let published: PublishResult | undefined;
  if (client !== undefined && publishing.publish) {
    const sbom = result.sbomFile === undefined ? [] : [await extraReleaseFile(result.sbomFile, fingerprint)];
    const images = result.imagesFile === undefined ? [] : [await extraReleaseFile(result.imagesFile, fingerprint)];
    const files = [...releaseFiles(result, fingerprint), ...sbom, ...images];
    const request = publishRequestFor(publishing, tag, result, files, plan.checksumsName);
    // generated notes name the patches and the images list; a body the user gave is taken as it is
    const generated = withReleaseNotes({ ...request, body: notes }, result).body;
    published = await actionsLog.group(`Publish release ${tag}`, async () => {
      const release = await publishRelease(client, { ...request, body: body ?? generated }, actionsLog);
      // a body the user gave replaces an existing release's body too; generated notes only fill a new release
      if (body !== undefined) await client.updateRelease(release.releaseId, { body });
      return release;
    });
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

/** Mode `publish`: gather the build jobs' artifacts and publish them as one release. */
async function publishCollected(publishing: PublishInputs, client: ReleaseClient): Promise<void> {
  const body = await readReleaseBody(publishing.releaseBody);
  const destination = path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), 'ktctl-customize-artifacts');
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
  core.setOutput('skipped', 'false');
  core.setOutput('fingerprint', collected.fingerprint);
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
  const notes = releaseNotes({
    ...collected,
    archives: collected.assets,
    sbomName: sbomFile === undefined ? undefined : path.basename(sbomFile),
    tag,
    repository: `${publishing.github.owner}/${publishing.github.repo}`,
    ktConfigKeys: undefined,
    kube: undefined,
  });
  const request = publishRequestFor(publishing, tag, collected, [...collected.files, ...extras], collected.checksumsName);
  // as in mode all: generated notes name the images list; a body the user gave is taken as it is
  const generated = withReleaseNotes({ ...request, body: notes }, { imagesFile }).body;
  const published = await actionsLog.group(`Publish release ${tag}`, async () => {
    const release = await publishRelease(client, { ...request, body: body ?? generated }, actionsLog);
    if (body !== undefined) await client.updateRelease(release.releaseId, { body });
    return release;
  });
  // one checksums file for the archives of every build job (its name was checked with the manifest)
  const checksumsFile = path.join(destination, collected.checksumsName);
  await writeFile(checksumsFile, checksumsText(collected.assets));
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
