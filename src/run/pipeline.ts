// The build half of a run, stage by stage: source, toolchain, build, package (build-phases.ts).
import os from 'node:os';
import { buildAndCheck, installTools, packageBuild, prepareSource, type PipelineContext, type PlannedBuild } from './build-phases.js';

export type { PipelineContext, PlannedBuild } from './build-phases.js';
import { resolvePatches, validateForUpstream, configSummaryOf } from '../inputs/index.js';
import { mergeRegistryImages, registryImages, IMAGE_KEYS, planBuild } from '../plan/index.js';
import { killRunning, type Log, resolveOutputDir, withWorkspace } from '../shared/index.js';
import { resolveUpstream, resolveFromProxy, type ModuleContext, sourceLine } from '../source/index.js';
import { hostPlatform, type HostPlatform, runnerTools, upxSourceFor, type ToolLookups } from '../toolchain/index.js';
import type { BuildInputs, BuildPlan, BuildResult, UpstreamRelease } from '../model.js';

/**
 * Finds the upstream tag and runs the checks that depend on it. From git: still nothing
 * downloaded. From the module proxy: Go is installed and the module fetched and checked against
 * the checksum database here, since its hash is part of the fingerprint.
 */
export async function resolveUpstreamTag(inputs: BuildInputs, log: Log, context: Partial<ModuleContext> = {}): Promise<UpstreamRelease> {
  const upstream = await log.group('Resolve kt-connect', async () => {
    const release =
      inputs.upstream.source === 'go-proxy' ? await resolveFromProxy(inputs, moduleContext(context, log)) : await resolveUpstream(inputs.upstream);
    log.info(`kt-connect ${inputs.upstream.version} is ${release.tag} (${release.commit}).`);
    if (release.source !== undefined) log.info(sourceLine(release.source));
    return release;
  });
  validateForUpstream(inputs, upstream.tag, log);
  return upstream;
}

function moduleContext(context: Partial<ModuleContext>, log: Log): ModuleContext {
  return {
    env: context.env ?? process.env,
    host: context.host ?? hostPlatform(),
    tempDir: context.tempDir ?? (process.env['RUNNER_TEMP'] || os.tmpdir()),
    log,
  };
}

/**
 * output-dir as it is on disk, before anything is downloaded: inside the workspace once links
 * are resolved, and a folder if it exists. The build writes to the real path it returns.
 */
export async function withOutputDirChecked(inputs: BuildInputs, workspace: string): Promise<BuildInputs> {
  return { ...inputs, outputDir: await resolveOutputDir(inputs.outputDir, workspace) };
}

/** Reads the patch files the `patches` input names (inside `workspace`, never through a link), before anything is downloaded. */
export async function withPatchFiles(inputs: BuildInputs, workspace: string): Promise<BuildInputs> {
  const patterns = inputs.patchPatterns ?? [];
  return patterns.length === 0 ? inputs : { ...inputs, patches: await resolvePatches(patterns, workspace) };
}

/**
 * The inputs as embedded: with `image-registry`, its shadow and router images merged into the kt
 * config (their tags need the plan's version). A kt config that sets either differently fails
 * here, before anything is downloaded.
 */
export function withRegistryImages(inputs: BuildInputs, plan: Pick<BuildPlan, 'version'>): BuildInputs {
  if (inputs.imageRegistry === undefined) return inputs;
  const images = registryImages(inputs.imageRegistry, plan.version);
  const ktConfig = mergeRegistryImages(inputs.configs.ktConfig, images);
  // the merge refuses other values for the two settings: the summary gains them as merged
  const summary = configSummaryOf(inputs);
  const ktSettings = new Map(summary.ktSettings);
  ktSettings.set(IMAGE_KEYS.shadow.join('.'), images.shadow);
  ktSettings.set(IMAGE_KEYS.router.join('.'), images.router);
  return { ...inputs, configs: { ...inputs.configs, ktConfig }, configSummary: { ...summary, ktSettings, overridesImages: true } };
}

export interface BuildEnvironment {
  readonly log: Log;
  readonly env: NodeJS.ProcessEnv;
  /** Parent of the scratch folder: RUNNER_TEMP in Actions. */
  readonly tempDir: string;
  /** Told the scratch folder's path, so a post step can remove it if this process is killed. */
  readonly onWorkspace?: (root: string) => void;
  readonly onBuildCache?: (gocache: string, since: number) => void;
}

/** Builds in a scratch folder that is removed in every ending, cancellation included. */
export function buildInWorkspace(inputs: BuildInputs, plan: PlannedBuild, environment: BuildEnvironment): Promise<BuildResult> {
  return withWorkspace(environment.tempDir, environment.onWorkspace ?? (() => {}), killRunning, (workspace) =>
    buildKtctl(inputs, plan, { log: environment.log, workspace, env: environment.env, onBuildCache: environment.onBuildCache }),
  );
}

/**
 * What the run will produce: names and settings per target, known before anything is built.
 * Also refuses a plan this machine cannot carry out: no upx in the tool cache and no hash to
 * download one with, or a macOS runner with neither upx on its PATH nor Homebrew to install it.
 */
export function planFor(inputs: BuildInputs, upstream: UpstreamRelease, host: HostPlatform = hostPlatform(), tools: ToolLookups = runnerTools): PlannedBuild {
  const plan = planBuild({ ...inputs, upxEnabled: inputs.upx.enabled, upxOses: inputs.upx.oses }, upstream);
  const packed = plan.targets.filter((t) => t.upxSkipReason === undefined).map((t) => `${t.target.os}/${t.target.arch}`);
  return { ...plan, upxSource: inputs.upx.enabled && packed.length > 0 ? upxSourceFor(inputs.upx, host, tools, packed) : undefined };
}

/** The build, phase by phase: each phase returns what the next needs. */
export async function buildKtctl(inputs: BuildInputs, plan: PlannedBuild, given: PipelineContext): Promise<BuildResult> {
  const context = { ...given, host: given.host ?? hostPlatform() };
  const source = await prepareSource(inputs, plan, context);
  const tools = await installTools(inputs, plan, source, context);
  const built = await buildAndCheck(inputs, plan, source, tools, context);
  return packageBuild(inputs, plan, source, tools, built, context);
}
