// `dry-run: true` and `ktctl-customize check`: every check a run makes before it builds, and the
// plan, with nothing built, uploaded or written outside a scratch folder.
//
// What it costs: `git ls-remote`, a shallow fetch of the one upstream commit (the build's first
// step too; it gives go.mod, proves the customization hook is there and the patches apply), the
// Go release index (or the exact version's .sha256 on a plain mirror), and one GET per toolchain
// download whose body is abandoned after the headers. The configs are never written anywhere.
import { configSummaryOf } from '../inputs/index.js';
import { configuredImages, mirrorList, registryImages, defaultVersion, targetId } from '../plan/index.js';
import { dryRunRelease, type PublishInputs, type ReleaseClient } from '../publish/index.js';
import { IMAGES_FILE, type Log, networkLimits, killRunning, redactUrl, sbomNameFor, parseGoDirective, parseSemverTag, withWorkspace } from '../shared/index.js';
import { checkCustomizeHook, applyPatches, redirectImages, checkHookLayout, checkout } from '../source/index.js';
import { chooseGo, probeUrl, hostPlatform, type HostPlatform, runnerTools, upxSourceFor, type ToolLookups } from '../toolchain/index.js';
import type { BuildInputs, BuildPlan, UpstreamRelease, MirrorImage } from '../model.js';
import type { RunPlan } from './run-plan.js';

export interface DryRunFindings {
  readonly goVersion: string;
  /** Where Go would come from, in words. */
  readonly goSource: string;
  /** Where upx would come from, in words; undefined when nothing is packed. */
  readonly upxSource: string | undefined;
  readonly wintun: string | undefined;
  readonly images: readonly MirrorImage[] | undefined;
}

/**
 * The checks after the plan: the upstream tree (fetched into a scratch folder, removed in every
 * ending), Go's version, and that every toolchain source answers.
 */
export async function dryRunChecks(
  inputs: BuildInputs,
  plan: BuildPlan,
  context: { readonly log: Log; readonly tempDir: string; readonly host?: HostPlatform; readonly tools?: ToolLookups },
): Promise<DryRunFindings> {
  const { log } = context;
  const host = context.host ?? hostPlatform();
  const upstream = plan.upstream;
  const limits = networkLimits(process.env);
  const navigator = inputs.imageRegistry === undefined ? undefined : registryImages(inputs.imageRegistry, plan.version).navigatorRepository;

  const tree = await log.group(`Check kt-connect ${upstream.tag} (${upstream.commit.slice(0, 12)})`, () =>
    withWorkspace(
      context.tempDir,
      () => {},
      killRunning,
      async (workspace) => {
        const source = await checkout(inputs.upstream, upstream, workspace.path('kt-connect'));
        await checkHookLayout(source.dir, upstream.tag, 'allowed');
        const patches = inputs.patches ?? [];
        await applyPatches(source.dir, patches, workspace.path('patches'));
        if (patches.length > 0) log.info(`The ${patches.length} patches apply: ${patches.map((patch) => patch.name).join(', ')}.`);
        await checkCustomizeHook(source.dir, `kt-connect ${upstream.tag} of ${redactUrl(inputs.upstream.url)}`);
        const images = await redirectImages(source.dir, navigator);
        log.info(`The customization hook is in place; the configs were not written (dry run).`);
        return { goMod: source.goMod, images };
      },
    ),
  );

  const go = await log.group('Check the toolchain sources', async () => {
    const choice = await chooseGo(inputs.go, parseGoDirective(tree.goMod), host, log);
    let goSource: string;
    if (choice.kind === 'cache') goSource = `the tool cache (${choice.toolName} ${choice.version})`;
    else {
      await probeUrl(choice.url, { limits, input: 'go-download-base-url', log });
      goSource = `${redactUrl(choice.url)} (answers)`;
    }
    const goVersion = choice.kind === 'cache' ? choice.version : choice.chosen.version;
    log.info(`Go ${goVersion}: ${goSource}.`);

    const packed = plan.targets.filter((target) => target.upxSkipReason === undefined);
    let upxSource: string | undefined;
    if (inputs.upx.enabled && packed.length > 0) {
      const source = upxSourceFor(
        inputs.upx,
        host,
        context.tools ?? runnerTools,
        packed.map((target) => targetId(target.target)),
      );
      if (source.kind === 'download') {
        await probeUrl(source.url, { limits, input: 'upx-download-base-url', log });
        upxSource = `${redactUrl(source.url)} (answers; sha256 from ${source.hashFrom === 'pin' ? "this action's pin" : 'upx-sha256'})`;
      } else if (source.kind === 'cache') upxSource = `the tool cache (${source.toolName} ${source.version})`;
      else if (source.kind === 'path') upxSource = `the runner's PATH (${source.upx})`;
      else upxSource = `Homebrew (${source.brew} install upx)`;
      log.info(`upx: ${upxSource}.`);
    }

    let wintun: string | undefined;
    if (plan.targets.some((target) => target.wintunArch !== undefined)) {
      await probeUrl(inputs.wintun.url, { limits, input: 'wintun-url', log });
      wintun = `${redactUrl(inputs.wintun.url)} (answers)`;
      log.info(`wintun: ${wintun}.`);
    }
    return { goVersion, goSource, upxSource, wintun };
  });

  const images =
    tree.images.upstream === undefined
      ? undefined
      : mirrorList({
          upstream: tree.images.upstream,
          upstreamTag: `v${parseSemverTag(upstream.tag) === undefined ? plan.version : defaultVersion(upstream.tag)}`,
          version: plan.version,
          registry: inputs.imageRegistry,
          configured: configuredImages(configSummaryOf(inputs).ktSettings),
        });
  return { ...go, images };
}

