// What the post step needs to clean up after a main step that was killed, and the post step
// itself. The main step saves where its scratch folder and build cache are while it builds, and
// clears them once it has cleaned up; the post step removes whatever is still named.
import os from 'node:os';
import path from 'node:path';
import { scrubBuildCache } from './build/index.js';
import { decodeConfig, type InputReader } from './inputs/index.js';
import { mergeRegistryImages, parseImageRegistry, registryImages } from './plan/index.js';
import { buildInWorkspace, type PlannedBuild } from './run/index.js';
import { type ActionCore, messageOf, type Log, removeTree } from './shared/index.js';
import type { BuildInputs, BuildResult } from './model.js';

/** Set by the main step: the runner runs the post step with the same inputs and this state. */
export const POST_STATE = 'isPost';
const WORKSPACE_STATE = 'workspace';
const BUILD_CACHE_STATE = 'build-cache';
const VERSION_STATE = 'ktctl-version';

/** The version is remembered before anything is built: the post step needs it to know the kt config as embedded. */
export function rememberVersion(actions: Pick<ActionCore, 'saveState'>, version: string): void {
  actions.saveState(VERSION_STATE, version);
}

/** Builds in a scratch folder, with its path and the build cache remembered for the post step while the build runs. */
export async function buildRemembered(actions: Pick<ActionCore, 'saveState'>, inputs: BuildInputs, plan: PlannedBuild, log: Log): Promise<BuildResult> {
  try {
    return await buildInWorkspace(inputs, plan, {
      log,
      env: process.env,
      tempDir: process.env['RUNNER_TEMP'] || os.tmpdir(),
      onWorkspace: (root) => actions.saveState(WORKSPACE_STATE, root),
      onBuildCache: (gocache, since) => actions.saveState(BUILD_CACHE_STATE, JSON.stringify({ gocache, since })),
    });
  } finally {
    // cleaned up already: the post step has nothing left to do
    actions.saveState(WORKSPACE_STATE, '');
    actions.saveState(BUILD_CACHE_STATE, '');
  }
}

/**
 * The post step: if the main step was killed before it could clean up, removes the scratch
 * folder and the build cache entries that hold the configs. The configs are read from the
 * inputs again, which the runner hands to the post step as well. It only cleans up: it says
 * what was left, and never fails a job that succeeded.
 */
export function postStep(actions: ActionCore, read: InputReader): void {
  try {
    const root = actions.getState(WORKSPACE_STATE);
    // only ever a folder this action made: the state file is the runner's, not an input
    if (path.basename(root).startsWith('ktctl-customize-')) removeTree(root);
    const cache = actions.getState(BUILD_CACHE_STATE);
    if (cache === '') return;
    const { gocache, since } = JSON.parse(cache) as { gocache: string; since: number };
    const configs = ['kubeconfig', 'kt-config'].map((name) => decodeConfig(name, read(name)) ?? '');
    // the kt config as embedded, if image-registry added the images to it
    const registry = parseImageRegistry(read('image-registry'));
    const version = actions.getState(VERSION_STATE);
    if (registry !== undefined && version !== '')
      configs.push(mergeRegistryImages(decodeConfig('kt-config', read('kt-config')), registryImages(registry, version)));
    const removed = scrubBuildCache(gocache, since, configs);
    if (removed > 0) actions.info(`Removed ${removed} build cache entries that held the embedded configs.`);
  } catch (error) {
    actions.warning(`Cleaning up after the main step failed: ${messageOf(error)}. Remove the runner's temporary folder if it is self-hosted.`);
  }
}
