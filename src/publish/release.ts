// Puts a build on a GitHub release, against the narrow ReleaseClient: find or create the release
// (a draft), upload every archive, settle the shared checksums and build-info.json files, and only
// then publish. Several jobs may do this to one tag at the same time; see "Concurrent jobs" below.
//
// Concurrent jobs (a matrix of `mode: all` jobs publishing to one tag):
// - One release: a job that finds no release creates a draft, then looks again; when a release
//   with a lower id (or a published one) holds the tag, it deletes its own draft and uses that one.
//   Before publishing it checks again, and moves over if the release it used is not the one kept.
// - Archives are per job: names differ by target. A same-named asset is replaced only with
//   `overwrite` (on a published release: upload under a temporary name, delete the old, rename,
//   so the file is missing for one API call, not for a whole upload), or kept; identical bytes (GitHub's digest) are
//   never uploaded twice. A 422 already_exists from a concurrent upload is looked up and settled.
// - The checksums file and build-info.json are shared, one of each per release, and are a pure
//   function of the archives on the release: every job recomputes them from the asset listing
//   (GitHub's sha256 digest, else the current lines, else by hashing the asset), writes them when
//   they differ and loops until it sees them match twice. The last writer always leaves them whole.
//   A fingerprint entry can only be lost in a narrow interleaving; that costs a rebuild, never a
//   wrong checksum.
// - Each job publishes the release once its own archives and the shared files are in, so a failed
//   job never publishes; with many `mode: all` jobs the release can become public before the
//   slowest job's archives are in. For all-or-nothing, use mode: build jobs and one mode: publish job.
import { createHash, randomBytes } from 'node:crypto';
import type { Asset, BuildResult } from '../model.js';
import type { Log } from '../log.js';
import {
  isAlreadyExists,
  isNotFound,
  type AssetInfo,
  type AssetSource,
  type ReleaseClient,
  type ReleaseInfo,
  type RepositoryInfo,
} from './github.js';

/** The asset that records which build made each archive (fingerprints and checksums, no secrets). */
export const BUILD_INFO_NAME = 'build-info.json';
/** Replacement uploads on a published release wait under this prefix until they are renamed. */
export const TEMP_PREFIX = 'ktctl-tmp-';
const STALE_TEMP_MS = 60 * 60 * 1000;

/** One archive to put on the release. */
export interface ReleaseFile {
  readonly name: string;
  /** Absolute path; streamed, never read whole. */
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** The fingerprint of the build that made it (computeFingerprint). */
  readonly fingerprint: string;
}

export interface ReleaseSettings {
  readonly tag: string;
  /** undefined: a new release is named after its tag; an existing one keeps its name. */
  readonly name: string | undefined;
  /** Leave the release a draft. A published release is never turned back into a draft. */
  readonly draft: boolean;
  readonly prerelease: boolean;
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
}

