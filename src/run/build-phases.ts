// The four phases of a build, each a function that returns what the next needs: prepare the
// source, install the tools, build and check, package. pipeline.ts buildKtctl runs them in turn.
import { buildBinaries, buildSchedule, goEnvironment, scrubBuildCache, cacheWanted, goCacheKey, openGoCaches } from '../build/index.js';
import { configSummaryOf } from '../inputs/index.js';
import { packageArchives, writeBuildRecords } from '../package/index.js';
import { registryImages, targetId } from '../plan/index.js';
import { redactUrl, makePrivateFolder, allSettledOrThrow, type Log, type Workspace, parseGoDirective } from '../shared/index.js';
import {
  applyPatches,
  checkCustomizeHook,
  redirectImages,
  type TreeImages,
  checkHookLayout,
  checkout,
  writeEmbeddedConfigs,
  type Checkout,
  checkoutModule,
} from '../source/index.js';
import { installGo, type InstalledGo, type HostPlatform, installUpx, type InstalledUpx, type UpxSource, fetchWintun } from '../toolchain/index.js';
import { binaryChecks, checkNavigatorInBinary, parseModulePath, runsHere, type BinaryChecks } from '../verify/index.js';
import type { BuildInputs, BuildPlan, BuildResult, TargetPlan } from '../model.js';

/** The plan, with where upx comes from decided once, before anything is downloaded; undefined: nothing is packed. */
export interface PlannedBuild extends BuildPlan {
  readonly upxSource: UpxSource | undefined;
}

export interface PipelineContext {
  readonly log: Log;
  readonly workspace: Workspace;
  readonly env: NodeJS.ProcessEnv;
  readonly host?: HostPlatform;
  /** Told where and since when the build cache may hold the configs, for a post step to scrub. */
  readonly onBuildCache?: (gocache: string, since: number) => void;
}

/** The pipeline's context, the host decided. */
export type PhaseContext = PipelineContext & { readonly host: HostPlatform };

export interface PreparedSource extends Checkout {
  /** The module go.mod declares. */
  readonly module: string;
  /** The image names in the source, before and after image-registry's navigator replaced its own. */
  readonly images: TreeImages;
  /** image-registry's navigator repository; undefined without image-registry. */
  readonly navigator: string | undefined;
}

/** The upstream tree, checked out (or fetched from the module proxy), patched, customized: the configs embedded. */
export async function prepareSource(inputs: BuildInputs, plan: BuildPlan, { log, workspace, env, host }: PhaseContext): Promise<PreparedSource> {
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

export interface Tools {
  readonly go: InstalledGo;
  readonly upx: InstalledUpx | undefined;
  /** wintun.dll by architecture. */
  readonly wintun: ReadonlyMap<string, string>;
  /** Go's environment for every go command of the build: decided here, once. */
  readonly goEnv: NodeJS.ProcessEnv;
}

/** Go (the version go.mod asks for, within the inputs' bounds), upx where the plan decided one, and wintun for Windows targets. */
export async function installTools(
  inputs: BuildInputs,
  plan: PlannedBuild,
  source: PreparedSource,
  { log, workspace, env, host }: PhaseContext,
): Promise<Tools> {
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

export interface Built {
  readonly binaries: ReadonlyMap<TargetPlan, string>;
  readonly checks: BinaryChecks;
}

/**
 * Every target compiled and checked (build info, the configs byte for byte, the navigator image,
 * and where the runner can run it, ktctl itself), then packed by upx. The build cache may hold
 * the configs from the first compile on: it is scrubbed however the phase ends, before the
 * cache is saved.
 */
export async function buildAndCheck(inputs: BuildInputs, plan: BuildPlan, source: PreparedSource, tools: Tools, context: PhaseContext): Promise<Built> {
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
      ktSettings: configSummaryOf(inputs).ktSettings,
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
        {
          sourceDir: source.dir,
          outputDir: workspace.path('bin'),
          maxParallel: inputs.maxParallel,
          env: context.env,
          goEnv: tools.goEnv,
          log,
          checks,
          buildCache: caches.buildCache,
        },
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
export async function packageBuild(
  inputs: BuildInputs,
  plan: BuildPlan,
  source: PreparedSource,
  tools: Tools,
  built: Built,
  { log, workspace, env }: PhaseContext,
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
