// Publishing into a release series (series.ts): finds the series' newest release, decides where
// this run publishes (targetOf), and hands over to publishRelease, which does the rest as always
// (a draft, the lock, the assets, publishing last). With immutable releases on:
// - an immutable release is never written to: no lock, no upload, no rename, no delete on it;
// - a rebuild goes to a new draft `<tag>-build.<n>`, which is published only once it is
//   complete, becomes the latest release when the superseded one was, and says in its notes
//   which release it supersedes and why;
// - a tag GitHub refuses as used by an immutable release is skipped for the next number;
// - a run stopped before publishing leaves a draft (drafts lock nothing): the next run finds it
//   as the newest of the series and finishes it;
// - no tag is ever deleted or moved.
import { type Log, BUILD_INFO_NAME, parseBuildInfo, parseChecksums } from '../shared/index.js';
import { isBurnedTag, isImmutableRefusal, type ReleaseClient, type ReleaseInfo } from './github.js';
import { ImmutableReleaseError, publishRelease, type PublishTiming } from './publish-release.js';
import { digestHex, resultOf, type PublishRequest, type PublishResult } from './request.js';
import { SERIES_SEPARATOR, seriesNumber, seriesTag, targetOf, type Series, type SeriesTarget } from './series.js';
import { parseDigests, supersedeNote, supersedeReasons, type BuildDigests } from './supersede.js';
import type { ReleaseFile } from '../model.js';

/** Attempts before giving up on a series that keeps changing under us (burned tags, concurrent runs). */
const MAX_ATTEMPTS = 6;

/** The series of `base` as GitHub holds it now: its newest release and the highest number in use. */
export async function findSeries(client: ReleaseClient, base: string): Promise<Series> {
  const [tagNames, recent] = await Promise.all([client.listTagNames(`${base}${SERIES_SEPARATOR}`), client.listRecentReleases()]);
  const numbers = new Set<number>([1]);
  let highestUsed = 0;
  for (const name of [...tagNames, ...recent.map((release) => release.tagName)]) {
    const number = seriesNumber(base, name);
    if (number === undefined) continue;
    numbers.add(number);
    highestUsed = Math.max(highestUsed, number);
  }
  // newest first; a published release is found by tag even when it is far down the list
  let newest: ReleaseInfo | undefined;
  for (const number of [...numbers].sort((a, b) => b - a)) {
    const tag = seriesTag(base, number);
    const published = recent.find((release) => release.tagName === tag && !release.draft) ?? (await client.getReleaseByTag(tag));
    if (newest !== undefined) {
      // newest is a draft: the release it takes over from is the newest published one below it
      if (published !== undefined) return { base, newest, previous: published, highestUsed };
      continue;
    }
    highestUsed = Math.max(highestUsed, number);
    if (published !== undefined) return { base, newest: published, previous: undefined, highestUsed };
    newest = recent.filter((release) => release.tagName === tag && release.draft).sort((a, b) => a.id - b.id)[0];
  }
  return { base, newest, previous: undefined, highestUsed };
}

/**
 * True when the release already holds exactly these archives (same bytes, same fingerprints):
 * publishing the same build again makes no new release. Reads only.
 */
async function holdsBuild(client: ReleaseClient, release: ReleaseInfo, request: PublishRequest): Promise<boolean> {
  const assets = new Map((await client.listAssets(release.id)).map((asset) => [asset.name, asset]));
  const read = async (name: string): Promise<string> => {
    const asset = assets.get(name);
    return asset === undefined || asset.state !== 'uploaded' ? '' : (await client.downloadAsset(asset.id)).toString('utf8');
  };
  const recorded = parseBuildInfo(await read(BUILD_INFO_NAME));
  const lines = parseChecksums(await read(request.checksumsName));
  return request.archives.every((file) => {
    const asset = assets.get(file.name);
    const sha = asset === undefined ? undefined : (digestHex(asset) ?? lines.get(file.name));
    return (
      asset?.state === 'uploaded' && sha === file.sha256 && lines.get(file.name) === file.sha256 && recorded.get(file.name)?.fingerprint === file.fingerprint
    );
  });
}