/** Waits of the concurrency protocol; tests make them tiny. */
export interface PublishTiming {
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Upper bound of the random pause after writing a shared file. Default 500 ms. */
  readonly jitterMs?: number;
  /** Pause between the two matching looks at the shared files. Default 2000 ms. */
  readonly settleMs?: number;
  /** Rounds of settling the shared files before giving up. Default 30. */
  readonly maxRounds?: number;
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

/** The binaries embed cluster credentials: refuse a public repository unless allowed. */
export class PublicRepositoryError extends Error {
  constructor(repository: string) {
    super(
      `Refusing to publish to ${repository}: it is a public repository, and the ktctl archives embed your kubeconfig and kt config, ` +
        'so anyone could download the cluster credentials from the release or the workflow artifact. ' +
        'Publish from a private repository, or set allow-public: true if the embedded configs hold nothing secret.',
    );
    this.name = 'PublicRepositoryError';
  }
}

/** Reads the repository's visibility; call before publishing or uploading an artifact. */
export async function checkVisibility(client: ReleaseClient, allowPublic: boolean, log: Log): Promise<RepositoryInfo> {
  const repository = await client.getRepository();
  if (repository.visibility === 'public') {
    if (!allowPublic) throw new PublicRepositoryError(repository.fullName);
    log.warning(`${repository.fullName} is public and allow-public is true: anyone can download the embedded kubeconfig and kt config.`);
  } else if (repository.visibility === 'internal') {
    log.info(`${repository.fullName} is internal: every member of the enterprise can download the archives.`);
  }
  return repository;
}

/** The archives of a build, for a PublishRequest. */
export function releaseFiles(build: Pick<BuildResult, 'assets'>, fingerprint: string): ReleaseFile[] {
  return build.assets.map((asset) => ({
    name: asset.name,
    path: asset.path,
    size: asset.size,
    sha256: asset.sha256,
    fingerprint,
  }));
}

/** A short body for a release this action creates; nothing secret. */
export function defaultReleaseBody(build: Pick<BuildResult, 'version' | 'upstream'>): string {
  return (
    `ktctl ${build.version}, built by ktctl-customize from kt-connect ${build.upstream.tag} (${build.upstream.commit}) ` +
    'with an embedded kubeconfig and kt config.\n\nThe checksums file lists the SHA-256 of every archive; build-info.json records which build made each one.\n'
  );
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

// ---- the shared files ----

interface LedgerEntry {
  readonly sha256: string;
  readonly fingerprint: string | undefined;
}

/** `<sha256>  <name>` lines, as sha256sum writes and `sha256sum -c` reads. */
export function renderChecksums(entries: ReadonlyMap<string, LedgerEntry>): string {
  return [...entries.keys()]
    .sort()
    .map((name) => `${entries.get(name)?.sha256 ?? ''}  ${name}\n`)
    .join('');
}

export function parseChecksums(text: string): Map<string, string> {
  const lines = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) lines.set(match[2], match[1].toLowerCase());
  }
  return lines;
}

export interface BuildInfo {
  readonly generator: 'ktctl-customize';
  readonly schema: 1;
  readonly archives: Readonly<Record<string, { readonly fingerprint?: string; readonly sha256: string }>>;
}

export function renderBuildInfo(entries: ReadonlyMap<string, LedgerEntry>): string {
  const archives: Record<string, { fingerprint?: string; sha256: string }> = {};
  for (const name of [...entries.keys()].sort()) {
    const entry = entries.get(name);
    if (entry === undefined) continue;
    archives[name] = entry.fingerprint === undefined ? { sha256: entry.sha256 } : { fingerprint: entry.fingerprint, sha256: entry.sha256 };
  }
  const info: BuildInfo = { generator: 'ktctl-customize', schema: 1, archives };
  return `${JSON.stringify(info, null, 2)}\n`;
}

export function parseBuildInfo(text: string | undefined): Map<string, LedgerEntry> {
  const entries = new Map<string, LedgerEntry>();
  if (text === undefined) return entries;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return entries;
  }
  const archives = (value as { archives?: unknown } | null)?.archives;
  if (typeof archives !== 'object' || archives === null) return entries;
  for (const [name, raw] of Object.entries(archives as Record<string, unknown>)) {
    const entry = raw as { fingerprint?: unknown; sha256?: unknown } | null;
    if (typeof entry?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) continue;
    entries.set(name, {
      sha256: entry.sha256,
      fingerprint: typeof entry.fingerprint === 'string' ? entry.fingerprint : undefined,
    });
  }
  return entries;
}

function digestHex(asset: AssetInfo): string | undefined {
  const match = /^sha256:([0-9a-f]{64})$/i.exec(asset.digest ?? '');
  return match?.[1]?.toLowerCase();
}

