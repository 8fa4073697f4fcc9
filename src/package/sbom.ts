// The release's software bill of materials: one SPDX 2.3 JSON document per release.
//
// Why SPDX 2.3 JSON (not CycloneDX): it is the format GitHub's dependency graph exports and
// accepts for SBOM submission, the one `gh`/GitHub attestations use for SBOM predicates, and
// the format Go-aware scanners (Grype, Trivy, Dependency-Track's SPDX import) read directly. One
// document per release lists, per target, the Go modules compiled in (module path, version and
// the `h1:` hash from the Go build info, which go.sum pins), the Go toolchain, and kt-connect's
// upstream tag and commit.
//
// Why no library: npm has no maintained SPDX *document* library (the spdx-* packages parse
// license expressions); the mapping below is small, and the tests hold it to the official SPDX
// 2.3 JSON schema (__tests__/support/spdx.ts).
//
// In a matrix (mode: build jobs, one mode: publish job) each build job's manifest carries its
// targets' modules (publish/manifest.ts), and the publish job writes one document for them all.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { GoModule, ModuleSource, SbomParts } from '../model.js';
import { targetId } from '../plan/index.js';
import { writeWithoutFollowing, sbomNameFor, publishedText } from '../shared/index.js';

export { sbomNameFor };

export interface SbomInput extends SbomParts {
  readonly version: string;
  readonly upstream: { readonly tag: string; readonly commit: string; readonly source?: ModuleSource };
  /** `1.19.8` */
  readonly goVersion: string;
  readonly actionVersion: string;
  readonly created: Date;
}

export interface SpdxChecksum {
  readonly algorithm: 'SHA256';
  readonly checksumValue: string;
}

export interface SpdxExternalRef {
  readonly referenceCategory: 'PACKAGE-MANAGER';
  readonly referenceType: 'purl';
  readonly referenceLocator: string;
}

export interface SpdxPackage {
  readonly SPDXID: string;
  readonly name: string;
  readonly versionInfo?: string;
  readonly packageFileName?: string;
  readonly downloadLocation: string;
  readonly filesAnalyzed: false;
  readonly checksums?: readonly SpdxChecksum[];
  readonly externalRefs?: readonly SpdxExternalRef[];
  readonly primaryPackagePurpose?: 'APPLICATION' | 'LIBRARY' | 'SOURCE' | 'INSTALL' | 'ARCHIVE';
  readonly sourceInfo?: string;
  readonly comment?: string;
}

export interface SpdxRelationship {
  readonly spdxElementId: string;
  readonly relationshipType: 'DESCRIBES' | 'DEPENDS_ON' | 'GENERATED_FROM' | 'BUILD_TOOL_OF';
  readonly relatedSpdxElement: string;
}

export interface SpdxDocument {
  readonly spdxVersion: 'SPDX-2.3';
  readonly dataLicense: 'CC0-1.0';
  readonly SPDXID: 'SPDXRef-DOCUMENT';
  readonly name: string;
  readonly documentNamespace: string;
  readonly creationInfo: { readonly created: string; readonly creators: readonly string[]; readonly comment?: string };
  readonly packages: readonly SpdxPackage[];
  readonly relationships: readonly SpdxRelationship[];
}

