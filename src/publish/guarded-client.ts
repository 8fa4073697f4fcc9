// The release client of a run: every text it would send to GitHub goes through the published-text
// guard first (shared/published-text.ts), so no piece of a config reaches a release by any path.
import { publishedText } from '../shared/index.js';
import type { AssetInfo, AssetSource, NewRelease, ReleaseClient, ReleasePatch, ReleaseInfo } from './github.js';

/**
 * The release client with every text it would send checked: the release's name and body, and
 * assets made in memory. Archives (streamed from disk) hold the configs on purpose and pass; the
 * SBOM and images.txt are checked when they are written.
 */
export function guardedReleaseClient(client: ReleaseClient): ReleaseClient {
  const checkRelease = <T extends { readonly name?: string | undefined; readonly body?: string | undefined }>(release: T): T => {
    if (release.name !== undefined) publishedText('release name', release.name);
    if (release.body !== undefined) publishedText('release body', release.body);
    return release;
  };
  return {
    get repository() {
      return client.repository;
    },
    getRepository: () => client.getRepository(),
    getReleaseByTag: (tag) => client.getReleaseByTag(tag),
    listRecentReleases: () => client.listRecentReleases(),
    getLatestRelease: () => client.getLatestRelease(),
    listTagNames: (prefix) => client.listTagNames(prefix),
    createRelease: (release: NewRelease): Promise<ReleaseInfo> => {
      publishedText('release tag', release.tag);
      return client.createRelease(checkRelease(release));
    },
    updateRelease: (id: number, patch: ReleasePatch): Promise<ReleaseInfo> => client.updateRelease(id, checkRelease(patch)),
    deleteRelease: (id) => client.deleteRelease(id),
    listAssets: (id) => client.listAssets(id),
    uploadAsset: (release: ReleaseInfo, source: AssetSource): Promise<AssetInfo> => {
      publishedText('release asset name', source.name);
      if ('data' in source) publishedText(`release asset ${source.name}`, Buffer.from(source.data).toString('utf8'));
      return client.uploadAsset(release, source);
    },
    renameAsset: (id, name) => client.renameAsset(id, publishedText('release asset name', name)),
    deleteAsset: (id) => client.deleteAsset(id),
    downloadAsset: (id) => client.downloadAsset(id),
    getTagRef: (tag) => client.getTagRef(tag),
    createTagRef: (tag, sha) => client.createTagRef(publishedText('release tag', tag), sha),
  };
}
