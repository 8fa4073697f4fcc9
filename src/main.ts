// The action's run, as a runner executes it: read inputs, then each stage in turn.
// core.setFailed is called once, here; every stage throws errors that say what to do.
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { messageOf } from './errors.js';
import { parseBuildInputs, type InputReader } from './inputs.js';
import type { Log } from './log.js';
import { buildInWorkspace, resolveRelease } from './pipeline.js';
import { setBuildOutputs, writeSummary } from './report.js';
import { secretFragments } from './secrets.js';
import { removeTree } from './workspace.js';

const WORKSPACE_STATE = 'workspace';

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
    for (const text of [inputs.configs.kubeconfig, inputs.configs.ktConfig]) {
      if (text !== undefined) for (const fragment of secretFragments(text)) core.setSecret(fragment);
    }
    const upstream = await resolveRelease(inputs, actionsLog);
    const result = await buildInWorkspace(inputs, upstream, {
      log: actionsLog,
      env: process.env,
      tempDir: process.env['RUNNER_TEMP'] || os.tmpdir(),
      onWorkspace: (root) => core.saveState(WORKSPACE_STATE, root),
    });
    setBuildOutputs(result);
    await writeSummary(result, result.assets);
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

/** The post step: removes the scratch folder if the main step was killed before it could. */
function post(): void {
  const root = core.getState(WORKSPACE_STATE);
  // only ever a folder this action made: the state file is the runner's, not an input
  if (path.basename(root).startsWith('ktctl-customize-')) removeTree(root);
}
