// Files on a release that describe every archive on it, whoever put each there: the SBOM. Several
// `mode: all` jobs publishing to one tag each bring a file that describes only their own archives;
// replacing the release's file would leave it describing the last job only. So, holding the
// release's lock (no other job writes meanwhile), each such file is merged with the one already
// on the release before it is put there: the caller's `merge` reads the release's copy and the
// hashes of the assets it names, and returns the file to publish. Pure glue; the merging itself is
// the caller's (sbom-merge.ts).
import { messageOf } from '../shared/index.js';
import type { AssetInfo, ReleaseClient } from './github.js';
import { assetSha256 } from './ledger.js';
import type { PublishRequest } from './request.js';

/** More than any SBOM of eight targets (well under 1 MB), yet a bound on what a release's copy may make a job hold. */
const MERGED_FILE_LIMIT = 32 * 1024 * 1024;

/** The request with each merged file in place of this run's own; `assets` is the release as listed under the lock. */
export async function mergeUnderLock(client: ReleaseClient, assets: readonly AssetInfo[], request: PublishRequest): Promise<PublishRequest> {
  const merges = request.merges ?? [];
  if (merges.length === 0) return request;
  const finished = new Map(assets.filter((asset) => asset.state === 'uploaded').map((asset) => [asset.name, asset]));
  const hashes = new Map<string, Promise<string>>();
  const hashOf = async (name: string): Promise<string | undefined> => {
    const asset = finished.get(name);
    if (asset === undefined) return undefined;
    const known = hashes.get(name) ?? assetSha256(client, asset);
    hashes.set(name, known);
    return known;
  };
  let archives = request.archives;
  for (const merge of merges) {
    const asset = finished.get(merge.name);
    let current: string | undefined;
    if (asset !== undefined) {
      if (asset.size > MERGED_FILE_LIMIT) {
        throw new Error(
          `${merge.name} on release ${request.tag} is larger than ${MERGED_FILE_LIMIT} bytes, more than this action ever writes; delete it from the release.`,
        );
      }
      try {
        current = (await client.downloadAsset(asset.id)).toString('utf8');
      } catch (error) {
        throw new Error(`Could not read ${merge.name} on release ${request.tag} to merge it: ${messageOf(error)}`, { cause: error });
      }
    }
    const file = await merge.merge(current, hashOf);
    archives = archives.map((item) => (item.name === merge.name ? file : item));
  }
  return { ...request, archives };
}