/** The files a build would write to output-dir (and publish), in the order the release lists them. */
export function plannedFiles(plan: BuildPlan, findings: Pick<DryRunFindings, 'images'>): string[] {
  return [
    ...plan.targets.map((target) => target.archiveName),
    plan.checksumsName,
    sbomNameFor(plan.version),
    ...(findings.images === undefined ? [] : [IMAGES_FILE]),
  ];
}

export interface PlanTextInput {
  readonly inputs: BuildInputs;
  readonly plan: BuildPlan;
  readonly upstream: UpstreamRelease;
  readonly findings: DryRunFindings;
  readonly credentialsExpire: string | undefined;
  /** What publishing would do, in lines; undefined: nothing is published (local command, publish: false). */
  readonly release: readonly string[] | undefined;
}

/** The plan, as the log shows it. Names the configs by size only. */
export function planText(input: PlanTextInput): string {
  const { inputs, plan, findings } = input;
  const config = (text: string | undefined): string => (text === undefined ? "upstream's placeholder" : `${Buffer.byteLength(text)} bytes (not shown)`);
  const lines = [
    `Dry run: nothing was built, uploaded or written. This run would build:`,
    `  ktctl ${plan.version} from kt-connect ${input.upstream.tag} (${input.upstream.commit}) of ${redactUrl(inputs.upstream.url)}`,
    `  Go ${findings.goVersion} from ${findings.goSource}`,
    `  upx: ${findings.upxSource ?? 'not used'}${inputs.upx.enabled ? ` (args ${inputs.upx.args.join(' ') || 'none'})` : ''}`,
    `  kubeconfig: ${config(inputs.configs.kubeconfig)}; credential expires: ${input.credentialsExpire ?? 'no date known'}`,
    `  kt config: ${config(inputs.configs.ktConfig)}`,
    '',
    `Targets (${plan.targets.length}):`,
    ...plan.targets.map(
      (target) =>
        `  ${targetId(target.target).padEnd(14)} ${target.archiveName.padEnd(40)} upx: ${target.upxSkipReason === undefined ? 'packed' : `no (${target.upxSkipReason})`}${target.wintunArch === undefined ? '' : `, wintun.dll ${target.wintunArch}`}`,
    ),
    '',
    `Files in ${inputs.outputDir}:`,
    ...plannedFiles(plan, findings).map((name) => `  ${name}`),
  ];
  if (findings.images !== undefined) {
    // the targets may come from the kt config, which is never shown: images.txt names them
    lines.push('', `Images ktctl starts (${IMAGES_FILE} would name where each must be mirrored):`, ...findings.images.map((image) => `  ${image.source}`));
  }
  if (findings.wintun !== undefined) lines.push('', `wintun from ${findings.wintun}`);
  if (input.release !== undefined) lines.push('', ...input.release);
  return `${lines.join('\n')}\n`;
}

/**
 * `dry-run: true` in mode all or build: every check a build makes before it builds, what
 * publishing would do to the release (read only), and the plan as the log shows it.
 */
export async function dryRunPlan(
  planned: RunPlan,
  publishing: PublishInputs,
  client: ReleaseClient | undefined,
  credentialsExpire: string | undefined,
  context: { readonly log: Log; readonly tempDir: string },
): Promise<{ readonly goVersion: string; readonly text: string }> {
  const { inputs, plan, upstream, tag, fingerprint } = planned;
  const findings = await dryRunChecks(inputs, plan, context);
  const release =
    client !== undefined && publishing.publish
      ? await context.log.group(`Read release ${tag}`, () =>
          dryRunRelease(client, publishing, {
            tag,
            fingerprint,
            archiveNames: plan.targets.map((target) => target.archiveName),
            files: plannedFiles(plan, findings),
          }),
        )
      : undefined;
  const text = planText({
    inputs,
    plan,
    upstream,
    findings,
    credentialsExpire,
    release: release ?? (publishing.uploadArtifact ? [`Workflow artifact ${publishing.artifactName}: would be uploaded.`] : undefined),
  });
  return { goVersion: findings.goVersion, text };
}
