// What the checksums file and build-info.json of a release must say: one entry per archive on
// the release once this run's archives are in, whoever made it. The files are a pure function of
// the release's archives, so every run recomputes them instead of patching lines.
import { createHash } from 'node:crypto';
import { type LedgerEntry, parseBuildInfo } from '../shared/index.js';
import type { AssetInfo, ReleaseClient } from './github.js';
import { digestHex, isReservedName } from './request.js';

export interface LedgerInput {
  /** The release's assets as listed now. */
  readonly assets: readonly AssetInfo[];
  readonly checksumsName: string;
  /** The current build-info.json, undefined when missing (the fingerprints it records are kept). */
  readonly buildInfoText: string | undefined;
  /** Archives whose content on the release is (or is about to be) this run's, by name. */
  readonly ours: ReadonlyMap<string, LedgerEntry>;
}

/** Assets that are archives for the ledger: finished uploads, not the shared files, not working copies. */
function isArchiveAsset(asset: AssetInfo, checksumsName: string): boolean {
  return asset.state === 'uploaded' && !isReservedName(asset.name, checksumsName);
}

/**
 * The SHA-256 of an asset as it is on the release: GitHub's digest, or, where the server gives
 * none (older GHES), the hash of the asset downloaded now. Never a line of the checksums file or
 * build-info.json: those say what the asset was, and someone with write access may have replaced it.
 */
export async function assetSha256(client: ReleaseClient, asset: AssetInfo): Promise<string> {
  return (
    digestHex(asset) ??
    createHash('sha256')
      .update(await client.downloadAsset(asset.id))
      .digest('hex')
  );
}

/**
 * Every archive's entry, sorted by name. Another run's archive gets its hash from the release
 * (assetSha256: the digest, else downloaded and hashed), so a stale line is never carried over; it
 * keeps its fingerprint only while its hash is the one build-info.json recorded.
 */
export async function ledgerFor(client: ReleaseClient, input: LedgerInput): Promise<Map<string, LedgerEntry>> {
  const recorded = parseBuildInfo(input.buildInfoText);
  const entries = new Map<string, LedgerEntry>();
  for (const asset of input.assets) {
    if (!isArchiveAsset(asset, input.checksumsName) || input.ours.has(asset.name)) continue;
    const entry = recorded.get(asset.name);
    const sha = await assetSha256(client, asset);
    const same = entry?.sha256 === sha;
    entries.set(asset.name, {
      sha256: sha,
      fingerprint: same ? entry.fingerprint : undefined,
      ...(same && entry.source !== undefined ? { source: entry.source } : {}),
    });
  }
  for (const [name, entry] of input.ours) entries.set(name, entry);
  return new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The text of an asset, or the fallback when there is none. */
export async function readText(client: ReleaseClient, asset: AssetInfo | undefined): Promise<string | undefined> {
  return asset === undefined || asset.state !== 'uploaded' ? undefined : (await client.downloadAsset(asset.id)).toString('utf8');
}
