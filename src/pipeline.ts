// The build half of a run, stage by stage: source, toolchain, build, package.
import { ACTION_VERSION } from './about.js';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildBinaries, buildSchedule, goEnvironment, scrubBuildCache } from './build.js';
import { applyPatches, checkCustomizeHook, redirectImages, type TreeImages } from './customize-tree.js';
import { configuredImages, IMAGE_KEYS, IMAGES_FILE, mergeRegistryImages, mirrorList, registryImages, writeImagesFile } from './images.js';
import { configSummaryOf } from './config-checks.js';
import { redactUrl } from './redact.js';
import { resolvePatches } from './patches.js';
import { defaultVersion } from './plan.js';
import { parseSemverTag } from './upstream.js';
import { targetId } from './targets.js';
import { cacheWanted, goCacheKey, openGoCaches } from './go-cache.js';
import { killRunning } from './process.js';
import type { Log } from './log.js';
import type { BuildInputs, BuildPlan, BuildResult, SbomParts, TargetPlan, UpstreamRelease } from './model.js';
import { packageArchives } from './package.js';
import { resolveOutputDir } from './output-folder.js';
import { allSettledOrThrow } from './settle.js';
import { planBuild } from './plan.js';
import { checkHookLayout, checkout, resolveUpstream, writeEmbeddedConfigs } from './source.js';
import { checkoutModule, resolveFromProxy, type ModuleContext } from './module-source/index.js';
import { sourceLine } from './source-record.js';
import { installGo } from './toolchain/go.js';
import { hostPlatform, type HostPlatform } from './toolchain/platform.js';
import { installUpx, runnerTools, upxSourceFor, type ToolLookups } from './toolchain/upx.js';
import { fetchWintun } from './toolchain/wintun.js';
import { parseGoDirective } from './upstream.js';
import { validateForUpstream } from './validate/index.js';
import { withWorkspace, type Workspace } from './workspace.js';
import { binaryChecks, checkNavigatorInBinary, parseModulePath, runsHere } from './verify/index.js';
import { publicRepositoryUrl, sbomCreated, writeSbom } from './sbom.js';

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
export function buildInWorkspace(inputs: BuildInputs, plan: BuildPlan, environment: BuildEnvironment): Promise<BuildResult> {
  return withWorkspace(environment.tempDir, environment.onWorkspace ?? (() => {}), killRunning, (workspace) =>
    buildKtctl(inputs, plan, { log: environment.log, workspace, env: environment.env, onBuildCache: environment.onBuildCache }),
  );
}

/**
 * What the run will produce: names and settings per target, known before anything is built.
 * Also refuses a plan this machine cannot carry out: no upx in the tool cache and no hash to
 * download one with, or a macOS runner with neither upx on its PATH nor Homebrew to install it.
 */
export function planFor(inputs: BuildInputs, upstream: UpstreamRelease, host: HostPlatform = hostPlatform(), tools: ToolLookups = runnerTools): BuildPlan {
  const plan = planBuild({ ...inputs, upxEnabled: inputs.upx.enabled, upxOses: inputs.upx.oses }, upstream);
  if (needsUpx(inputs, plan)) upxSourceFor(inputs.upx, host, tools, packedTargets(plan));
  return plan;
}

function needsUpx(inputs: BuildInputs, plan: BuildPlan): boolean {
  return inputs.upx.enabled && plan.targets.some((t) => t.upxSkipReason === undefined);
}

function packedTargets(plan: BuildPlan): string[] {
  return plan.targets.filter((t) => t.upxSkipReason === undefined).map((t) => `${t.target.os}/${t.target.arch}`);
}

export interface PipelineContext {
  readonly log: Log;
  readonly workspace: Workspace;
  readonly env: NodeJS.ProcessEnv;
  readonly host?: HostPlatform;
  /** Told where and since when the build cache may hold the configs, for a post step to scrub. */
  readonly onBuildCache?: (gocache: string, since: number) => void;
}