export interface SeriesOptions {
  readonly timing?: PublishTiming;
  /** What this build was made from (supersede.ts), to say why it supersedes a release. */
  readonly digests?: BuildDigests;
  /** A body the user gave: it replaces the body of the release published to, as publishRelease's callers always did. */
  readonly userBody?: string;
  /** The notes of a new release under `tag` (they name it); undefined: request.body. */
  readonly bodyFor?: (tag: string) => string;
  /** Files that name the release they are on (the installers), made for the tag actually used. */
  readonly filesFor?: (tag: string) => Promise<readonly ReleaseFile[]>;
}

export interface SeriesResult extends PublishResult {
  /** The release this one supersedes (immutable), if any. */
  readonly supersedes: string | undefined;
}

/**
 * Publishes `request` (whose tag is the series' base) to the right release of the series; see
 * the top of this file. The result's tag is the tag actually used.
 */
export async function publishSeries(client: ReleaseClient, request: PublishRequest, log: Log, options: SeriesOptions = {}): Promise<SeriesResult> {
  const burned = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    const series = await findSeries(client, request.tag);
    const target = targetOf(series, burned);
    if (target.fresh && target.supersedes !== undefined && (await holdsBuild(client, target.supersedes, request))) {
      log.info(`Release ${target.supersedes.tagName} already holds this exact build; no new release.`);
      const assets = await client.listAssets(target.supersedes.id);
      return { ...resultOf(target.supersedes, assets, namesOf(request)), supersedes: undefined };
    }
    try {
      return await publishTarget(client, request, target, log, options);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS) throw error;
      if (isBurnedTag(error)) {
        log.info(`GitHub refuses tag ${target.tag}: an immutable release used it once. Taking the next build number.`);
        const number = seriesNumber(request.tag, target.tag);
        if (number !== undefined) burned.add(number);
        continue;
      }
      if (error instanceof ImmutableReleaseError || isImmutableRefusal(error)) {
        // another run published (and so locked) the release meanwhile: look at the series again
        log.info(`Release ${target.tag} became immutable while this run used it; publishing a new release of the series instead.`);
        continue;
      }
      throw error;
    }
  }
}

function namesOf(request: PublishRequest): string[] {
  return [...request.archives.map((file) => file.name), request.checksumsName, BUILD_INFO_NAME];
}

async function publishTarget(client: ReleaseClient, request: PublishRequest, target: SeriesTarget, log: Log, options: SeriesOptions): Promise<SeriesResult> {
  const superseded = target.supersedes;
  let note: string | undefined;
  let makeLatest: 'true' | 'false' | undefined;
  if (superseded !== undefined) {
    const reasons = supersedeReasons(parseDigests(superseded.body), options.digests);
    note = supersedeNote(superseded, reasons);
    makeLatest = (await client.getLatestRelease())?.id === superseded.id ? 'true' : 'false';
    log.info(`Release ${superseded.tagName} is immutable; publishing the rebuild (${reasons.join(', ')}) as ${target.tag}.`);
  }
  const withNote = (body: string): string => (note === undefined ? body : `${note}\n\n${body}`);
  const body = withNote(options.bodyFor?.(target.tag) ?? request.body);
  const archives = [...request.archives, ...((await options.filesFor?.(target.tag)) ?? [])];
  const result = await publishRelease(client, { ...request, archives, tag: target.tag, body, makeLatest }, log, options.timing);
  // a body the user gave replaces an existing release's body too; generated notes only fill a new release
  if (options.userBody !== undefined) await client.updateRelease(result.releaseId, { body: withNote(options.userBody) });
  return { ...result, supersedes: superseded?.tagName };
}
