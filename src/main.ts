// The action's run, as a runner executes it: read the inputs, then mode all or build (build, then
// publish or upload), mode publish (gather the build jobs' archives, publish them), or a dry run.
// Each step is a function of its stage; setFailed is called once, here, and every stage throws
// errors that say what to do. `actions` is @actions/core, or a test's fake of it.
import os from 'node:os';
import { credentialsExpireOutput, isoDay, configSummaryOf } from './inputs/index.js';
import { collectedArchives, installerArchives, packageCollected, sbomCreated } from './package/index.js';
import {
  buildDigests,
  releaseFiles,
  releaseTagFor,
  type ReleaseClient,
  collectBuildJobs,
  findUnchanged,
  publishBuild,
  uploadBuild,
  buildNumber,
  CONFIGS_OF_THE_BUILD_JOBS,
  embeddedNotes,
  givenBodyInput,
  notesContextFor,
  notesFor,
} from './publish/index.js';
import { reportBuild, reportBuilding, reportCredentialsExpire, reportDryRun, reportPlanned, reportUnchanged } from './report/index.js';
import { dryRunPlan, withOutputDirChecked, inputReaderOf, maskInputSecrets, readRunInputs, releaseClientForRun, type RunInputs, planRun } from './run/index.js';
import { actionsCore, logOf, type ActionCore, messageOf, type Log, stopOnSignals } from './shared/index.js';
import { buildRemembered, POST_STATE, postStep, rememberVersion } from './post-step.js';

export async function run(actions: ActionCore = actionsCore): Promise<void> {
  const read = inputReaderOf(actions);
  if (actions.getState(POST_STATE) === 'true') return postStep(actions, read);
  actions.saveState(POST_STATE, 'true');
  // from the first child on (git ls-remote), a cancelled job stops every child's process tree
  const release = stopOnSignals();
  const redact = maskInputSecrets(actions, read);
  const log = logOf(actions);
  try {
    const given = await readRunInputs(actions, read, process.env, log);
    if (given.publishing.mode !== 'publish') reportCredentialsExpire(actions, credentialsExpireOutput(given.credentialsExpire));
    const client = await releaseClientForRun(given.publishing, log);
    if (given.dryRun) await dryRun(actions, given, client, log);
    else if (given.publishing.mode === 'publish') await publishCollected(actions, given, client!, log);
    else await buildAndPublish(actions, given, client, log);
  } catch (error) {
    // every stage shows URLs redacted already; this holds for any message that slipped through
    actions.setFailed(redact(messageOf(error)));
  } finally {
    release();
  }
}

/** Modes all and build: skip when the release already holds this build, else build, then publish or upload. */
async function buildAndPublish(actions: ActionCore, given: RunInputs, client: ReleaseClient | undefined, log: Log): Promise<void> {
  const { publishing, body } = given;
  sbomCreated(process.env); // a malformed SOURCE_DATE_EPOCH fails before anything is fetched
  const planned = await planRun(await withOutputDirChecked(given.inputs, given.workspace), publishing, log);
  const { inputs, plan, fingerprint, tag } = planned;
  rememberVersion(actions, plan.version);
  reportPlanned(actions, { tag, fingerprint, version: plan.version, upstream: planned.upstream });
  const publish = client !== undefined && publishing.publish;
  if (publish && publishing.skipUnchanged) {
    const unchanged = await findUnchanged(client, publishing, { tag, plan, fingerprint, body, bodyInput: givenBodyInput(publishing.releaseBody) }, log);
    if (unchanged !== undefined) return reportUnchanged(actions, unchanged);
  }
  reportBuilding(actions);
  const result = await buildRemembered(actions, inputs, plan, log);
  const embedded = embeddedNotes(configSummaryOf(inputs), given.credentialsExpire);
  const notes = notesContextFor(result, plan.checksumsName, publishing, embedded, publish, buildNumber(process.env));
  const published = publish
    ? await publishBuild(
        client,
        publishing,
        {
          ...{ tag, built: result, checksumsName: plan.checksumsName, fingerprint, notes, body },
          archives: releaseFiles(result, fingerprint),
          digests: buildDigests(planned.parts),
          installers: { dir: inputs.outputDir, archives: installerArchives({ ...inputs, upxEnabled: inputs.upx.enabled }, plan) },
        },
        log,
      )
    : undefined;
  if (publishing.uploadArtifact) await uploadBuild(publishing, { result, fingerprint, checksumsName: plan.checksumsName }, log);
  await reportBuild(actions, result, published?.release, published?.notes ?? notesFor(notes, tag));
}

/** Mode publish: gather the build jobs' artifacts and publish them as one release. */
async function publishCollected(actions: ActionCore, given: RunInputs, client: ReleaseClient, log: Log): Promise<void> {
  const { publishing } = given;
  const { folder, collected } = await collectBuildJobs(publishing, process.env['RUNNER_TEMP'] || os.tmpdir(), log);
  const tag = releaseTagFor(publishing, collected.upstream.tag);
  reportPlanned(actions, { tag, fingerprint: collected.fingerprint });
  reportBuilding(actions);
  const result = await packageCollected(folder, collected, process.env);
  const notes = notesContextFor(result, collected.checksumsName, publishing, CONFIGS_OF_THE_BUILD_JOBS, true, buildNumber(process.env));
  const published = await publishBuild(
    client,
    publishing,
    {
      ...{ tag, built: result, checksumsName: collected.checksumsName, fingerprint: collected.fingerprint, notes, body: given.body },
      archives: collected.files,
      // the build jobs' configs are not known here: only the upstream tells why a rebuild supersedes
      digests: { upstream: collected.upstream.commit, version: collected.version },
      installers: { dir: folder, archives: collectedArchives(collected.assets) },
    },
    log,
  );
  await reportBuild(actions, result, published.release, published.notes);
}

/** `dry-run: true`: the checks a build makes before it builds, what publishing would do, the plan; nothing built or written. */
async function dryRun(actions: ActionCore, given: RunInputs, client: ReleaseClient | undefined, log: Log): Promise<void> {
  if (given.publishing.mode === 'publish') {
    // the archives are the build jobs' artifacts, which exist only in a real run
    return log.info('Dry run of mode publish: the inputs and the repository check out; the build jobs’ artifacts are only there in a real run.');
  }
  const planned = await planRun(await withOutputDirChecked(given.inputs, given.workspace), given.publishing, log);
  reportPlanned(actions, { fingerprint: planned.fingerprint, version: planned.plan.version, upstream: planned.upstream });
  const expires = given.credentialsExpire === undefined ? undefined : isoDay(given.credentialsExpire);
  const context = { log, tempDir: process.env['RUNNER_TEMP'] || os.tmpdir() };
  const { goVersion, text } = await dryRunPlan(planned, given.publishing, client, expires, context);
  await reportDryRun(actions, { version: planned.plan.version, goVersion, text });
}
