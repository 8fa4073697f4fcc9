// The few GitHub REST calls publishing needs, behind a narrow interface, and one implementation
// on @actions/github's octokit. Retries (5xx, connection resets) come from @octokit/plugin-retry,
// rate-limit waits from @octokit/plugin-throttling; this file only says how many and how long.
// It is longer than the other publishing modules (about 500 lines) on purpose: it is the one
// boundary to GitHub, and the interface, the error translation and its implementation are read
// together.
import { createReadStream } from 'node:fs';
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { messageOf, type Log, trimTrailingSlashes, networkLimits, type NetworkLimits, retryUnitMs } from '../shared/index.js';
import { limitedFetch, noAnswerOf } from './api-fetch.js';
import { NOTIFICATION_GAP_UNITS, pacingGroup, WRITE_GAP_UNITS } from './write-pacing.js';

export type Visibility = 'public' | 'private' | 'internal';

/** The most pages of 100 releases a lookup of drafts reads (listRecentReleases). */
export const MAX_RELEASE_PAGES = 3;

export interface RepositoryInfo {
  readonly fullName: string;
  readonly visibility: Visibility;
}

export interface ReleaseInfo {
  readonly id: number;
  readonly tagName: string;
  readonly name: string | null;
  readonly draft: boolean;
  readonly prerelease: boolean;
  /** Published with immutable releases on: its assets cannot change. */
  readonly immutable: boolean;
  /** The release notes (absent where a caller built the value by hand). */
  readonly body?: string | null;
  readonly htmlUrl: string;
  /** A URI template, `.../assets{?name,label}`, on the upload host. */
  readonly uploadUrl: string;
  readonly createdAt: string;
}

export interface AssetInfo {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  /** `uploaded`, or `open`/`starter` for an upload that never finished. */
  readonly state: string;
  /** `sha256:<hex>` as GitHub computed it; null where GitHub does not (older GHES). */
  readonly digest: string | null;
  /** browser_download_url: changes when a draft is published. */
  readonly downloadUrl: string;
  readonly createdAt: string;
}

export interface NewRelease {
  readonly tag: string;
  readonly name: string;
  readonly body: string;
  readonly draft: boolean;
  readonly prerelease: boolean;
  /** Where GitHub creates the tag on publishing if it does not exist. */
  readonly targetCommitish: string | undefined;
}

export interface ReleasePatch {
  readonly name?: string;
  /** Only when the user gave release-body / release-body-file: an existing release's body is otherwise kept. */
  readonly body?: string;
  readonly draft?: boolean;
  readonly prerelease?: boolean;
  /** GitHub's make_latest: 'true' makes this the latest release, 'false' leaves the latest as it is. */
  readonly makeLatest?: 'true' | 'false';
}

/** What to upload: a file streamed from disk, or a few bytes made in memory. */
export type AssetSource =
  | { readonly name: string; readonly contentType: string; readonly path: string; readonly size: number }
  | { readonly name: string; readonly contentType: string; readonly data: Uint8Array };

/** The GitHub calls of publishing, bound to one repository. */
export interface ReleaseClient {
  readonly repository: string;
  getRepository(): Promise<RepositoryInfo>;
  /** A published release; GitHub never returns drafts here. */
  getReleaseByTag(tag: string): Promise<ReleaseInfo | undefined>;
  /** The repository's latest release (GitHub's flag), or undefined when there is none. */
  getLatestRelease(): Promise<ReleaseInfo | undefined>;
  /**
   * The head of the release list, drafts included (drafts need a token that can push): pages of
   * 100 until a page holds a published release, at most MAX_RELEASE_PAGES pages. Why that bound
   * is enough: see findRelease in find-release.ts.
   */
  listRecentReleases(): Promise<ReleaseInfo[]>;
  createRelease(release: NewRelease): Promise<ReleaseInfo>;
  updateRelease(id: number, patch: ReleasePatch): Promise<ReleaseInfo>;
  /** Quiet when the release is already gone. */
  deleteRelease(id: number): Promise<void>;
  listAssets(releaseId: number): Promise<AssetInfo[]>;
  /** Throws GitHubError with alreadyExists when the release has an asset of that name. */
  uploadAsset(release: ReleaseInfo, source: AssetSource): Promise<AssetInfo>;
  renameAsset(assetId: number, name: string): Promise<AssetInfo>;
  /** Quiet when the asset is already gone. */
  deleteAsset(assetId: number): Promise<void>;
  downloadAsset(assetId: number): Promise<Buffer>;
  /** The commit a tag points at, or undefined when there is no such tag. */
  getTagRef(tag: string): Promise<string | undefined>;
  /** Quiet when the tag already exists. */
  createTagRef(tag: string, sha: string): Promise<void>;
  /** The names of the tags that start with `prefix` (without refs/tags/). */
  listTagNames(prefix: string): Promise<string[]>;
}

