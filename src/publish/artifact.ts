// Matrix builds: each `mode: build` job uploads its archives, with a manifest, as a workflow
// artifact; one `mode: publish` job downloads them all and publishes once.
import { publishedText, makePrivateFolder, makeTreePrivate, messageOf, type Log, writeWithoutFollowing, sha256File } from '../shared/index.js';
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
// types only: the module itself is loaded on first use (loadArtifactModule)
import type * as ArtifactModule from '@actions/artifact';
import type { DefaultArtifactClient } from '@actions/artifact';
import type { Asset, BuildManifest, BuildResult, GoModule, ManifestSbom, MirrorImage, SbomParts, SbomTarget, ReleaseFile, CollectedBuild } from '../model.js';
import { MANIFEST_NAME, parseManifest } from './manifest.js';
import { ManifestAgreement } from './manifest-agreement.js';

export { MANIFEST_NAME } from './manifest.js';

/** The artifact calls this module needs, so tests can stand in for the Actions service. */
export interface ArtifactStore {
  upload(name: string, files: readonly string[], rootDirectory: string, retentionDays: number | undefined): Promise<void>;
  /** This run's artifacts, the latest of each name. */
  list(): Promise<Array<{ readonly id: number; readonly name: string }>>;
  download(id: number, destination: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/**
 * @actions/artifact, loaded when a run first talks to the service. It and its Azure and protobuf
 * code are two thirds of the bundle, and only mode build and mode publish use them: loading it at
 * start cost every other run about a quarter of a second of CPU.
 */
let artifactModule: Promise<typeof ArtifactModule> | undefined;
function loadArtifactModule(): Promise<typeof ArtifactModule> {
  return (artifactModule ??= import('@actions/artifact'));
}

/** The Actions artifact service through @actions/artifact (github.com and ghe.com only). */
export function actionsArtifactStore(): ArtifactStore {
  let made: Promise<DefaultArtifactClient> | undefined;
  const client = (): Promise<DefaultArtifactClient> => (made ??= loadArtifactModule().then((artifact) => new artifact.DefaultArtifactClient()));
  return {
    upload: async (name, files, rootDirectory, retentionDays) => {
      await (await client()).uploadArtifact(name, [...files], rootDirectory, retentionDays === undefined ? {} : { retentionDays });
    },
    list: async () => (await (await client()).listArtifacts({ latest: true })).artifacts.map(({ id, name }) => ({ id, name })),
    download: async (id, destination) => {
      await (await client()).downloadArtifact(id, { path: destination });
    },
    delete: async (name) => {
      await (await client()).deleteArtifact(name);
    },
  };
}

/** `<prefix>-linux-amd64_windows-386`: unique per matrix job as long as the jobs build different targets. */
export function artifactNameFor(prefix: string, assets: ReadonlyArray<Pick<Asset, 'os' | 'arch'>>): string {
  const slug = [...new Set(assets.map((asset) => `${asset.os}-${asset.arch}`))].sort().join('_');
  if (slug.length <= 80) return `${prefix}-${slug}`;
  return `${prefix}-${assets.length}-targets-${createHash('sha256').update(slug).digest('hex').slice(0, 12)}`;
}

function ghesWarning(serverUrl: string): string {
  return (
    `upload-artifact: ${serverUrl} is GitHub Enterprise Server, where @actions/artifact v2+ (the workflow artifact service) ` +
    'does not work, so the archives are not uploaded as a workflow artifact. The release goes on.'
  );
}

export interface UploadBuildRequest {
  /** The artifact-name input. */
  readonly prefix: string;
  readonly build: BuildResult;
  readonly fingerprint: string;
  readonly checksumsName: string;
  readonly retentionDays: number | undefined;
  /** GITHUB_SERVER_URL and whether it is GHES (PublishInputs.github). */
  readonly serverUrl: string;
  readonly ghes: boolean;
}

/**
 * Uploads the archives and a manifest as one artifact. Returns its name, or undefined when the
 * server cannot hold artifacts (GHES), after a warning saying so.
 */
export async function uploadBuildArtifact(store: ArtifactStore, request: UploadBuildRequest, log: Log): Promise<string | undefined> {
  if (request.ghes) {
    log.warning(ghesWarning(request.serverUrl));
    return undefined;
  }
  const { build } = request;
  if (build.assets.length === 0) throw new Error('upload-artifact: the build produced no archives.');
  const directory = path.dirname(build.assets[0]?.path ?? '');
  for (const asset of build.assets) {
    if (path.dirname(asset.path) !== directory) {
      throw new Error(`upload-artifact: the archives must share one folder, but ${asset.path} is not in ${directory}.`);
    }
  }
  const manifest: BuildManifest = {
    generator: 'ktctl-customize',
    schema: 1,
    version: build.version,
    upstream: { tag: build.upstream.tag, commit: build.upstream.commit },
    goVersion: build.goVersion,
    fingerprint: request.fingerprint,
    checksumsName: request.checksumsName,
    assets: build.assets.map(({ name, os, arch, size, sha256 }) => ({ name, os, arch, size, sha256 })),
    ...(build.sbom === undefined ? {} : { sbom: manifestSbom(build.sbom) }),
    ...(build.images === undefined ? {} : { images: build.images.map(plainImage) }),
  };
  const manifestPath = path.join(directory, MANIFEST_NAME);
  const text = publishedText(MANIFEST_NAME, `${JSON.stringify(manifest, null, 2)}\n`, build.images?.flatMap((image) => [image.source, image.target]) ?? []);
  await writeWithoutFollowing(manifestPath, text); // output-dir: never through a link
  const name = artifactNameFor(request.prefix, build.assets);
  try {
    // A re-run of the job uploads again under the same name.
    if ((await store.list()).some((artifact) => artifact.name === name)) await store.delete(name);
    await store.upload(name, [...build.assets.map((asset) => asset.path), manifestPath], directory, request.retentionDays);
  } catch (error) {
    if (error instanceof (await loadArtifactModule()).GHESNotSupportedError) {
      log.warning(ghesWarning(request.serverUrl));
      return undefined;
    }
    throw new Error(`upload-artifact: could not upload ${name}: ${messageOf(error)}`);
  }
  log.info(`Uploaded workflow artifact ${name} (${build.assets.length} archives).`);
  return name;
}

function manifestSbom(sbom: SbomParts): ManifestSbom {
  return {
    module: sbom.module,
    upstreamUrl: sbom.upstreamUrl,
    targets: sbom.targets.map((target) => ({ archiveName: target.archiveName, deps: target.buildInfo.deps.map(plainModule) })),
  };
}

/** Only the fields the SBOM reads: a manifest's other keys, whatever they hold, go no further. */
function plainModule(module: GoModule): GoModule {
  return {
    path: module.path,
    version: module.version,
    sum: module.sum,
    ...(module.replacedBy === undefined ? {} : { replacedBy: plainModule(module.replacedBy) }),
  };
}

function plainImage({ name, source, target }: MirrorImage): MirrorImage {
  return { name, source, target };
}

export interface DownloadBuildsRequest {
  /** The artifact-name input, the same in the build jobs and the publish job. */
  readonly prefix: string;
  /** An empty folder to download into, e.g. under RUNNER_TEMP. */
  readonly destination: string;
}

/**
 * Downloads every artifact named `<prefix>` or `<prefix>-…` of this run, checks each archive
 * against its manifest and merges them. Undefined when there is none (every build job skipped
 * an unchanged build).
 */
export async function downloadBuildArtifacts(store: ArtifactStore, request: DownloadBuildsRequest, log: Log): Promise<CollectedBuild | undefined> {
  const artifacts = (await store.list())
    .filter((artifact) => artifact.name === request.prefix || artifact.name.startsWith(`${request.prefix}-`))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (artifacts.length === 0) {
    log.info(`No workflow artifact named ${request.prefix}-… in this run: the build jobs had nothing new to publish.`);
    return undefined;
  }
  const assets: Asset[] = [];
  const files: ReleaseFile[] = [];
  const fingerprints = new Set<string>();
  const sbomTargets: SbomTarget[] = [];
  const agreement = new ManifestAgreement();
  let previousVersion = false;
  let first: BuildManifest | undefined;
  /** The first manifest of this version (with an SBOM part): the one the others must agree with. */
  let latest: BuildManifest | undefined;
  for (const artifact of artifacts) {
    const folder = path.join(request.destination, artifact.name);
    // the archives embed the configs: 0700 before the client writes a byte, then 0600 each
    await makePrivateFolder(folder);
    await store.download(artifact.id, folder);
    await makeTreePrivate(folder);
    let text: string;
    try {
      const manifestPath = path.join(folder, MANIFEST_NAME);
      if (!(await lstat(manifestPath)).isFile()) throw new Error('not a regular file');
      text = await readFile(manifestPath, 'utf8');
    } catch {
      log.warning(`Artifact ${artifact.name} has no ${MANIFEST_NAME}; it is not from a mode: build job of this action, so it is skipped.`);
      continue;
    }
    const manifest = parseManifest(text, artifact.name);
    // one version, tag, commit and Go; each target once; no archive under the action's own names
    agreement.check(artifact.name, manifest);
    first ??= manifest;
    // a manifest without an SBOM part comes from the previous version, which listed no images either
    previousVersion ||= manifest.sbom === undefined;
    latest ??= manifest.sbom === undefined ? undefined : manifest;
    if (manifest.sbom !== undefined && latest?.sbom !== undefined) {
      if (manifest.sbom.module !== latest.sbom.module || manifest.sbom.upstreamUrl !== latest.sbom.upstreamUrl) {
        throw new Error(
          `mode: publish: the build jobs disagree: ${artifact.name} built another module or repository than another job. Give every job the same kt-connect-repository.`,
        );
      }
      if (JSON.stringify(manifest.images ?? null) !== JSON.stringify(latest.images ?? null)) {
        throw new Error(
          `mode: publish: the build jobs disagree: ${artifact.name} lists other images than another job. Give every job the same image-registry and kt-config.`,
        );
      }
    }
    fingerprints.add(manifest.fingerprint);
    for (const entry of manifest.assets) {
      const file = path.join(folder, entry.name);
      // lstat: an artifact is outside input, and a link in it is never followed
      const facts = await lstat(file).catch(() => undefined);
      if (facts === undefined || !facts.isFile() || facts.size !== entry.size || (await sha256File(file)) !== entry.sha256) {
        throw new Error(`mode: publish: ${entry.name} in artifact ${artifact.name} is missing or does not match its manifest; the artifact is damaged.`);
      }
      const twin = assets.find((asset) => asset.name === entry.name);
      if (twin !== undefined) {
        if (twin.sha256 !== entry.sha256) {
          throw new Error(`mode: publish: two build jobs made different ${entry.name}; give each matrix job its own targets.`);
        }
        continue;
      }
      assets.push({ name: entry.name, path: file, os: entry.os, arch: entry.arch, size: entry.size, sha256: entry.sha256 });
      const modules = manifest.sbom?.targets.find((target) => target.archiveName === entry.name)?.deps;
      if (modules !== undefined) {
        sbomTargets.push({
          target: { os: entry.os, arch: entry.arch },
          archiveName: entry.name,
          archiveSha256: entry.sha256,
          buildInfo: { deps: modules.map(plainModule) },
        });
      }
      files.push({ name: entry.name, path: file, size: entry.size, sha256: entry.sha256, fingerprint: manifest.fingerprint });
    }
    log.info(`Downloaded ${artifact.name}: ${manifest.assets.map((asset) => asset.name).join(', ')}`);
  }
  if (first === undefined) return undefined;
  if (previousVersion) {
    log.warning('A build job’s manifest has no SBOM part (an older version of this action built it): the release gets no SBOM and no images.txt.');
  }
  const distinct = [...fingerprints].sort();
  return {
    version: first.version,
    upstream: first.upstream,
    goVersion: first.goVersion,
    checksumsName: first.checksumsName,
    assets,
    files,
    fingerprint: distinct.length === 1 ? (distinct[0] ?? '') : createHash('sha256').update(distinct.join('\n')).digest('hex'),
    sbom:
      previousVersion || latest?.sbom === undefined ? undefined : { module: latest.sbom.module, upstreamUrl: latest.sbom.upstreamUrl, targets: sbomTargets },
    images: previousVersion ? undefined : latest?.images?.map(plainImage),
  };
}
