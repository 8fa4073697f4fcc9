// The build half of a run, stage by stage: source, toolchain, build, package.
import os from 'node:os';
import { buildBinaries, buildSchedule, goEnvironment, scrubBuildCache } from './build.js';
import { applyPatches, checkCustomizeHook, redirectImages, type TreeImages } from './customize-tree.js';
import { mergeRegistryImages, registryImages } from './images.js';
import { redactUrl } from './redact.js';
import { resolvePatches } from './patches.js';
import { targetId } from './targets.js';
import { cacheWanted, goCacheKey, openGoCaches } from './go-cache.js';
import { killRunning } from './process.js';
import type { Log } from './log.js';
import type { BuildInputs, BuildPlan, BuildResult, TargetPlan, UpstreamRelease } from './model.js';
import { packageArchives } from './package.js';
import { writeBuildRecords } from './package-records.js';
import { resolveOutputDir } from './output-folder.js';
import { makePrivateFolder } from './private-files.js';
import { allSettledOrThrow } from './settle.js';
import { planBuild } from './plan.js';
import { checkHookLayout, checkout, resolveUpstream, writeEmbeddedConfigs, type Checkout } from './source.js';
import { checkoutModule, resolveFromProxy, type ModuleContext } from './module-source/index.js';
import { sourceLine } from './source-record.js';
import { installGo, type InstalledGo } from './toolchain/go.js';
import { hostPlatform, type HostPlatform } from './toolchain/platform.js';
import { installUpx, runnerTools, upxSourceFor, type InstalledUpx, type ToolLookups, type UpxSource } from './toolchain/upx.js';
import { fetchWintun } from './toolchain/wintun.js';
import { parseGoDirective } from './upstream.js';
import { validateForUpstream } from './validate/index.js';
import { withWorkspace, type Workspace } from './workspace.js';
import { binaryChecks, checkNavigatorInBinary, embeddedSettings, parseModulePath, runsHere, type BinaryChecks } from './verify/index.js';

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
  const ktConfig = mergeRegistryImages(inputs.configs.ktConfig, registryImages(inputs.imageRegistry, plan.version));
  return { ...inputs, configs: { ...inputs.configs, ktConfig } };
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

