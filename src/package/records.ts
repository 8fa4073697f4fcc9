// The files packaging writes beside the archives that describe them: the SBOM (SPDX) and the
// images list, and in mode publish the one checksums file for every build job's archives.
// Each is written whole, never through a link (output-folder.ts, private-files.ts), and checked
// by the published-text guard first (sbom.ts, images.ts).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { configSummaryOf } from '../inputs/index.js';
import { configuredImages, mirrorList, writeImagesFile, defaultVersion } from '../plan/index.js';
import { ACTION_VERSION, IMAGES_FILE, type Log, writeWithoutFollowing, publishedText, parseSemverTag } from '../shared/index.js';
import type { Asset, BuildInputs, BuildPlan, BuildResult, UpstreamRelease, GoBuildInfo, SbomParts, MirrorImage, CollectedBuild } from '../model.js';
import { checksumsText } from './pack.js';
import { publicRepositoryUrl, sbomCreated, writeSbom } from './sbom.js';

/** What the SBOM and the images list of one build are written from. */
export interface BuildRecordFacts {
  readonly inputs: Pick<BuildInputs, 'upstream' | 'imageRegistry' | 'configs' | 'configSummary' | 'outputDir'>;
  readonly plan: BuildPlan;
  readonly goVersion: string;
  /** The module go.mod declares. */
  readonly module: string;
  readonly assets: readonly Asset[];
  /** Each target's build info, read before upx packed it. */
  readonly buildInfo: (target: BuildPlan['targets'][number]) => Pick<GoBuildInfo, 'deps'>;
  /** The image repositories in the source's const.go; undefined when they are not upstream's. */
  readonly upstreamImages: Parameters<typeof mirrorList>[0]['upstream'] | undefined;
  readonly env: NodeJS.ProcessEnv;
}

export interface BuildRecords {
  readonly sbom: SbomParts;
  readonly sbomFile: string;
  readonly images: readonly MirrorImage[] | undefined;
  readonly imagesFile: string | undefined;
}

/** The SBOM and the images list of this job's build, in output-dir beside the checksums file. */
export async function writeBuildRecords(facts: BuildRecordFacts, log: Log): Promise<BuildRecords> {
  const { inputs, plan } = facts;
  const upstream = plan.upstream;
  const sbom: SbomParts = {
    module: facts.module,
    upstreamUrl: publicRepositoryUrl(inputs.upstream.url) ?? '', // never the credentials: this goes into artifacts too
    targets: plan.targets.map((target) => ({
      target: target.target,
      archiveName: target.archiveName,
      archiveSha256: facts.assets.find((asset) => asset.name === target.archiveName)?.sha256 ?? '',
      buildInfo: { deps: facts.buildInfo(target).deps },
    })),
  };
  const sbomFile = await writeSbom(inputs.outputDir, sbomInput(sbom, plan, upstream, facts.goVersion, facts.env));
  const images =
    facts.upstreamImages === undefined
      ? undefined
      : mirrorList({
          upstream: facts.upstreamImages,
          upstreamTag: `v${parseSemverTag(upstream.tag) === undefined ? plan.version : defaultVersion(upstream.tag)}`,
          version: plan.version,
          registry: inputs.imageRegistry,
          configured: configuredImages(configSummaryOf(inputs).ktSettings),
        });
  if (images === undefined) {
    await rm(path.join(inputs.outputDir, IMAGES_FILE), { force: true }); // an earlier run's list would not be this build's
    log.info(`The image names in this kt-connect's source are not upstream's: no images list.`);
    return { sbom, sbomFile, images, imagesFile: undefined };
  }
  return { sbom, sbomFile, images, imagesFile: await writeImagesFile(inputs.outputDir, images) };
}

/**
 * Mode publish: the build jobs' archives as one build, in `folder`: one SBOM for every job's
 * targets (from the modules their manifests list), the images list they agree on, and one
 * checksums file for all archives (its name was checked with the manifests).
 */
export async function packageCollected(folder: string, collected: CollectedBuild, env: NodeJS.ProcessEnv): Promise<BuildResult> {
  const sbomFile =
    collected.sbom === undefined ? undefined : await writeSbom(folder, sbomInput(collected.sbom, collected, collected.upstream, collected.goVersion, env));
  const imagesFile = collected.images === undefined ? undefined : await writeImagesFile(folder, collected.images);
  const checksumsFile = path.join(folder, collected.checksumsName);
  await writeWithoutFollowing(checksumsFile, publishedText('checksums file', checksumsText(collected.assets)));
  return { ...collected, checksumsFile, sbomFile, imagesFile };
}

function sbomInput(parts: SbomParts, build: { readonly version: string }, upstream: UpstreamRelease, goVersion: string, env: NodeJS.ProcessEnv) {
  return { ...parts, version: build.version, upstream, goVersion, actionVersion: ACTION_VERSION, created: sbomCreated(env) };
}