/** A GitHub call that failed for good, with a message meant for the person reading the log. */
export class GitHubError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when GitHub never answered. */
    readonly status: number,
    readonly operation: string,
    /** A 422 saying the thing (asset name, tag, ref) already exists. */
    readonly alreadyExists: boolean,
    /** GitHub's own words: its message and those of its `errors` items. */
    readonly reasons: readonly string[] = [],
  ) {
    super(message);
    this.name = 'GitHubError';
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof GitHubError && error.status === 404;
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof GitHubError && error.alreadyExists;
}

/** GitHub refused a release on a tag that an immutable release once used (it never can be used again). */
export function isBurnedTag(error: unknown): boolean {
  return error instanceof GitHubError && error.status === 422 && error.reasons.some((reason) => reason.includes('used by an immutable release'));
}

/** GitHub refused a change because the release is immutable (assets, draft state). */
export function isImmutableRefusal(error: unknown): boolean {
  return error instanceof GitHubError && error.status === 422 && error.reasons.some((reason) => /immutable release/i.test(reason));
}

interface ErrorFacts {
  status: number;
  message: string;
  errors: Array<{ code?: unknown; message?: unknown }>;
  headers: Record<string, string | undefined>;
}

function factsOf(error: unknown): ErrorFacts {
  const record = (error ?? {}) as {
    status?: unknown;
    response?: { data?: unknown; headers?: Record<string, string | undefined> };
  };
  const data = record.response?.data;
  const dataRecord = typeof data === 'object' && data !== null ? (data as { message?: unknown; errors?: unknown }) : {};
  const status = typeof record.status === 'number' ? record.status : 0;
  const errors = Array.isArray(dataRecord.errors) ? (dataRecord.errors as ErrorFacts['errors']) : [];
  const message = typeof dataRecord.message === 'string' ? dataRecord.message : messageOf(error);
  return { status, message, errors, headers: record.response?.headers ?? {} };
}

const WRITE_PERMISSION =
  'The token cannot write releases: give the job `permissions: contents: write` (or pass a github-token that can write to the repository).';

/** One clear sentence per failure; never the request, which holds the token's header. */
function translateError(error: unknown, operation: string, repository: string, retries: number): GitHubError {
  if (error instanceof GitHubError) return error;
  const silent = noAnswerOf(error);
  if (silent !== undefined) {
    return new GitHubError(`GitHub's API did not answer while trying to ${operation}, after ${retries} retries: ${silent.message}.`, 0, operation, false);
  }
  const facts = factsOf(error);
  const alreadyExists = facts.status === 422 && (facts.errors.some((item) => item.code === 'already_exists') || /already exists/i.test(facts.message));
  const details = facts.errors.map((item) => item.message).filter((text): text is string => typeof text === 'string');
  const reasons = [facts.message, ...details];
  let message: string;
  if (facts.status === 401) {
    message = `GitHub rejected the token while trying to ${operation} (401 ${facts.message}); check the github-token input.`;
  } else if ((facts.status === 403 || facts.status === 429) && /rate limit/i.test(facts.message)) {
    message = `GitHub kept rate-limiting us while trying to ${operation} (${facts.status} ${facts.message}) after ${retries} retries; run the job again later.`;
  } else if (facts.status === 403) {
    message = `GitHub refused to ${operation} in ${repository} (403 ${facts.message}). ${WRITE_PERMISSION}`;
  } else if (facts.status === 404) {
    message = `GitHub found nothing while trying to ${operation} in ${repository} (404): it does not exist, or the token cannot see it.`;
  } else if (facts.status >= 500 || facts.status === 0) {
    message = `GitHub did not manage to ${operation} after ${retries} retries (${facts.status || 'no answer'}: ${facts.message}).`;
  } else {
    const said = details.length === 0 ? '' : `: ${details.join('; ')}`;
    message = `GitHub could not ${operation} in ${repository} (${facts.status} ${facts.message}${said}).`;
  }
  return new GitHubError(message, facts.status, operation, alreadyExists, reasons);
}