export async function buildKtctl(inputs: BuildInputs, plan: BuildPlan, context: PipelineContext): Promise<BuildResult> {
  const { log, workspace } = context;
  const { upstream } = plan;
  const host = context.host ?? hostPlatform();
  const navigator = navigatorRepository(inputs, plan);
  let images: TreeImages = { upstream: undefined, replacedNavigator: undefined };
  const wintunArches = [...new Set(plan.targets.flatMap((t) => (t.wintunArch === undefined ? [] : [t.wintunArch])))];

  const title = upstream.source === undefined ? 'Check out' : 'Fetch from the module proxy';
  const source = await log.group(`${title} kt-connect ${upstream.tag} (${upstream.commit.slice(0, 12)})`, async () => {
    const tree =
      upstream.source === undefined
        ? await checkout(inputs.upstream, upstream, workspace.path('kt-connect'))
        : await checkoutModule(inputs, upstream, workspace.path('kt-connect'), workspace.path('module-fetch'), {
            env: context.env,
            host,
            tempDir: workspace.path(),
            log,
          });
    // before anything reads or patches the tree: no link on the way to the hook files
    await checkHookLayout(tree.dir, upstream.tag, 'allowed');
    const patches = inputs.patches ?? [];
    await applyPatches(tree.dir, patches, workspace.path('patches'));
    if (patches.length > 0) log.info(`Applied ${patches.length} patches: ${patches.map((patch) => patch.name).join(', ')}.`);
    // after the patches: a patch may be what gives a fork upstream's layout
    await checkCustomizeHook(tree.dir, `kt-connect ${upstream.tag} of ${redactUrl(inputs.upstream.url)}`);
    images = await redirectImages(tree.dir, navigator);
    if (navigator !== undefined) log.info(`Navigator image: ${navigator}:v${plan.version}.`);
    await writeEmbeddedConfigs(tree.dir, inputs.configs, upstream.tag);
    log.info(
      `Embedded: kubeconfig ${inputs.configs.kubeconfig === undefined ? "upstream's placeholder" : `${Buffer.byteLength(inputs.configs.kubeconfig)} bytes`}, ` +
        `kt config ${inputs.configs.ktConfig === undefined ? "upstream's placeholder" : `${Buffer.byteLength(inputs.configs.ktConfig)} bytes`}.`,
    );
    return tree;
  });

  const tools = await log.group('Install Go, upx and wintun', async () => {
    // decided again, as planFor did, before any download starts: the tool cache may have changed since
    const upxSource = needsUpx(inputs, plan) ? upxSourceFor(inputs.upx, host, runnerTools, packedTargets(plan)) : undefined;
    const [go, upx, wintun] = await allSettledOrThrow([
      installGo(inputs.go, parseGoDirective(source.goMod), host, log),
      upxSource === undefined ? undefined : installUpx(upxSource, host, log),
      wintunArches.length > 0 ? fetchWintun(inputs.wintun, wintunArches, workspace.path('wintun'), log) : new Map<string, string>(),
    ] as const);
    log.info(
      `Go ${go.version}${upx === undefined ? '' : `, upx ${upx.version}`}${wintunArches.length > 0 ? `, wintun.dll for ${wintunArches.join(', ')}` : ''}.`,
    );
    return { go, upx, wintun };
  });

  const caches = await openGoCaches(
    tools.go.go,
    goEnvironment(context.env, tools.go.go),
    goCacheKey({ host, goVersion: tools.go.version, goSum: source.goSum, targets: plan.targets.map((t) => t.target) }),
    cacheWanted(inputs.cache, context.env),
    log,
  );

  const module = parseModulePath(source.goMod);
  if (module === undefined) throw new Error(`kt-connect ${upstream.tag} has a go.mod without a module line: is this kt-connect?`);
  const checks = binaryChecks({
    go: tools.go.go,
    goEnv: goEnvironment(context.env, tools.go.go),
    goVersion: tools.go.version,
    version: plan.version,
    module,
    embedded: [
      { name: 'kubeconfig', text: inputs.configs.kubeconfig },
      { name: 'kt config', text: inputs.configs.ktConfig },
    ],
    ktSettings: configSummaryOf(inputs).ktSettings,
    host,
    scratchDir: workspace.path(),
    log,
  });

  if (!plan.targets.some((target) => runsHere(target.target, host))) {
    log.info(`No target is this runner's platform (${host.os}/${host.arch}): the binaries are checked by their build info, not run.`);
  }

  const binaries = await log.group(`Build ${plan.targets.length} targets, ${buildSchedule(inputs.maxParallel)}`, async () => {
    // from here the build cache may hold the configs: scrub it however the run ends
    const since = Date.now() - 2000;
    const secrets = [inputs.configs.kubeconfig ?? '', inputs.configs.ktConfig ?? ''];
    const scrub = (): number => scrubBuildCache(caches.buildCache, since, secrets);
    context.onBuildCache?.(caches.buildCache, since);
    const withdraw = workspace.onDispose(() => void scrub());
    try {
      const replaced = images.replacedNavigator;
      // before upx: a packed binary's strings cannot be searched
      const checkBinary =
        navigator === undefined || replaced === undefined
          ? undefined
          : (target: TargetPlan, binary: string) => checkNavigatorInBinary(binary, targetId(target.target), navigator, replaced);
      return await buildBinaries(
        plan,
        { go: tools.go.go, upx: tools.upx?.upx, upxArgs: inputs.upx.args },
        {
          sourceDir: source.dir,
          outputDir: workspace.path('bin'),
          tmpDir: workspace.path('gotmp'),
          maxParallel: inputs.maxParallel,
          env: context.env,
          log,
          checks,
          checkBinary,
        },
      );
    } finally {
      const removed = scrub();
      withdraw();
      if (removed > 0) log.info(`Removed ${removed} build cache entries that held the embedded configs.`);
    }
  });
  await caches.saveIfNew(); // only now: the entries that held the configs are gone

  const packaged = await log.group(`Package ${plan.targets.length} archives into ${inputs.outputDir}`, () =>
    packageArchives(plan, {
      binaries,
      wintun: tools.wintun,
      mtime: source.commitTime,
      stagingDir: workspace.path('stage'),
      outputDir: inputs.outputDir,
    }),
  );
  // the SBOM, from the build info read before upx: beside the checksums file, named in the sbom-file output
  const sbom: SbomParts = {
    module,
    upstreamUrl: publicRepositoryUrl(inputs.upstream.url) ?? '', // never the credentials: this goes into artifacts too
    targets: plan.targets.map((target) => ({
      target: target.target,
      archiveName: target.archiveName,
      archiveSha256: packaged.assets.find((asset) => asset.name === target.archiveName)?.sha256 ?? '',
      buildInfo: { deps: checks.buildInfo.get(target)!.deps },
    })),
  };
  const sbomFile = await writeSbom(inputs.outputDir, {
    ...sbom,
    version: plan.version,
    upstream,
    goVersion: tools.go.version,
    actionVersion: ACTION_VERSION,
    created: sbomCreated(context.env),
  });
  const mirror =
    images.upstream === undefined
      ? undefined
      : mirrorList({
          upstream: images.upstream,
          upstreamTag: `v${parseSemverTag(upstream.tag) === undefined ? plan.version : defaultVersion(upstream.tag)}`,
          version: plan.version,
          registry: inputs.imageRegistry,
          configured: configuredImages(configSummaryOf(inputs).ktSettings),
        });
  const imagesFile = mirror === undefined ? undefined : await writeImagesFile(inputs.outputDir, mirror);
  if (mirror === undefined) {
    await rm(path.join(inputs.outputDir, IMAGES_FILE), { force: true }); // an earlier run's list would not be this build's
    log.info(`The image names in this kt-connect's source are not upstream's: no images list.`);
  }
  return {
    version: plan.version,
    upstream,
    goVersion: tools.go.version,
    ...packaged,
    sbomFile,
    sbom,
    images: mirror,
    imagesFile,
    patches: inputs.patches ?? [],
  };
}

function navigatorRepository(inputs: BuildInputs, plan: BuildPlan): string | undefined {
  return inputs.imageRegistry === undefined ? undefined : registryImages(inputs.imageRegistry, plan.version).navigatorRepository;
}
