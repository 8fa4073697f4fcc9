// What makes a run skip: the release already holds this exact build. Checked before anything is
// checked out or built, from the release's build-info.json and checksums file.
import { type Log, BUILD_INFO_NAME, parseBuildInfo, parseChecksums, type LedgerEntry } from '../shared/index.js';
import { findRelease } from './find-release.js';
import { isNotFound, type ReleaseClient } from './github.js';
import { assetSha256 } from './ledger.js';
import { resultOf, type PublishResult, type ReleaseSettings } from './request.js';

export interface UnchangedQuery extends ReleaseSettings {
  readonly fingerprint: string;
  /** The archive names the build would produce (plan.targets[].archiveName). */
  readonly archiveNames: readonly string[];
  readonly checksumsName: string;
}

export type UnchangedCheck = { readonly unchanged: true; readonly result: PublishResult } | { readonly unchanged: false; readonly reason: string };

/**
 * True when the release already holds this exact build: every archive, the checksums file and
 * build-info.json recording this fingerprint for each archive. Reads only, except that it brings
 * the release's name and prerelease flag in line with the inputs (no rebuild for those).
 */
export async function checkUnchanged(client: ReleaseClient, query: UnchangedQuery, log: Log): Promise<UnchangedCheck> {
  const release = await findRelease(client, query.tag);
  if (release === undefined) return { unchanged: false, reason: `there is no release ${query.tag} yet` };
  if (release.draft && !query.draft) {
    return { unchanged: false, reason: `release ${query.tag} is still a draft (an earlier run did not finish)` };
  }
  const assets = new Map((await client.listAssets(release.id)).map((asset) => [asset.name, asset]));
  const missing = [...query.archiveNames, query.checksumsName, BUILD_INFO_NAME].filter((name) => assets.get(name)?.state !== 'uploaded');
  if (missing.length > 0) return { unchanged: false, reason: `release ${query.tag} lacks ${missing.join(', ')}` };
  const read = async (name: string): Promise<string> => {
    const asset = assets.get(name);
    return asset === undefined ? '' : (await client.downloadAsset(asset.id)).toString('utf8');
  };
  let recorded: Map<string, LedgerEntry>;
  let lines: Map<string, string>;
  try {
    recorded = parseBuildInfo(await read(BUILD_INFO_NAME));
    lines = parseChecksums(await read(query.checksumsName));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return { unchanged: false, reason: `release ${query.tag} is being changed by another job right now` };
  }
  for (const name of query.archiveNames) {
    const entry = recorded.get(name);
    if (entry?.fingerprint !== query.fingerprint) {
      return { unchanged: false, reason: `${name} on the release was built from different inputs (fingerprint changed)` };
    }
    if (lines.get(name) !== entry.sha256) return { unchanged: false, reason: `${name} on the release does not match its recorded checksum` };
  }
  // Every line of the checksums file, not only this build's: a skip must not keep a wrong line.
  // Without GitHub's digest (older GHES) the asset is downloaded and hashed (assetSha256).
  for (const [name, sha256] of lines) {
    const asset = assets.get(name);
    const actual =
      asset?.state !== 'uploaded'
        ? undefined
        : await assetSha256(client, asset).catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
    if (actual !== sha256) return { unchanged: false, reason: `${name} on the release does not match its line in ${query.checksumsName}` };
  }
  let final = release;
  const patch: { name?: string; prerelease?: boolean } = {};
  if (query.name !== undefined && release.name !== query.name) patch.name = query.name;
  if (release.prerelease !== query.prerelease) patch.prerelease = query.prerelease;
  if (Object.keys(patch).length > 0) {
    log.info(`Updating the name/prerelease flag of release ${query.tag}; its assets are unchanged.`);
    final = await client.updateRelease(release.id, patch);
  }
  return {
    unchanged: true,
    result: resultOf(final, [...assets.values()], [...query.archiveNames, query.checksumsName, BUILD_INFO_NAME]),
  };
}