/** The plan, with where upx comes from decided once, before anything is downloaded; undefined: nothing is packed. */
export interface PlannedBuild extends BuildPlan {
  readonly upxSource: UpxSource | undefined;
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

export interface PipelineContext {
  readonly log: Log;
  readonly workspace: Workspace;
  readonly env: NodeJS.ProcessEnv;
  readonly host?: HostPlatform;
  /** Told where and since when the build cache may hold the configs, for a post step to scrub. */
  readonly onBuildCache?: (gocache: string, since: number) => void;
}

/** The build, phase by phase: each phase returns what the next needs. */
export async function buildKtctl(inputs: BuildInputs, plan: PlannedBuild, given: PipelineContext): Promise<BuildResult> {
  const context = { ...given, host: given.host ?? hostPlatform() };
  const source = await prepareSource(inputs, plan, context);
  const tools = await installTools(inputs, plan, source, context);
  const built = await buildAndCheck(inputs, plan, source, tools, context);
  return packageBuild(inputs, plan, source, tools, built, context);
}

type Context = PipelineContext & { readonly host: HostPlatform };

interface PreparedSource extends Checkout {
  /** The module go.mod declares. */
  readonly module: string;
  /** The image names in the source, before and after image-registry's navigator replaced its own. */
  readonly images: TreeImages;
  /** image-registry's navigator repository; undefined without image-registry. */
  readonly navigator: string | undefined;
}

/** The upstream tree, checked out (or fetched from the module proxy), patched, customized: the configs embedded. */
async function prepareSource(inputs: BuildInputs, plan: BuildPlan, { log, workspace, env, host }: Context): Promise<PreparedSource> {
  const { upstream } = plan;
  const title = upstream.source === undefined ? 'Check out' : 'Fetch from the module proxy';
  return log.group(`${title} kt-connect ${upstream.tag} (${upstream.commit.slice(0, 12)})`, async () => {
    const tree =
      upstream.source === undefined
        ? await checkout(inputs.upstream, upstream, workspace.path('kt-connect'))
        : await checkoutModule(inputs, upstream, workspace.path('kt-connect'), workspace.path('module-fetch'), { env, host, tempDir: workspace.path(), log });
    // before anything reads or patches the tree: no link on the way to the hook files
    await checkHookLayout(tree.dir, upstream.tag, 'allowed');
    const patches = inputs.patches ?? [];
    await applyPatches(tree.dir, patches, workspace.path('patches'));
    if (patches.length > 0) log.info(`Applied ${patches.length} patches: ${patches.map((patch) => patch.name).join(', ')}.`);
    // after the patches: a patch may be what gives a fork upstream's layout
    await checkCustomizeHook(tree.dir, `kt-connect ${upstream.tag} of ${redactUrl(inputs.upstream.url)}`);
    const navigator = inputs.imageRegistry === undefined ? undefined : registryImages(inputs.imageRegistry, plan.version).navigatorRepository;
    const images = await redirectImages(tree.dir, navigator);
    if (navigator !== undefined) log.info(`Navigator image: ${navigator}:v${plan.version}.`);
    await writeEmbeddedConfigs(tree.dir, inputs.configs, upstream.tag);
    const size = (text: string | undefined): string => (text === undefined ? "upstream's placeholder" : `${Buffer.byteLength(text)} bytes`);
    log.info(`Embedded: kubeconfig ${size(inputs.configs.kubeconfig)}, kt config ${size(inputs.configs.ktConfig)}.`);
    const module = parseModulePath(tree.goMod);
    if (module === undefined) throw new Error(`kt-connect ${upstream.tag} has a go.mod without a module line: is this kt-connect?`);
    return { ...tree, module, images, navigator };
  });
}

interface Tools {
  readonly go: InstalledGo;
  readonly upx: InstalledUpx | undefined;
  /** wintun.dll by architecture. */
  readonly wintun: ReadonlyMap<string, string>;
  /** Go's environment for every go command of the build: decided here, once. */
  readonly goEnv: NodeJS.ProcessEnv;
}

/** Go (the version go.mod asks for, within the inputs' bounds), upx where the plan decided one, and wintun for Windows targets. */
async function installTools(inputs: BuildInputs, plan: PlannedBuild, source: PreparedSource, { log, workspace, env, host }: Context): Promise<Tools> {
  const wintunArches = [...new Set(plan.targets.flatMap((t) => (t.wintunArch === undefined ? [] : [t.wintunArch])))];
  const tools = await log.group('Install Go, upx and wintun', async () => {
    const [go, upx, wintun] = await allSettledOrThrow([
      installGo(inputs.go, parseGoDirective(source.goMod), host, log),
      plan.upxSource === undefined ? undefined : installUpx(plan.upxSource, host, log),
      wintunArches.length > 0 ? fetchWintun(inputs.wintun, wintunArches, workspace.path('wintun'), log) : new Map<string, string>(),
    ] as const);
    log.info(
      `Go ${go.version}${upx === undefined ? '' : `, upx ${upx.version}`}${wintunArches.length > 0 ? `, wintun.dll for ${wintunArches.join(', ')}` : ''}.`,
    );
    return { go, upx, wintun };
  });
  const goTmp = workspace.path('gotmp');
  await makePrivateFolder(goTmp);
  return { ...tools, goEnv: goEnvironment(env, tools.go.go, goTmp) };
}

interface Built {
  readonly binaries: ReadonlyMap<TargetPlan, string>;
  readonly checks: BinaryChecks;
}

/**
 * Every target compiled and checked (build info, the configs byte for byte, the navigator image,
 * and where the runner can run it, ktctl itself), then packed by upx. The build cache may hold
 * the configs from the first compile on: it is scrubbed however the phase ends, before the
 * cache is saved.
 */
async function buildAndCheck(inputs: BuildInputs, plan: BuildPlan, source: PreparedSource, tools: Tools, context: Context): Promise<Built> {
  const { log, workspace, host } = context;
  const caches = await openGoCaches(
    tools.go.go,
    tools.goEnv,
    goCacheKey({ host, goVersion: tools.go.version, goSum: source.goSum, targets: plan.targets.map((t) => t.target) }),
    cacheWanted(inputs.cache, context.env),
    log,
  );
  const checks = withNavigatorCheck(
    binaryChecks({
      go: tools.go.go,
      goEnv: tools.goEnv,
      goVersion: tools.go.version,
      version: plan.version,
      module: source.module,
      embedded: [
        { name: 'kubeconfig', text: inputs.configs.kubeconfig },
        { name: 'kt config', text: inputs.configs.ktConfig },
      ],
      ktSettings: embeddedSettings(inputs.configs.ktConfig),
      host,
      scratchDir: workspace.path(),
      log,
    }),
    source,
  );
  if (!plan.targets.some((target) => runsHere(target.target, host))) {
    log.info(`No target is this runner's platform (${host.os}/${host.arch}): the binaries are checked by their build info, not run.`);
  }
  const binaries = await log.group(`Build ${plan.targets.length} targets, ${buildSchedule(inputs.maxParallel)}`, async () => {
    // from here the build cache may hold the configs: scrub it however the run ends
    const since = Date.now() - 2000;
    const secrets = [inputs.configs.kubeconfig ?? '', inputs.configs.ktConfig ?? ''];
    const scrub = (): number => scrubBuildCache(caches.buildCache, since, secrets);
    context.onBuildCache?.(caches.buildCache, since); // for the post step, should this process be killed
    const withdraw = workspace.onDispose(() => void scrub()); // for a stop signal
    try {
      return await buildBinaries(
        plan,
        { go: tools.go.go, upx: tools.upx?.upx, upxArgs: inputs.upx.args },
        { sourceDir: source.dir, outputDir: workspace.path('bin'), maxParallel: inputs.maxParallel, env: context.env, goEnv: tools.goEnv, log, checks },
      );
    } finally {
      const removed = scrub();
      withdraw();
      if (removed > 0) log.info(`Removed ${removed} build cache entries that held the embedded configs.`);
    }
  });
  await caches.saveIfNew(); // only now: the entries that held the configs are gone
  return { binaries, checks };
}

/** With image-registry, the navigator image the binary names is checked too, before upx hides its strings. */
function withNavigatorCheck(checks: BinaryChecks, source: PreparedSource): BinaryChecks {
  const { navigator } = source;
  const replaced = source.images.replacedNavigator;
  if (navigator === undefined || replaced === undefined) return checks;
  return {
    buildInfo: checks.buildInfo,
    packed: (target, binary) => checks.packed(target, binary),
    built: async (target, binary) => {
      await checks.built(target, binary);
      checkNavigatorInBinary(binary, targetId(target.target), navigator, replaced);
    },
  };
}

/** The archives, the checksums file, the SBOM and the images list, in output-dir. */
async function packageBuild(
  inputs: BuildInputs,
  plan: BuildPlan,
  source: PreparedSource,
  tools: Tools,
  built: Built,
  { log, workspace, env }: Context,
): Promise<BuildResult> {
  const packaged = await log.group(`Package ${plan.targets.length} archives into ${inputs.outputDir}`, () =>
    packageArchives(plan, {
      binaries: built.binaries,
      wintun: tools.wintun,
      mtime: source.commitTime,
      stagingDir: workspace.path('stage'),
      outputDir: inputs.outputDir,
    }),
  );
  const records = await writeBuildRecords(
    {
      inputs,
      plan,
      goVersion: tools.go.version,
      module: source.module,
      assets: packaged.assets,
      buildInfo: (target) => built.checks.buildInfo.get(target)!,
      upstreamImages: source.images.upstream,
      env,
    },
    log,
  );
  return { version: plan.version, upstream: plan.upstream, goVersion: tools.go.version, ...packaged, ...records, patches: inputs.patches ?? [] };
}
