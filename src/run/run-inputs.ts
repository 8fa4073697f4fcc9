// A run's inputs, read the way the runner hands them over: the secrets masked before anything
// else runs, then every input parsed and checked, the configs and a given release body
// included, before anything is downloaded. Bad input fails here, with nothing done yet.
import os from 'node:os';
import { withConfigsChecked, parseBoolean, parseBuildInputs, UPSTREAM_CONFIG, type InputReader } from '../inputs/index.js';
import {
  checkVisibility,
  parsePublishInputs,
  releaseClientFor,
  type PublishInputs,
  type ReleaseClient,
  guardedReleaseClient,
  givenBodyInput,
  readReleaseBody,
  shownName,
} from '../publish/index.js';
import {
  type ActionCore,
  type Log,
  armPublishedTextGuard,
  checkGivenText,
  PublishedTextGuard,
  redactUrlCredentials,
  urlSecrets,
  secretFragments,
} from '../shared/index.js';
import type { BuildInputs } from '../model.js';
import { withPatchFiles } from './pipeline.js';

export interface RunInputs {
  /** GITHUB_WORKSPACE: where output-dir, patches and release-body-file are. */
  readonly workspace: string;
  readonly dryRun: boolean;
  /** With the patch files read; output-dir not yet resolved. */
  readonly inputs: BuildInputs;
  readonly publishing: PublishInputs;
  /** The release body the user gave, read and checked; undefined: generated notes. */
  readonly body: string | undefined;
  /** When the kubeconfig's credential expires; undefined in mode publish, which has no configs. */
  readonly credentialsExpire: Date | undefined;
}

/** Inputs that are URLs: a mirror's may carry a user and password or token. */
const URL_INPUTS = ['kt-connect-repository', 'go-download-base-url', 'upx-download-base-url', 'wintun-url'];

/** Config inputs are taken byte for byte: trimming would change what ktctl embeds. */
export function inputReaderOf(actions: Pick<ActionCore, 'getInput'>): InputReader {
  return (name) => (name === 'kubeconfig' || name === 'kt-config' ? actions.getInput(name, { trimWhitespace: false }) : actions.getInput(name));
}

/**
 * Masks both configs and every credential in a URL input, before anything else runs: from here
 * on no log line can show them. Returns a function that takes the URL inputs' credentials out
 * of a message, for any that slipped through.
 */
export function maskInputSecrets(actions: Pick<ActionCore, 'setSecret'>, read: InputReader): (message: string) => string {
  for (const name of ['kubeconfig', 'kt-config']) {
    for (const fragment of secretFragments(configSecretText(read(name)))) actions.setSecret(fragment);
  }
  // go-proxy is a list: each of its URLs may carry a token; go-sumdb may end with one
  const urls = [...URL_INPUTS.map((name) => read(name).trim()), ...['go-proxy', 'go-sumdb'].flatMap((name) => read(name).split(/[\s,|]+/))];
  for (const url of urls) for (const secret of urlSecrets(url)) actions.setSecret(secret);
  return (message) => urls.reduce((text, url) => redactUrlCredentials(text, url), message);
}

/** Every input parsed and checked; the published-text guard armed with the configs. */
export async function readRunInputs(actions: Pick<ActionCore, 'setSecret'>, read: InputReader, env: NodeJS.ProcessEnv, log: Log): Promise<RunInputs> {
  const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
  // mode publish builds nothing: the configs were the build jobs', and its step need not give them
  const publishOnly = read('mode').trim() === 'publish';
  const readBuildInput: InputReader = (name) =>
    publishOnly && (name === 'kubeconfig' || name === 'kt-config') && read(name).trim() === '' ? UPSTREAM_CONFIG : read(name);
  const dryRun = parseBoolean('dry-run', read('dry-run').trim() || 'false');
  const context = { workspace, serverUrl: env['GITHUB_SERVER_URL'] ?? 'https://github.com' };
  const inputs = await withPatchFiles(parseBuildInputs(readBuildInput, context, os.availableParallelism()), workspace);
  const publishing = parsePublishInputs(read, env);
  for (const text of [inputs.configs.kubeconfig, inputs.configs.ktConfig]) {
    if (text !== undefined) for (const fragment of secretFragments(text)) actions.setSecret(fragment);
  }
  // both configs and the credential's lifetime, before any network step; read once, for every stage
  const checked = publishing.mode === 'publish' ? inputs : withConfigsChecked(inputs, log);
  // what the log masks, no text the action publishes or writes may hold (published-text.ts)
  armPublishedTextGuard(publishedTextGuardFor(read, checked));
  // read and checked before anything is downloaded: a bad body fails the run at once
  const body = publishing.publish ? await readReleaseBody(publishing.releaseBody, workspace) : undefined;
  if (body !== undefined) checkGivenText(givenBodyInput(publishing.releaseBody), body);
  if (publishing.releaseName !== undefined) checkGivenText('release-name', publishing.releaseName);
  return { workspace, dryRun, inputs: checked, publishing, body, credentialsExpire: checked.configSummary?.credentialsExpire };
}

/**
 * The client of the release repository when the run publishes or uploads, after the visibility
 * check: the archives carry the credentials, so no upload of any kind goes to a public repository.
 */
export async function releaseClientForRun(publishing: PublishInputs, log: Log): Promise<ReleaseClient | undefined> {
  if (!publishing.publish && !publishing.uploadArtifact) return undefined;
  const client = guardedReleaseClient(releaseClientFor(publishing, log));
  await checkVisibility(client, publishing.allowPublic, log);
  return client;
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
