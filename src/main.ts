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
import { buildInWorkspace, planFor, resolveUpstreamTag } from './pipeline.js';
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
import { setBuildOutputs, setReleaseOutputs, writeSummary } from './report.js';
import { secretFragments } from './secrets.js';
import { stopOnSignals } from './stop.js';
import { removeTree } from './workspace.js';

const WORKSPACE_STATE = 'workspace';
const BUILD_CACHE_STATE = 'build-cache';

export const actionsLog: Log = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  group: (title, work) => core.group(title, work),
};

/** Config inputs are taken byte for byte: trimming would change what ktctl embeds. */
const readInput: InputReader = (name) =>
  name === 'kubeconfig' || name === 'kt-config' ? core.getInput(name, { trimWhitespace: false }) : core.getInput(name);

export async function run(): Promise<void> {
  if (core.getState('isPost') === 'true') {
    post();
    return;
  }
  core.saveState('isPost', 'true');
  // from the first child on (git ls-remote), a cancelled job stops every child's process tree
  stopOnSignals();

  // Masked before anything else runs: from here on no log line can show them.
  for (const name of ['kubeconfig', 'kt-config']) {
    for (const fragment of secretFragments(readInput(name))) core.setSecret(fragment);
  }

  try {
    const inputs = parseBuildInputs(
      readInput,
      {
        workspace: process.env['GITHUB_WORKSPACE'] ?? process.cwd(),
        serverUrl: process.env['GITHUB_SERVER_URL'] ?? 'https://github.com',
      },
      os.availableParallelism(),
    );
    const publishing = parsePublishInputs(readInput, process.env);
    for (const text of [inputs.configs.kubeconfig, inputs.configs.ktConfig]) {
      if (text !== undefined) for (const fragment of secretFragments(text)) core.setSecret(fragment);
    }
    // a mirror URL may carry a token: git and the downloads could print it
    for (const url of [inputs.upstream.url, inputs.go.downloadBaseUrl, inputs.upx.downloadBaseUrl, inputs.wintun.url]) {
      const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/i.exec(url)?.[1];
      if (userinfo !== undefined) for (const part of [userinfo, ...userinfo.split(':')]) if (part.length >= 4) core.setSecret(part);
    }
    // the archives carry the credentials: no upload of any kind to a public repository
    const client = publishing.publish || publishing.uploadArtifact ? releaseClientFor(publishing, actionsLog) : undefined;
    if (client !== undefined) await checkVisibility(client, publishing.allowPublic, actionsLog);

    if (publishing.mode === 'publish') {
      await publishCollected(publishing, client!);
    } else {
      await buildAndPublish(inputs, publishing, client);
    }
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

/** Modes `all` and `build`: skip when the release already holds this build, else build, then publish or upload. */
async function buildAndPublish(inputs: BuildInputs, publishing: PublishInputs, client: ReleaseClient | undefined): Promise<void> {
  const upstream = await resolveUpstreamTag(inputs, actionsLog);
  const plan = planFor(inputs, upstream);
  const fingerprint = computeFingerprint(fingerprintParts(inputs, upstream, plan.version, ACTION_VERSION));
  const tag = releaseTagFor(publishing, upstream.tag);
  core.setOutput('fingerprint', fingerprint);
  core.setOutput('version', plan.version);
  core.setOutput('upstream-tag', upstream.tag);

  if (client !== undefined && publishing.publish && publishing.skipUnchanged) {
    const check = await actionsLog.group(`Compare with release ${tag}`, () => checkUnchanged(client, unchangedQueryFor(publishing, tag, plan, fingerprint), actionsLog));
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

  let published: PublishResult | undefined;
  if (client !== undefined && publishing.publish) {
    published = await actionsLog.group(`Publish release ${tag}`, () =>
      publishRelease(client, publishRequestFor(publishing, tag, result, releaseFiles(result, fingerprint), plan.checksumsName), actionsLog),
    );
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
  await report(result, published);
}

/** Mode `publish`: gather the build jobs' artifacts and publish them as one release. */
async function publishCollected(publishing: PublishInputs, client: ReleaseClient): Promise<void> {
  const destination = path.join(process.env['RUNNER_TEMP'] || os.tmpdir(), 'ktctl-customize-artifacts');
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
  const published = await actionsLog.group(`Publish release ${tag}`, () =>
    publishRelease(client, publishRequestFor(publishing, tag, collected, collected.files, collected.checksumsName), actionsLog),
  );
  if (!/^[A-Za-z0-9._+-]+$/.test(collected.checksumsName) || collected.checksumsName.startsWith('.')) {
    throw new Error(`mode: publish: the build jobs' manifest names the checksums file '${collected.checksumsName}', which is not a file name.`);
  }
  // one checksums file for the archives of every build job
  const checksumsFile = path.join(destination, collected.checksumsName);
  await writeFile(checksumsFile, checksumsText(collected.assets));
  await report({ ...collected, checksumsFile }, published);
}

async function report(result: BuildResult, published: PublishResult | undefined): Promise<void> {
  const assets = published === undefined ? result.assets : withDownloadUrls(result.assets, published);
  setBuildOutputs(result, assets);
  if (published !== undefined) setReleaseOutputs(published);
  await writeSummary(result, assets, published === undefined ? undefined : { url: published.htmlUrl, tag: published.tag });
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
    const removed = scrubBuildCache(gocache, since, configs);
    if (removed > 0) core.info(`Removed ${removed} build cache entries that held the embedded configs.`);
  }
}
