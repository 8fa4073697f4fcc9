// The manifest a `mode: build` job writes beside its archives, and the checks `mode: publish`
// makes on it. Artifacts are input from outside (any job of the workflow, or anyone who can write
// one) and decide file names on disk and on the release, so the whole manifest is validated
// before anything is written anywhere: names, sizes, hashes, fingerprint, checksums name.
import { publicRepositoryUrl } from '../package/index.js';
import { IMAGE_NAMES, SUPPORTED_TARGETS } from '../plan/index.js';
import { checksumsNameFor, MANIFEST_NAME, reservedNameKind } from '../shared/index.js';
import type { BuildManifest, GoModule, ManifestSbom, MirrorImage } from '../model.js';
import { isGitTagName } from './inputs.js';

// written next to the archives and uploaded with them
export { MANIFEST_NAME };

const HEX64 = /^[0-9a-f]{64}$/;
/**
 * A Go version as go.dev names it (`go1.19`, `go1.19.13`, `go1.21rc2`), with or without the `go`,
 * or as the tool cache keeps it (`1.19.13`, `1.21.0-rc.2`).
 */
export const GO_VERSION = /^(go)?[1-9]\d{0,2}\.(0|[1-9]\d{0,3})(\.(0|[1-9]\d{0,3}))?((rc|beta)[1-9]\d{0,2}|-(rc|beta)\.[1-9]\d{0,2})?$/;
/** A Go module path as the build info gives it, or a local replacement's folder (`../tun2socks`). */
const MODULE_PATH = /^[A-Za-z0-9._~+/-]{1,300}$/;
/** A module version (`v0.23.5`, `v2.4.2-0.20220405...`), `(devel)`, or '' for a local replacement. */
const MODULE_VERSION = /^(\(devel\)|[A-Za-z0-9._+~-]{0,128})$/;
const MODULE_SUM = /^h1:[A-Za-z0-9+/]{43}=$/;
/** An image reference as images.txt lists it: `registry.example.com:5000/kt-connect-shadow:v0.3.7`, `name@sha256:...`. */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,254}$/;
/** More modules than any ktctl has (about 150) by far, yet a bound on what one manifest may make the publish job hold. */
const MAX_MODULES = 5000;

/** A name that is one file in one folder, here and on a release: no separators, no '..', no leading dot. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/.test(name) && !name.includes('..');
}

/**
 * The manifest of artifact `artifact`, or an error naming the artifact and what is wrong with it.
 * Checks the shape (a manifest this action wrote) and every value that becomes a file name or is
 * trusted later: plain, distinct archive names that are none of the action's own, sizes, hashes,
 * the fingerprint and the checksums file's name.
 */
