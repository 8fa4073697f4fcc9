// What a publishing run is asked to do and what it reports: the archives with their fingerprints,
// the release settings, the result with download URLs; and the names the action keeps for itself
// on a release. Pure: no GitHub calls here.
import type { Asset, BuildResult, ReleaseFile } from '../model.js';
import { reservedNameKind } from '../shared/index.js';
import type { AssetInfo, AssetSource, ReleaseInfo } from './github.js';

// the lock, new archives waiting to be swapped in, old ones kept until the new set is complete

export interface ReleaseSettings {
  readonly tag: string;
  /** undefined: a new release is named after its tag; an existing one keeps its name. */
  readonly name: string | undefined;
  /** Leave the release a draft. A published release is never turned back into a draft. */
  readonly draft: boolean;
  readonly prerelease: boolean;
}

/**
 * A file merged, under the release's lock, with the release's copy before it is put there
 * (locked-merge.ts does it). Here, beside the request that carries it, so that the request does
 * not import the code that merges.
 */
export interface LockedMerge {
  /** The asset name; the request's archives hold this run's own file of that name. */
  readonly name: string;
  /**
   * The file to publish, from the text of the release's copy (undefined when there is none) and
   * `hashOf`: the SHA-256 of a finished asset on the release, undefined when there is none.
   */
  merge(current: string | undefined, hashOf: (name: string) => Promise<string | undefined>): Promise<ReleaseFile>;
}

export interface PublishRequest extends ReleaseSettings {
  /** Body of a release this run creates; an existing release's body is left alone. */
  readonly body: string;
  readonly overwrite: boolean;
  /** GITHUB_SHA: where a missing tag is created. undefined: GitHub's default branch. */
  readonly targetCommitish: string | undefined;
  readonly archives: readonly ReleaseFile[];
  /** `ktctl_<version>_checksums.txt`, shared by every job publishing to the tag. */
  readonly checksumsName: string;
  /** GitHub's make_latest when this run publishes a draft; undefined: GitHub's default (latest). */
  readonly makeLatest?: 'true' | 'false';
  /** The build number build-info.json records (src/publish/build-number.ts); undefined: none. */
  readonly build?: string | undefined;
  /** Files merged, under the lock, with the release's copy before they are put on it (the SBOM; locked-merge.ts). */
  readonly merges?: readonly LockedMerge[];
}

export interface PublishedAsset {
  readonly name: string;
  readonly id: number;
  /** browser_download_url, as it is once the release is in its final state. */
  readonly url: string;
  readonly size: number;
}

export interface PublishResult {
  readonly releaseId: number;
  readonly htmlUrl: string;
  readonly tag: string;
  readonly draft: boolean;
  /** This run's archives, then the checksums file and build-info.json. */
  readonly assets: readonly PublishedAsset[];
}

/** The archives of a build, for a PublishRequest. */
export function releaseFiles(build: Pick<BuildResult, 'assets'> & { readonly upstream?: BuildResult['upstream'] }, fingerprint: string): ReleaseFile[] {
  const source = build.upstream?.source?.hash;
  return build.assets.map((asset) => ({
    name: asset.name,
    path: asset.path,
    size: asset.size,
    sha256: asset.sha256,
    fingerprint,
    ...(source === undefined ? {} : { source }),
  }));
}

/** Each asset with its download URL from the release (the `url` of the assets output). */
export function withDownloadUrls<T extends Pick<Asset, 'name'>>(assets: readonly T[], result: PublishResult): Array<T & { url: string }> {
  const urls = new Map(result.assets.map((asset) => [asset.name, asset.url]));
  return assets.map((asset) => ({ ...asset, url: urls.get(asset.name) ?? '' }));
}

export function contentTypeOf(name: string): string {
  if (name.endsWith('.zip')) return 'application/zip';
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'application/gzip';
  if (name.endsWith('.txt')) return 'text/plain';
  if (name.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

export function fileSource(file: ReleaseFile, name = file.name): AssetSource {
  return { name, contentType: contentTypeOf(file.name), path: file.path, size: file.size };
}

export function textSource(name: string, text: string, uploadName = name): AssetSource {
  return { name: uploadName, contentType: contentTypeOf(name), data: Buffer.from(text, 'utf8') };
}

/**
 * The names no file of a request may have: the files the publishing itself writes (checksums,
 * build-info.json, working copies, a build manifest). The SBOM, images.txt and the installers
 * are files of the request, so they may appear in it, once each.
 */
export function isReservedName(name: string, checksumsName: string): boolean {
  const kind = reservedNameKind(name);
  return name === checksumsName || kind === 'working copy' || kind === 'build info' || kind === 'checksums file' || kind === 'build manifest';
}

/** Refuses a request that could not be published whole, before any GitHub call. */
export function checkRequest(request: PublishRequest): void {
  if (request.archives.length === 0) throw new Error('Nothing to publish: the build produced no archives.');
  const names = new Set<string>();
  for (const file of request.archives) {
    if (names.has(file.name)) throw new Error(`Two archives are both named ${file.name}.`);
    if (isReservedName(file.name, request.checksumsName)) {
      throw new Error(`An archive may not be named ${file.name}: the action uses that name itself.`);
    }
    names.add(file.name);
  }
}

/** The sha256 GitHub computed for an asset, if it says. */
export function digestHex(asset: AssetInfo): string | undefined {
  const match = /^sha256:([0-9a-f]{64})$/i.exec(asset.digest ?? '');
  return match?.[1]?.toLowerCase();
}

export function resultOf(release: ReleaseInfo, assets: readonly AssetInfo[], names: readonly string[]): PublishResult {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const published: PublishedAsset[] = [];
  for (const name of names) {
    const asset = byName.get(name);
    if (asset !== undefined) published.push({ name, id: asset.id, url: asset.downloadUrl, size: asset.size });
  }
  return { releaseId: release.id, htmlUrl: release.htmlUrl, tag: release.tagName, draft: release.draft, assets: published };
}