/** SPDX identifiers allow letters, digits, `.` and `-` only. */
function spdxId(kind: string, text: string): string {
  return `SPDXRef-${kind}-${text.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

/** purl of a Go module: `pkg:golang/github.com/spf13/cobra@v1.4.0`. */
export function goPurl(modulePath: string, version: string): string {
  const name = modulePath
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
  return `pkg:golang/${name}@${encodeURIComponent(version)}`;
}

/** An `h1:` hash (base64 of a SHA-256) as the hex SPDX expects; undefined if it is not one. */
export function h1ToHex(sum: string | undefined): string | undefined {
  const match = /^h1:([A-Za-z0-9+/]{43}=)$/.exec(sum ?? '');
  if (match?.[1] === undefined) return undefined;
  const bytes = Buffer.from(match[1], 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

/**
 * A clone URL as others may see it: https, http or ssh, credentials, query and fragment dropped;
 * undefined for local paths and other schemes. What the SBOM and a build job's manifest carry.
 */
export function publicRepositoryUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:' && parsed.protocol !== 'ssh:') return undefined;
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}

/** A clone URL as a download location: credentials dropped, `git+` scheme; NOASSERTION for local paths. */
export function downloadLocationOf(url: string, commit: string): string {
  const shown = publicRepositoryUrl(url);
  return shown === undefined ? 'NOASSERTION' : `git+${shown}@${commit}`;
}

/** A source from the module proxy: its h1 hash as the package checksum (hex, like the modules'), and how it was checked. */
function moduleSourceFields(source: ModuleSource | undefined): Pick<SpdxPackage, 'checksums' | 'comment'> {
  if (source === undefined) return {};
  const hex = h1ToHex(source.hash);
  return {
    ...(hex === undefined ? {} : { checksums: [{ algorithm: 'SHA256' as const, checksumValue: hex }] }),
    comment:
      `Fetched from the Go module proxy as ${source.module}@${source.version}, module hash ${source.hash} (go.mod ${source.goModHash}); ` +
      (source.verified
        ? `checked against the checksum database ${source.checksumDatabase}.`
        : 'NOT checked against a checksum database (go-sumdb: off): unverified.') +
      ' The checksum is the h1 hash in hex.',
  };
}

/** The module as compiled in: a replacement wins over what it replaces. */
function effective(module: GoModule): GoModule {
  return module.replacedBy ?? module;
}

export function sbomDocument(input: SbomInput): SpdxDocument {
  const packages: SpdxPackage[] = [];
  const relationships: SpdxRelationship[] = [];
  const goId = 'SPDXRef-Package-go';
  const sourceId = 'SPDXRef-Package-kt-connect-source';
  const goName = (version: string): string => `go${version.replace(/^go/, '')}`;
  /** Go version → its package: the document's first, others as a target needs them. */
  const goIds = new Map<string, string>([[goName(input.goVersion), goId]]);
  packages.push({
    SPDXID: sourceId,
    name: input.module,
    versionInfo: input.upstream.tag,
    downloadLocation: downloadLocationOf(input.upstreamUrl, input.upstream.commit),
    filesAnalyzed: false,
    primaryPackagePurpose: 'SOURCE',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: goPurl(input.module, input.upstream.tag) }],
    sourceInfo: `kt-connect tag ${input.upstream.tag}, commit ${input.upstream.commit}, with hack/kube/config and hack/kt/config replaced by the embedded configs`,
    ...moduleSourceFields(input.upstream.source),
  });
  const goPackage = (id: string, version: string): SpdxPackage => ({
    SPDXID: id,
    name: 'go',
    versionInfo: version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'APPLICATION',
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: goPurl('stdlib', version) }],
    comment: 'The Go toolchain that compiled ktctl; its standard library is compiled into every binary.',
  });
  packages.push(goPackage(goId, goName(input.goVersion)));

  const modules = new Map<string, string>(); // path@version → SPDXID
  for (const item of [...input.targets].sort((a, b) => (targetId(a.target) < targetId(b.target) ? -1 : 1))) {
    const id = targetId(item.target);
    const binaryId = spdxId('Package-ktctl', id.replace('/', '-'));
    packages.push({
      SPDXID: binaryId,
      name: `ktctl ${id}`,
      versionInfo: input.version,
      packageFileName: item.archiveName,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'APPLICATION',
      checksums: [{ algorithm: 'SHA256', checksumValue: item.archiveSha256 }],
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `${goPurl(input.module, input.upstream.tag)}?goos=${item.target.os}&goarch=${item.target.arch}`,
        },
      ],
      comment: `ktctl for GOOS=${item.target.os} GOARCH=${item.target.arch}, version ${input.version}; the checksum is that of the archive ${item.archiveName}.`,
    });
    relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: binaryId });
    relationships.push({ spdxElementId: binaryId, relationshipType: 'GENERATED_FROM', relatedSpdxElement: sourceId });
    const go = goName(item.goVersion ?? input.goVersion);
    let toolId = goIds.get(go);
    if (toolId === undefined) {
      toolId = spdxId('Package-go', go);
      goIds.set(go, toolId);
      packages.push(goPackage(toolId, go));
    }
    relationships.push({ spdxElementId: toolId, relationshipType: 'BUILD_TOOL_OF', relatedSpdxElement: binaryId });
    for (const dep of item.buildInfo.deps) {
      const used = effective(dep);
      const key = `${used.path}@${used.version}`;
      let moduleId = modules.get(key);
      if (moduleId === undefined) {
        moduleId = spdxId('Module', `${modules.size + 1}-${used.path}`);
        modules.set(key, moduleId);
        const hex = h1ToHex(used.sum);
        packages.push({
          SPDXID: moduleId,
          name: used.path,
          versionInfo: used.version,
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          primaryPackagePurpose: 'LIBRARY',
          ...(hex === undefined ? {} : { checksums: [{ algorithm: 'SHA256' as const, checksumValue: hex }] }),
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: goPurl(used.path, used.version) }],
          ...(used.sum === undefined
            ? {}
            : {
                comment: `go.sum hash ${used.sum}${dep.replacedBy === undefined ? '' : ` (replaces ${dep.path} ${dep.version})`}; the checksum is this h1 hash in hex.`,
              }),
        });
      }
      relationships.push({ spdxElementId: binaryId, relationshipType: 'DEPENDS_ON', relatedSpdxElement: moduleId });
    }
  }

  // the same build gives the same namespace: a rerun's document replaces, not duplicates, the first
  const seed = createHash('sha256')
    .update(JSON.stringify([input.version, input.upstream, input.targets.map((t) => [targetId(t.target), t.archiveSha256]).sort()]))
    .digest('hex');
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `ktctl-${input.version}`,
    documentNamespace: `https://spdx.org/spdxdocs/ktctl-customize/ktctl-${encodeURIComponent(input.version)}-${seed.slice(0, 32)}`,
    creationInfo: {
      created: input.created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: ktctl-customize-${input.actionVersion}`],
      comment: 'Modules and versions are read from the Go build info of each binary before upx packed it.',
    },
    packages,
    relationships,
  };
}

export function sbomText(input: SbomInput): string {
  return `${JSON.stringify(sbomDocument(input), null, 2)}\n`;
}

/**
 * The document's creation time: SOURCE_DATE_EPOCH when set (the reproducible-builds
 * convention, so the same inputs give the same bytes), else now.
 */
export function sbomCreated(env: NodeJS.ProcessEnv, now: () => Date = () => new Date()): Date {
  const text = env['SOURCE_DATE_EPOCH'];
  if (text === undefined || text === '') return now();
  const seconds = /^\d{1,12}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds > 253402300799) {
    throw new Error(
      `Environment variable SOURCE_DATE_EPOCH is '${text.slice(0, 20)}', not a whole number of seconds since 1970 up to the year 9999; fix it or unset it.`,
    );
  }
  return new Date(seconds * 1000);
}

/** Writes the SBOM into the output folder; returns its path. */
export async function writeSbom(outputDir: string, input: SbomInput): Promise<string> {
  const file = path.join(outputDir, sbomNameFor(input.version));
  await writeWithoutFollowing(file, publishedText('SBOM', sbomText(input))); // output-dir: never through a link
  return file;
}
