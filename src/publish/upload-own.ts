// An upload that survives the loss of its own answer. The client retries an upload whose
// connection broke or that got a 5xx; when the first attempt had in fact reached GitHub, the retry
// is refused with 422 already_exists, for an asset that is our own. Callers that cannot otherwise
// tell (a working copy's random name, a shared file uploaded under the lock) use this.
import { sha256File, sha256Hex } from '../shared/index.js';
import { isAlreadyExists, type AssetInfo, type AssetSource, type ReleaseClient, type ReleaseInfo } from './github.js';
import { digestHex } from './request.js';

/**
 * Uploads `source`. When the name turns out taken, the asset of that name is taken as this upload's
 * result if it is whole and holds these very bytes (GitHub's digest, or its bytes where the server
 * gives no digest); otherwise the refusal stands.
 */
export async function uploadOwn(client: ReleaseClient, release: ReleaseInfo, source: AssetSource): Promise<AssetInfo> {
  try {
    return await client.uploadAsset(release, source);
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const existing = (await client.listAssets(release.id)).find((asset) => asset.name === source.name);
    if (existing === undefined || existing.state !== 'uploaded') throw error;
    const ours = 'data' in source ? sha256Hex(source.data) : await sha256File(source.path);
    const theirs = digestHex(existing) ?? sha256Hex(await client.downloadAsset(existing.id));
    if (theirs !== ours) throw error;
    return existing;
  }
}