export function parseManifest(text: string, artifact: string): BuildManifest {
  const fail = (detail: string): never => {
    throw new Error(`mode: publish: ${MANIFEST_NAME} in artifact ${artifact} ${detail}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('is not JSON.');
  }
  const manifest = value as Partial<BuildManifest> | null;
  const shaped =
    manifest?.generator === 'ktctl-customize' &&
    manifest.schema === 1 &&
    typeof manifest.version === 'string' &&
    typeof manifest.upstream?.tag === 'string' &&
    typeof manifest.upstream.commit === 'string' &&
    typeof manifest.goVersion === 'string' &&
    typeof manifest.fingerprint === 'string' &&
    typeof manifest.checksumsName === 'string' &&
    Array.isArray(manifest.assets);
  if (!shaped || manifest === null) return fail('is not one this action wrote (or comes from another version of it).');
  const valid = manifest as BuildManifest;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}$/.test(valid.version)) fail('gives a version that is not one the action builds.');
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(valid.upstream.commit)) fail('gives an upstream commit that is not a commit id.');
  // both reach the release notes, the job summary and the SBOM: each must have its real shape
  if (!isGitTagName(valid.upstream.tag)) fail('gives an upstream tag that is not a tag name git allows.');
  if (!GO_VERSION.test(valid.goVersion)) fail('gives a Go version that is not one go.dev publishes (such as 1.19.13 or go1.21rc2).');
  if (!HEX64.test(valid.fingerprint)) fail('gives a fingerprint that is not a SHA-256 (64 hex digits).');
  const reserved = (name: string): boolean => reservedNameKind(name) !== undefined;
  if (valid.checksumsName !== checksumsNameFor(valid.version)) {
    fail(`names the checksums file with something other than ${checksumsNameFor(valid.version)}, the name the action gives it.`);
  }
  if (valid.assets.length === 0) fail('lists no archives.');
  const names = new Set<string>();
  valid.assets.forEach((asset: unknown, index) => {
    const entry = asset as Partial<BuildManifest['assets'][number]> | null;
    const where = `archive ${index + 1}`;
    if (!isPlainFileName(entry?.name)) return fail(`names ${where} with something that is not a plain file name (no path separators, no '..').`);
    const name = entry.name;
    if (reserved(name) || name === valid.checksumsName)
      return fail(`names ${where} ${name}, a name the action uses itself: change asset-name-template in that build job.`);
    if (names.has(name)) return fail(`lists ${name} twice.`);
    names.add(name);
    if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size <= 0)
      fail(`gives ${name} a size that is not a positive whole number.`);
    if (typeof entry.sha256 !== 'string' || !HEX64.test(entry.sha256)) fail(`gives ${name} a SHA-256 that is not 64 lowercase hex digits.`);
    if (!SUPPORTED_TARGETS.some((target) => target.os === entry.os && target.arch === entry.arch)) fail(`gives ${name} a target the action does not build.`);
  });
  if (valid.sbom !== undefined) checkSbom(valid.sbom, names, fail);
  if (valid.images !== undefined) checkImages(valid.images, fail);
  return knownFields(valid);
}

/** The validated manifest with only the fields this action reads: anything else a job added goes no further. */
function knownFields(manifest: BuildManifest): BuildManifest {
  return {
    generator: manifest.generator,
    schema: manifest.schema,
    version: manifest.version,
    upstream: { tag: manifest.upstream.tag, commit: manifest.upstream.commit },
    goVersion: manifest.goVersion,
    fingerprint: manifest.fingerprint,
    checksumsName: manifest.checksumsName,
    assets: manifest.assets.map(({ name, os, arch, size, sha256 }) => ({ name, os, arch, size, sha256 })),
    ...(manifest.sbom === undefined
      ? {}
      : {
          sbom: {
            module: manifest.sbom.module,
            upstreamUrl: manifest.sbom.upstreamUrl,
            targets: manifest.sbom.targets.map(({ archiveName, deps }) => ({ archiveName, deps: deps.map(moduleFields) })),
          },
        }),
    ...(manifest.images === undefined ? {} : { images: manifest.images.map(({ name, source, target }) => ({ name, source, target })) }),
  };
}

function moduleFields(module: GoModule): GoModule {
  const { path, version, sum, replacedBy } = module;
  return { path, version, sum, ...(replacedBy === undefined ? {} : { replacedBy: moduleFields(replacedBy) }) };
}

/**
 * The SBOM part: every value ends up in the release's SBOM, so each has the shape the build info
 * gives it, the repository URL carries no credentials, and there is one entry per archive.
 */
function checkSbom(value: unknown, archives: ReadonlySet<string>, fail: (detail: string) => never): void {
  const sbom = value as Partial<ManifestSbom> | null;
  if (sbom === null || typeof sbom !== 'object' || typeof sbom.module !== 'string' || typeof sbom.upstreamUrl !== 'string' || !Array.isArray(sbom.targets)) {
    fail('has an sbom part that is not one this action wrote.');
  }
  if (!MODULE_PATH.test(sbom.module)) fail('gives an sbom module that is not a Go module path.');
  // publicRepositoryUrl leaves a URL it has already cleaned as it is: anything else held credentials, a query or a local path
  if (sbom.upstreamUrl !== '' && publicRepositoryUrl(sbom.upstreamUrl) !== sbom.upstreamUrl) {
    fail('gives an sbom repository URL that is not a plain https, http or ssh URL without credentials.');
  }
  const covered = new Set<string>();
  sbom.targets.forEach((raw: unknown, index) => {
    const target = raw as Partial<ManifestSbom['targets'][number]> | null;
    const name = target?.archiveName;
    if (typeof name !== 'string' || !archives.has(name)) return fail(`gives sbom target ${index + 1} an archive the manifest does not list.`);
    if (covered.has(name)) return fail(`lists ${name} twice in its sbom part.`);
    covered.add(name);
    if (!Array.isArray(target?.deps) || target.deps.length > MAX_MODULES)
      return fail(`gives ${name} an sbom module list that is not a list of at most ${MAX_MODULES}.`);
    target.deps.forEach((dep: unknown, at) => {
      const module = dep as Partial<GoModule> | null;
      if (!isModule(module) || (module.replacedBy !== undefined && (!isModule(module.replacedBy) || module.replacedBy.replacedBy !== undefined))) {
        fail(`gives ${name} sbom module ${at + 1} that is not a Go module path, version and h1 hash.`);
      }
    });
  });
  if (covered.size !== archives.size) fail('has an sbom part that leaves out some of its archives.');
}

/** Each image ktctl starts once, with references that are one word each: images.txt is `source target` lines. */
function checkImages(value: unknown, fail: (detail: string) => never): void {
  const names: string[] = Object.values(IMAGE_NAMES);
  if (!Array.isArray(value) || value.length !== names.length) fail(`has an images list that is not one entry for each of ${names.join(', ')}.`);
  const seen = new Set<string>();
  (value as unknown[]).forEach((raw, index) => {
    const image = raw as Partial<MirrorImage> | null;
    const name = image?.name;
    if (typeof name !== 'string' || !names.includes(name) || seen.has(name))
      return fail(`gives images entry ${index + 1} a name that is not one of ${names.join(', ')} (once each).`);
    seen.add(name);
    if (typeof image?.source !== 'string' || !IMAGE_REFERENCE.test(image.source) || typeof image.target !== 'string' || !IMAGE_REFERENCE.test(image.target)) {
      fail(`gives image ${name} a source or target that is not an image reference.`);
    }
  });
}

function isModule(module: Partial<GoModule> | null | undefined): module is GoModule {
  return (
    typeof module === 'object' &&
    module !== null &&
    typeof module.path === 'string' &&
    MODULE_PATH.test(module.path) &&
    typeof module.version === 'string' &&
    MODULE_VERSION.test(module.version) &&
    (module.sum === undefined || (typeof module.sum === 'string' && MODULE_SUM.test(module.sum)))
  );
}
