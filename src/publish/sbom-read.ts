// Reads back an SBOM this action wrote (sbom.ts) into the input it was written from, so that the
// SBOM already on a release can be merged with a job's own (sbom-merge.ts). The document comes
// from the release, where anyone with write access can put a file of that name: every value is
// checked to the shape sbom.ts writes, every pass is linear, and anything else is refused with
// an error naming the asset. sbomText(readSbom(sbomText(x))) is sbomText(x) (tested).
import { isGitTagName } from './inputs.js';
import { isPlainFileName } from './manifest.js';
import type { GoModule, SbomTarget } from '../model.js';
import { publicRepositoryUrl, type SbomInput } from '../package/index.js';
import { SUPPORTED_TARGETS } from '../plan/index.js';

const HEX64 = /^[0-9a-f]{64}$/;
const COMMIT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;
const MODULE_PATH = /^[A-Za-z0-9._~+/-]{1,300}$/;
const MODULE_VERSION = /^(\(devel\)|[A-Za-z0-9._+~-]{0,128})$/;
const GO_VERSION = /^go[0-9][0-9A-Za-z.+-]{0,31}$/;
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,126}$/;
const TOOL = 'Tool: ktctl-customize-';
/** Far more than 8 targets with a few hundred modules each, yet a bound on what the merge holds. */
const MAX_PACKAGES = 20_000;
const MAX_RELATIONSHIPS = 200_000;

interface RawPackage {
  readonly SPDXID?: unknown;
  readonly name?: unknown;
  readonly versionInfo?: unknown;
  readonly packageFileName?: unknown;
  readonly downloadLocation?: unknown;
  readonly checksums?: unknown;
  readonly sourceInfo?: unknown;
  readonly comment?: unknown;
}

interface RawRelationship {
  readonly spdxElementId?: unknown;
  readonly relationshipType?: unknown;
  readonly relatedSpdxElement?: unknown;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function sha256Of(pkg: RawPackage): string | undefined {
  if (!Array.isArray(pkg.checksums) || pkg.checksums.length !== 1) return undefined;
  const checksum = pkg.checksums[0] as { algorithm?: unknown; checksumValue?: unknown } | null;
  const value = text(checksum?.checksumValue);
  return checksum?.algorithm === 'SHA256' && value !== undefined && HEX64.test(value) ? value : undefined;
}

/** The SbomInput an SBOM of this action was written from, or an error naming `where`. */
export function readSbom(json: string, where: string): SbomInput {
  const fail = (detail: string): never => {
    throw new Error(`${where} is not an SBOM this action wrote (${detail}).`);
  };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('not JSON');
  }
  const doc = value as {
    spdxVersion?: unknown;
    name?: unknown;
    creationInfo?: { created?: unknown; creators?: unknown };
    packages?: unknown;
    relationships?: unknown;
  } | null;
  if (doc === null || typeof doc !== 'object' || doc.spdxVersion !== 'SPDX-2.3') fail('not SPDX 2.3');
  const name = text(doc?.name) ?? '';
  const version = name.startsWith('ktctl-') ? name.slice('ktctl-'.length) : '';
  if (!VERSION.test(version)) fail('no ktctl version in its name');
  const created = new Date(text(doc?.creationInfo?.created) ?? '');
  if (Number.isNaN(created.getTime())) fail('no creation time');
  const creators = Array.isArray(doc?.creationInfo?.creators) ? (doc.creationInfo.creators as unknown[]) : [];
  const tool = creators.map(text).find((creator) => creator?.startsWith(TOOL));
  const actionVersion = tool?.slice(TOOL.length) ?? '';
  if (!/^[A-Za-z0-9._+-]{1,64}$/.test(actionVersion)) fail('not created by ktctl-customize');
  const packages = doc?.packages;
  const relationships = doc?.relationships;
  if (!Array.isArray(packages) || packages.length > MAX_PACKAGES || !Array.isArray(relationships) || relationships.length > MAX_RELATIONSHIPS) {
    return fail('no package and relationship lists of a bounded size');
  }

  const byId = new Map<string, RawPackage>();
  for (const raw of packages as unknown[]) {
    const pkg = (raw ?? {}) as RawPackage;
    const id = text(pkg.SPDXID);
    if (id === undefined || byId.has(id)) return fail('a package without an SPDXID of its own');
    byId.set(id, pkg);
  }

  const source = byId.get('SPDXRef-Package-kt-connect-source');
  const module = text(source?.name) ?? '';
  const tag = text(source?.versionInfo) ?? '';
  const lead = `kt-connect tag ${tag}, commit `;
  const sourceInfo = text(source?.sourceInfo) ?? '';
  const end = sourceInfo.indexOf(',', lead.length);
  const commit = sourceInfo.startsWith(lead) && end > 0 ? sourceInfo.slice(lead.length, end) : '';
  // any tag git allows, as the manifest and kt-connect-version do (a fork's `release/0.3.8`): JSON holds it as it is
  if (!MODULE_PATH.test(module) || !isGitTagName(tag) || !COMMIT.test(commit)) fail('no kt-connect source with its tag and commit');
  const location = text(source?.downloadLocation) ?? '';
  let upstreamUrl = '';
  if (location !== 'NOASSERTION') {
    const suffix = `@${commit}`;
    upstreamUrl = location.startsWith('git+') && location.endsWith(suffix) ? location.slice('git+'.length, -suffix.length) : '';
    if (upstreamUrl === '' || publicRepositoryUrl(upstreamUrl) !== upstreamUrl) fail('a source location that is not a plain repository URL');
  }