function sha256Of(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---- finding the release ----

/** The release that holds the tag: the published one, else the draft with the lowest id. */
export async function findRelease(client: ReleaseClient, tag: string): Promise<ReleaseInfo | undefined> {
  const published = await client.getReleaseByTag(tag);
  if (published !== undefined) return published;
  const candidates = (await client.listReleases()).filter((release) => release.tagName === tag);
  const live = candidates.find((release) => !release.draft);
  if (live !== undefined) return live;
  return candidates.sort((a, b) => a.id - b.id)[0];
}

async function resolveRelease(
  client: ReleaseClient,
  request: PublishRequest,
  log: Log,
): Promise<{ release: ReleaseInfo; created: boolean }> {
  const found = await findRelease(client, request.tag);
  if (found !== undefined) {
    log.info(`Using ${found.draft ? 'draft ' : ''}release ${request.tag} (id ${found.id}).`);
    return { release: found, created: false };
  }
  const created = await client.createRelease({
    tag: request.tag,
    name: request.name ?? request.tag,
    body: request.body,
    draft: true,
    prerelease: request.prerelease,
    targetCommitish: request.targetCommitish,
  });
  const kept = await findRelease(client, request.tag);
  if (kept !== undefined && kept.id !== created.id) {
    log.info(`Another job created release ${request.tag} first (id ${kept.id}); removing the duplicate draft ${created.id}.`);
    await client.deleteRelease(created.id);
    return { release: kept, created: false };
  }
  log.info(`Created draft release ${request.tag} (id ${created.id}).`);
  return { release: created, created: true };
}

/** The release this run uploaded to is not the one kept for the tag: start over on that one. */
class MovedRelease extends Error {
  constructor(readonly to: number) {
    super(`the release moved to ${to}`);
  }
}

// ---- putting one asset ----

type PutAction = 'uploaded' | 'replaced' | 'identical' | 'kept';

interface PutOutcome {
  readonly asset: AssetInfo;
  readonly action: PutAction;
}

interface Session {
  readonly client: ReleaseClient;
  readonly release: ReleaseInfo;
  readonly log: Log;
  /** The release's assets by name, as last seen. */
  assets: Map<string, AssetInfo>;
}

async function refreshAssets(session: Session): Promise<AssetInfo[]> {
  const assets = await session.client.listAssets(session.release.id);
  session.assets = new Map(assets.map((asset) => [asset.name, asset]));
  return assets;
}

async function putAsset(session: Session, source: AssetSource, sha256: string, overwrite: boolean): Promise<PutOutcome> {
  const { client, release, log } = session;
  const name = source.name;
  for (let round = 1; round <= 6; round++) {
    const existing = session.assets.get(name);
    if (existing === undefined) {
      try {
        const asset = await client.uploadAsset(release, source);
        session.assets.set(name, asset);
        return { asset, action: 'uploaded' };
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        log.info(`${name} appeared on the release while uploading it (another job); looking at it.`);
        await refreshAssets(session);
        continue;
      }
    }
    if (existing.state !== 'uploaded') {
      log.info(`Removing ${name}, an upload that never finished.`);
      await client.deleteAsset(existing.id);
      session.assets.delete(name);
      continue;
    }
    if (digestHex(existing) === sha256) return { asset: existing, action: 'identical' };
    if (!overwrite) return { asset: existing, action: 'kept' };
    if (release.draft) {
      await client.deleteAsset(existing.id);
      session.assets.delete(name);
      continue;
    }
    const swapped = await swapAsset(session, existing, source, sha256);
    if (swapped !== undefined) return swapped;
  }
  throw new Error(`Could not put ${name} on release ${release.tagName}: other jobs kept replacing it at the same time.`);
}

/** Replaces a published asset with the smallest gap: upload under a temporary name, delete the old, rename. */
async function swapAsset(session: Session, existing: AssetInfo, source: AssetSource, sha256: string): Promise<PutOutcome | undefined> {
  const { client, release } = session;
  const name = source.name;
  const temp = await client.uploadAsset(release, { ...source, name: `${TEMP_PREFIX}${randomBytes(4).toString('hex')}-${name}` });
  try {
    await client.deleteAsset(existing.id);
    for (let round = 1; round <= 4; round++) {
      try {
        const asset = await client.renameAsset(temp.id, name);
        session.assets.set(name, asset);
        return { asset, action: 'replaced' };
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        await refreshAssets(session);
        const other = session.assets.get(name);
        if (other === undefined) continue;
        if (digestHex(other) === sha256) {
          await client.deleteAsset(temp.id);
          return { asset: other, action: 'identical' };
        }
        await client.deleteAsset(other.id);
      }
    }
  } catch (error) {
    await client.deleteAsset(temp.id).catch(() => undefined);
    throw error;
  }
  await client.deleteAsset(temp.id).catch(() => undefined);
  await refreshAssets(session);
  return undefined;
}

// ---- settling the shared files ----

interface SettleInput {
  readonly request: PublishRequest;
  /** Asset ids this run uploaded (or found identical), by name. */
  readonly owned: Map<string, number>;
}

async function settleSharedFiles(session: Session, input: SettleInput, timing: Required<PublishTiming>): Promise<void> {
  const { client, log } = session;
  const { request, owned } = input;
  const files = new Map(request.archives.map((file) => [file.name, file]));
  const shared = new Set([request.checksumsName, BUILD_INFO_NAME]);
  let cleanLooks = 0;
  let busy = 0;
  // A random pause that grows while other jobs keep the shared files busy, so writers spread out.
  const pause = async (): Promise<void> => {
    busy += 1;
    await timing.sleep(Math.floor(timing.random() * timing.jitterMs * Math.min(2 ** (busy - 1), 8)));
  };
  for (let round = 1; round <= timing.maxRounds; round++) {
    const assets = await refreshAssets(session);
    // An archive of ours that vanished (a concurrent job replacing the same name) goes back up.
    let restored = false;
    for (const file of request.archives) {
      if (session.assets.has(file.name) || !owned.has(file.name)) continue;
      log.info(`${file.name} disappeared from the release; uploading it again.`);
      const outcome = await putAsset(session, fileSource(file), file.sha256, request.overwrite);
      if (outcome.action !== 'kept') owned.set(file.name, outcome.asset.id);
      restored = true;
    }
    if (restored) continue;

    // A shared file or an archive can vanish between the listing and the download: another job is
    // replacing it. Then this round's view is stale; look again.
    const read = async (asset: AssetInfo | undefined): Promise<string | undefined> =>
      asset === undefined ? undefined : (await client.downloadAsset(asset.id)).toString('utf8');
    let checksumsText: string | undefined;
    let infoText: string | undefined;
    try {
      checksumsText = await read(session.assets.get(request.checksumsName));
      infoText = await read(session.assets.get(BUILD_INFO_NAME));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      cleanLooks = 0;
      await pause();
      continue;
    }
    const lines = parseChecksums(checksumsText ?? '');
    const recorded = parseBuildInfo(infoText);

    const entries = new Map<string, LedgerEntry>();
    let stale = false;
    for (const asset of [...assets].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (shared.has(asset.name) || asset.name.startsWith(TEMP_PREFIX) || asset.state !== 'uploaded') continue;
      const file = files.get(asset.name);
      const digest = digestHex(asset);
      const ours = file !== undefined && (digest !== undefined ? digest === file.sha256 : owned.get(asset.name) === asset.id);
      let sha = digest ?? (ours ? file.sha256 : undefined) ?? lines.get(asset.name) ?? recorded.get(asset.name)?.sha256;
      if (sha === undefined) {
        log.info(`Hashing ${asset.name}: GitHub gives no digest and no checksum line names it.`);
        const data = await client.downloadAsset(asset.id).catch((error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        });
        if (data === undefined) {
          stale = true; // replaced meanwhile; the next round sees the new one
          break;
        }
        sha = sha256Of(data);
      }
      const entry = recorded.get(asset.name);
      const fingerprint = ours ? file.fingerprint : entry?.sha256 === sha ? entry.fingerprint : undefined;
      entries.set(asset.name, { sha256: sha, fingerprint });
    }

    if (stale) {
      cleanLooks = 0;
      await pause();
      continue;
    }
    const wantChecksums = renderChecksums(entries);
    const wantInfo = renderBuildInfo(entries);
    let wrote = false;
    if (checksumsText !== wantChecksums) {
      await putShared(session, request.checksumsName, wantChecksums);
      wrote = true;
    }
    if (infoText !== wantInfo) {
      await putShared(session, BUILD_INFO_NAME, wantInfo);
      wrote = true;
    }
    if (wrote) {
      cleanLooks = 0;
      await pause();
      continue;
    }
    cleanLooks += 1;
    if (cleanLooks >= 2) return;
    await timing.sleep(timing.settleMs);
  }
  throw new Error(
    `The checksums file and ${BUILD_INFO_NAME} of release ${request.tag} did not settle after ${timing.maxRounds} rounds; other jobs kept changing the release. Run the job again.`,
  );
}

/**
 * One attempt at replacing a shared file. Losing a race to another job is fine: the settle loop
 * looks again and writes again only if the file is still not what the release's archives say.
 */
async function putShared(session: Session, name: string, text: string): Promise<void> {
  const { client, release } = session;
  const source: AssetSource = { name, contentType: contentTypeOf(name), data: Buffer.from(text, 'utf8') };
  const existing = session.assets.get(name);
  try {
    if (existing === undefined || release.draft) {
      if (existing !== undefined) await client.deleteAsset(existing.id);
      await client.uploadAsset(release, source);
      return;
    }
    const temp = await client.uploadAsset(release, { ...source, name: `${TEMP_PREFIX}${randomBytes(4).toString('hex')}-${name}` });
    try {
      await client.deleteAsset(existing.id);
      await client.renameAsset(temp.id, name);
    } catch (error) {
      await client.deleteAsset(temp.id).catch(() => undefined);
      throw error;
    }
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

function fileSource(file: ReleaseFile): AssetSource {
  return { name: file.name, contentType: contentTypeOf(file.name), path: file.path, size: file.size };
}

// ---- publishing ----

function checkRequest(request: PublishRequest): void {
  if (request.archives.length === 0) throw new Error('Nothing to publish: the build produced no archives.');
  const names = new Set<string>();
  for (const file of request.archives) {
    if (names.has(file.name)) throw new Error(`Two archives are both named ${file.name}.`);
    if (file.name === request.checksumsName || file.name === BUILD_INFO_NAME || file.name.startsWith(TEMP_PREFIX)) {
      throw new Error(`An archive may not be named ${file.name}: the action uses that name itself.`);
    }
    names.add(file.name);
  }
}

async function ensureTag(client: ReleaseClient, tag: string, sha: string, log: Log): Promise<void> {
  const existing = await client.getTagRef(tag);
  if (existing === undefined) {
    await client.createTagRef(tag, sha);
    log.info(`Created tag ${tag} at ${sha}.`);
  } else if (existing !== sha) {
    log.info(`Tag ${tag} already exists (${existing.slice(0, 12)}); the release uses it as it is.`);
  }
}

function resultOf(release: ReleaseInfo, assets: readonly AssetInfo[], names: readonly string[]): PublishResult {
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  const published: PublishedAsset[] = [];
  for (const name of names) {
    const asset = byName.get(name);
    if (asset !== undefined) published.push({ name, id: asset.id, url: asset.downloadUrl, size: asset.size });
  }
  return { releaseId: release.id, htmlUrl: release.htmlUrl, tag: release.tagName, draft: release.draft, assets: published };
}

function withTimingDefaults(timing: PublishTiming): Required<PublishTiming> {
  return {
    sleep: timing.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: timing.random ?? Math.random,
    jitterMs: timing.jitterMs ?? 500,
    settleMs: timing.settleMs ?? 2000,
    maxRounds: timing.maxRounds ?? 30,
  };
}

async function publishTo(
  client: ReleaseClient,
  release: ReleaseInfo,
  created: boolean,
  request: PublishRequest,
  log: Log,
  timing: Required<PublishTiming>,
): Promise<PublishResult> {
  if (release.immutable) {
    throw new Error(
      `Release ${request.tag} is immutable (published while immutable releases were on), so its assets cannot change; choose another release-tag.`,
    );
  }
  const session: Session = { client, release, log, assets: new Map() };
  const assets = await refreshAssets(session);
  for (const asset of assets) {
    if (asset.name.startsWith(TEMP_PREFIX) && Date.now() - Date.parse(asset.createdAt) > STALE_TEMP_MS) {
      log.info(`Removing ${asset.name}, left over by an interrupted run.`);
      await client.deleteAsset(asset.id);
    }
  }

  const owned = new Map<string, number>();
  for (const file of request.archives) {
    const outcome = await putAsset(session, fileSource(file), file.sha256, request.overwrite);
    const verb: Record<PutAction, string> = {
      uploaded: 'Uploaded',
      replaced: 'Replaced',
      identical: 'Already on the release, identical:',
      kept: 'Kept the existing (overwrite: false)',
    };
    log.info(`${verb[outcome.action]} ${file.name}`);
    if (outcome.action !== 'kept') owned.set(file.name, outcome.asset.id);
  }
  await settleSharedFiles(session, { request, owned }, timing);

  const kept = await findRelease(client, request.tag);
  if (kept !== undefined && kept.id !== release.id) {
    if (created) {
      log.info(`Release ${request.tag} is kept as id ${kept.id}, not our draft ${release.id}; moving there.`);
      await client.deleteRelease(release.id);
    }
    throw new MovedRelease(kept.id);
  }

  let final = kept ?? release;
  const patch: { name?: string; draft?: boolean; prerelease?: boolean } = {};
  if (request.name !== undefined && final.name !== request.name) patch.name = request.name;
  if (final.prerelease !== request.prerelease) patch.prerelease = request.prerelease;
  if (!request.draft && final.draft) {
    if (request.targetCommitish !== undefined) await ensureTag(client, request.tag, request.targetCommitish, log);
    patch.draft = false;
  } else if (request.draft && !final.draft) {
    log.info(`Release ${request.tag} is already published; draft: true does not unpublish it.`);
  }
  if (Object.keys(patch).length > 0) {
    final = await client.updateRelease(final.id, patch);
    if (patch.draft === false) log.info(`Published release ${request.tag}: ${final.htmlUrl}`);
  }
  const finalAssets = await client.listAssets(final.id);
  return resultOf(final, finalAssets, [...request.archives.map((file) => file.name), request.checksumsName, BUILD_INFO_NAME]);
}

/**
 * Puts the archives on the release for request.tag and publishes it (unless draft), all or nothing:
 * the release stays a draft until every archive, the checksums file and build-info.json are in.
 */
export async function publishRelease(
  client: ReleaseClient,
  request: PublishRequest,
  log: Log,
  timing: PublishTiming = {},
): Promise<PublishResult> {
  checkRequest(request);
  const waits = withTimingDefaults(timing);
  for (let attempt = 1; ; attempt++) {
    const { release, created } = await resolveRelease(client, request, log);
    try {
      return await publishTo(client, release, created, request, log, waits);
    } catch (error) {
      if (attempt >= 4) throw error;
      if (error instanceof MovedRelease) continue;
      if (isNotFound(error) && (await findRelease(client, request.tag))?.id !== release.id) {
        log.info(`Release ${release.id} was removed by another job while we used it; starting over.`);
        continue;
      }
      throw error;
    }
  }
}

// ---- skipping unchanged builds ----

export interface UnchangedQuery extends ReleaseSettings {
  readonly fingerprint: string;
  /** The archive names the build would produce (plan.targets[].archiveName). */
  readonly archiveNames: readonly string[];
  readonly checksumsName: string;
}

export type UnchangedCheck =
  | { readonly unchanged: true; readonly result: PublishResult }
  | { readonly unchanged: false; readonly reason: string };

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
  const missing = [...query.archiveNames, query.checksumsName, BUILD_INFO_NAME].filter(
    (name) => assets.get(name)?.state !== 'uploaded',
  );
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
    const asset = assets.get(name);
    const digest = asset === undefined ? undefined : digestHex(asset);
    if ((digest !== undefined && digest !== entry.sha256) || lines.get(name) !== entry.sha256) {
      return { unchanged: false, reason: `${name} on the release does not match its recorded checksum` };
    }
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