export interface ReleaseClientOptions {
  readonly token: string;
  /** GITHUB_API_URL. */
  readonly apiUrl: string;
  readonly owner: string;
  readonly repo: string;
  readonly log: Log;
  /** Retries after a 5xx or a dropped connection (plugin-retry), and after rate limits (plugin-throttling). Default 4. */
  readonly retries?: number;
  /**
   * Milliseconds per unit of wait: GitHub's retry-after is in seconds, plugin-retry's backoff is
   * (n+1)² units. Default: retryUnitMs (1000); tests pass 1 so the suite runs in seconds.
   */
  readonly retryBaseMs?: number;
  /**
   * GitHub's recommended pacing of writes (1 and 3 units of retryBaseMs apart: 1 s, and 3 s
   * between releases created or published; write-pacing.ts) and plugin-throttling's cap of 10
   * requests at once. Default true; unit tests of the client turn both off.
   */
  readonly paceWrites?: boolean;
  /** The longest primary rate-limit wait worth sitting out, in seconds. Default 600. */
  readonly maxRateLimitWait?: number;
  /** Keeps several clients in one process (tests) from sharing a pacing queue. */
  readonly throttleId?: string;
  /** Connect and idle limits; default: from KTCTL_CUSTOMIZE_CONNECT_TIMEOUT / _IDLE_TIMEOUT. */
  readonly limits?: NetworkLimits;
}

/** A stand-in for plugin-throttling's Bottleneck groups that schedules at once (no pacing). */
const unpaced = {
  key: () => ({
    schedule: <A extends unknown[], R>(_options: unknown, work: (...args: A) => R, ...args: A): R => work(...args),
  }),
};

/** Re-readable request body: every retry streams the file from disk again. */
class FileBody {
  constructor(private readonly path: string) {}
  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return createReadStream(this.path)[Symbol.asyncIterator]();
  }
}

interface RawRelease {
  id: number;
  tag_name: string;
  name: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable?: boolean;
  body?: string | null;
  html_url: string;
  upload_url: string;
  created_at: string;
}

interface RawAsset {
  id: number;
  name: string;
  size: number;
  state: string;
  digest?: string | null;
  browser_download_url: string;
  created_at: string;
}

function toRelease(raw: RawRelease): ReleaseInfo {
  return {
    id: raw.id,
    tagName: raw.tag_name,
    name: raw.name,
    draft: raw.draft,
    prerelease: raw.prerelease,
    immutable: raw.immutable === true,
    body: raw.body ?? null,
    htmlUrl: raw.html_url,
    uploadUrl: raw.upload_url,
    createdAt: raw.created_at,
  };
}

function toAsset(raw: RawAsset): AssetInfo {
  return {
    id: raw.id,
    name: raw.name,
    size: raw.size,
    state: raw.state,
    digest: raw.digest ?? null,
    downloadUrl: raw.browser_download_url,
    createdAt: raw.created_at,
  };
}