  /** Go package id → its version (`go1.19.13`). */
  const goVersions = new Map<string, string>();
  for (const [id, pkg] of byId) {
    if (id !== 'SPDXRef-Package-go' && !id.startsWith('SPDXRef-Package-go-')) continue;
    const go = text(pkg.versionInfo) ?? '';
    if (pkg.name !== 'go' || !GO_VERSION.test(go)) fail(`a Go package ${id} without a Go version`);
    goVersions.set(id, go);
  }
  const documentGo = goVersions.get('SPDXRef-Package-go');
  if (documentGo === undefined) return fail('no Go package');

  const modules = new Map<string, GoModule>();
  const binaries = new Map<string, { target: SbomTarget['target']; archiveName: string; archiveSha256: string; deps: GoModule[]; go?: string }>();
  for (const [id, pkg] of byId) {
    if (id.startsWith('SPDXRef-Module-')) {
      modules.set(id, moduleOf(pkg) ?? fail(`module package ${id} is not a Go module path, version and hash`));
    } else if (id.startsWith('SPDXRef-Package-ktctl-')) {
      const label = text(pkg.name) ?? '';
      const target = SUPPORTED_TARGETS.find((item) => label === `ktctl ${item.os}/${item.arch}` && id === `SPDXRef-Package-ktctl-${item.os}-${item.arch}`);
      const archiveName = pkg.packageFileName;
      const archiveSha256 = sha256Of(pkg);
      if (target === undefined || !isPlainFileName(archiveName) || archiveSha256 === undefined || pkg.versionInfo !== version) {
        return fail(`binary package ${id} is not a target, archive name and SHA-256 of ktctl ${version}`);
      }
      binaries.set(id, { target, archiveName, archiveSha256, deps: [] });
    }
  }
  for (const raw of relationships as unknown[]) {
    const relation = (raw ?? {}) as RawRelationship;
    const from = text(relation.spdxElementId) ?? '';
    const to = text(relation.relatedSpdxElement) ?? '';
    if (relation.relationshipType === 'DEPENDS_ON') {
      const binary = binaries.get(from);
      const dep = modules.get(to);
      if (binary === undefined || dep === undefined) return fail(`a dependency of ${from} on ${to}, which are not a binary and a module`);
      binary.deps.push(dep);
    } else if (relation.relationshipType === 'BUILD_TOOL_OF') {
      const binary = binaries.get(to);
      const go = goVersions.get(from);
      if (binary === undefined || go === undefined || binary.go !== undefined)
        return fail(`a Go toolchain ${from} for ${to}, which are not one Go and one binary`);
      binary.go = go;
    }
  }
  const targets: SbomTarget[] = [...binaries.values()].map((binary) => ({
    target: binary.target,
    archiveName: binary.archiveName,
    archiveSha256: binary.archiveSha256,
    buildInfo: { deps: binary.deps },
    ...(binary.go === undefined || binary.go === documentGo ? {} : { goVersion: binary.go.slice(2) }),
  }));
  return { module, upstreamUrl, targets, version, upstream: { tag, commit }, goVersion: documentGo.slice(2), actionVersion, created };
}

/** A module package back into the module as the build info gave it (sbom.ts writes `effective(dep)` and notes what it replaces). */
function moduleOf(pkg: RawPackage): GoModule | undefined {
  const path = text(pkg.name);
  const version = text(pkg.versionInfo);
  if (path === undefined || version === undefined || !MODULE_PATH.test(path) || !MODULE_VERSION.test(version)) return undefined;
  const hex = pkg.checksums === undefined ? undefined : sha256Of(pkg);
  if (pkg.checksums !== undefined && hex === undefined) return undefined;
  const sum = hex === undefined ? undefined : `h1:${Buffer.from(hex, 'hex').toString('base64')}`;
  const comment = text(pkg.comment);
  const used: GoModule = { path, version, sum };
  if (comment === undefined) return sum === undefined ? used : undefined;
  const lead = `go.sum hash ${sum ?? ''}`;
  const tail = '; the checksum is this h1 hash in hex.';
  if (sum === undefined || !comment.startsWith(lead) || !comment.endsWith(tail)) return undefined;
  const middle = comment.slice(lead.length, comment.length - tail.length);
  if (middle === '') return used;
  if (!middle.startsWith(' (replaces ') || !middle.endsWith(')')) return undefined;
  const [original, originalVersion, ...rest] = middle.slice(' (replaces '.length, -1).split(' ');
  if (original === undefined || originalVersion === undefined || rest.length > 0 || !MODULE_PATH.test(original) || !MODULE_VERSION.test(originalVersion)) {
    return undefined;
  }
  return { path: original, version: originalVersion, sum: undefined, replacedBy: used };
}