export function createReleaseClient(options: ReleaseClientOptions): ReleaseClient {
  const { owner, repo, log } = options;
  const repository = `${owner}/${repo}`;
  const retries = options.retries ?? 4;
  const base = options.retryBaseMs ?? retryUnitMs();
  const maxRateLimitWait = options.maxRateLimitWait ?? 600;
  const describe = (request: { method?: string; url?: string }): string => `${request.method ?? ''} ${(request.url ?? '').replace(/\{[^}]*\}$/, '')}`.trim();
  const throttle = {
    id: options.throttleId ?? 'ktctl-customize',
    retryAfterBaseValue: base,
    fallbackSecondaryRateRetryAfter: 60,
    onRateLimit: (retryAfter: number, request: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount < retries && retryAfter <= maxRateLimitWait) {
        log.warning(`GitHub's rate limit is used up (${describe(request)}); waiting ${retryAfter} s before retry ${retryCount + 1} of ${retries}.`);
        return true;
      }
      return false;
    },
    onSecondaryRateLimit: (retryAfter: number, request: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
      if (retryCount < retries) {
        log.warning(`GitHub's secondary rate limit hit (${describe(request)}); waiting ${retryAfter} s before retry ${retryCount + 1} of ${retries}.`);
        return true;
      }
      return false;
    },
    ...(options.paceWrites === false
      ? { global: unpaced, write: unpaced, notifications: unpaced }
      : { write: pacingGroup(WRITE_GAP_UNITS * base), notifications: pacingGroup(NOTIFICATION_GAP_UNITS * base) }),
  };
  const octokitOptions = {
    baseUrl: trimTrailingSlashes(options.apiUrl),
    userAgent: 'ktctl-customize',
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => log.warning(message),
      error: (message: string) => log.warning(message),
    },
    // 429 is left to plugin-throttling, which honours retry-after.
    retry: { retries, retryAfterBaseValue: base, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle,
    // connect and idle limits on every call, as on the downloads; octokit has none
    request: { fetch: limitedFetch(options.apiUrl, options.limits ?? networkLimits(process.env)) },
  };
  const octokit = getOctokit(options.token, octokitOptions as unknown as Parameters<typeof getOctokit>[1], retry, throttling);

  async function call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateError(error, operation, repository, retries);
    }
  }

  async function quietly404(operation: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await call(operation, work);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  return {
    repository,

    getRepository: () =>
      call('read the repository', async () => {
        const { data } = await octokit.rest.repos.get({ owner, repo });
        const visibility =
          data.visibility === 'public' || data.visibility === 'private' || data.visibility === 'internal'
            ? data.visibility
            : data.private
              ? 'private'
              : 'public';
        return { fullName: data.full_name, visibility };
      }),

    getReleaseByTag: async (tag) => {
      try {
        return await call(`read release ${tag}`, async () => {
          const { data } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag });
          return toRelease(data as RawRelease);
        });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    getLatestRelease: async () => {
      try {
        return await call('read the latest release', async () => {
          const { data } = await octokit.rest.repos.getLatestRelease({ owner, repo });
          return toRelease(data as RawRelease);
        });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    listRecentReleases: () =>
      call('list releases', async () => {
        let pages = 0;
        const releases = await octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }, (response, done) => {
          pages += 1;
          const page = response.data as RawRelease[];
          if (pages >= MAX_RELEASE_PAGES || page.some((release) => !release.draft)) done();
          return page;
        });
        return releases.map((release) => toRelease(release));
      }),

    createRelease: (release) =>
      call(`create release ${release.tag}`, async () => {
        const { data } = await octokit.rest.repos.createRelease({
          owner,
          repo,
          tag_name: release.tag,
          name: release.name,
          body: release.body,
          draft: release.draft,
          prerelease: release.prerelease,
          ...(release.targetCommitish === undefined ? {} : { target_commitish: release.targetCommitish }),
        });
        return toRelease(data as RawRelease);
      }),

    updateRelease: (id, patch) =>
      call(`update release ${id}`, async () => {
        const { makeLatest, ...rest } = patch;
        const { data } = await octokit.rest.repos.updateRelease({
          owner,
          repo,
          release_id: id,
          ...rest,
          ...(makeLatest === undefined ? {} : { make_latest: makeLatest }),
        });
        return toRelease(data as RawRelease);
      }),

    deleteRelease: (id) => quietly404(`delete release ${id}`, () => octokit.rest.repos.deleteRelease({ owner, repo, release_id: id })),

    listAssets: (releaseId) =>
      call(`list the assets of release ${releaseId}`, async () => {
        const assets = await octokit.paginate(octokit.rest.repos.listReleaseAssets, {
          owner,
          repo,
          release_id: releaseId,
          per_page: 100,
        });
        return assets.map((asset) => toAsset(asset as RawAsset));
      }),

    uploadAsset: (release, source) =>
      call(`upload ${source.name}`, async () => {
        // fetch sets Content-Length itself for bytes, and would then see two; for a stream it
        // cannot know the length, and GitHub requires it.
        const headers: Record<string, string> =
          'data' in source ? { 'content-type': source.contentType } : { 'content-type': source.contentType, 'content-length': String(source.size) };
        const { data } = await octokit.request({
          method: 'POST',
          url: release.uploadUrl,
          name: source.name,
          headers,
          data: 'data' in source ? source.data : new FileBody(source.path),
        });
        return toAsset(data as RawAsset);
      }),

    renameAsset: (assetId, name) =>
      call(`rename asset ${assetId} to ${name}`, async () => {
        const { data } = await octokit.rest.repos.updateReleaseAsset({ owner, repo, asset_id: assetId, name });
        return toAsset(data as RawAsset);
      }),

    deleteAsset: (assetId) => quietly404(`delete asset ${assetId}`, () => octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: assetId })),

    downloadAsset: (assetId) =>
      call(`download asset ${assetId}`, async () => {
        const { data } = await octokit.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
          owner,
          repo,
          asset_id: assetId,
          headers: { accept: 'application/octet-stream' },
        });
        const raw: unknown = data;
        if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
        if (raw instanceof ArrayBuffer) return Buffer.from(raw);
        if (ArrayBuffer.isView(raw)) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
        throw new Error(`asset ${assetId} came back as ${typeof raw}, not bytes`);
      }),

    getTagRef: async (tag) => {
      try {
        return await call(`read tag ${tag}`, async () => {
          const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `tags/${tag}` });
          return data.object.sha;
        });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    listTagNames: (prefix) =>
      call(`list the tags starting with ${prefix}`, async () => {
        const { data } = await octokit.rest.git.listMatchingRefs({ owner, repo, ref: `tags/${prefix}` });
        return data.map((ref) => ref.ref.replace(/^refs\/tags\//, '')).filter((name) => name.startsWith(prefix));
      }),

    createTagRef: async (tag, sha) => {
      try {
        await call(`create tag ${tag}`, () => octokit.rest.git.createRef({ owner, repo, ref: `refs/tags/${tag}`, sha }));
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    },
  };
}
