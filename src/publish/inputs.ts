// Turns the publishing inputs and the workflow's environment into validated PublishInputs.
// Pure like ../inputs/inputs.ts: no network, no disk, so a bad input fails before anything is built.
import { parseBoolean, type InputReader } from '../inputs/index.js';
import { InputError, printable, trimTrailingSlashes } from '../shared/index.js';

export type PublishMode = 'all' | 'build' | 'publish';

/** Defaults of the publishing inputs; action.yml should say the same (github-token: `${{ github.token }}`). */
export const PUBLISH_DEFAULTS = {
  publish: 'true',
  'release-tag': '',
  'release-name': '',
  draft: 'false',
  prerelease: 'false',
  overwrite: 'true',
  'skip-unchanged': 'true',
  'upload-artifact': 'false',
  'artifact-name': 'ktctl-archives',
  'retention-days': '',
  mode: 'all',
  'github-token': '',
  'allow-public': 'false',
  attestation: 'false',
  'release-body': '',
  'release-body-file': '',
} as const satisfies Record<string, string>;

export type PublishInputName = keyof typeof PUBLISH_DEFAULTS;

/** What the workflow's environment says about where to publish. */
export interface GitHubTarget {
  /** From GITHUB_REPOSITORY; undefined outside Actions. */
  readonly owner: string | undefined;
  readonly repo: string | undefined;
  /** GITHUB_API_URL, without a trailing slash (GHES: https://host/api/v3). */
  readonly apiUrl: string;
  /** GITHUB_SERVER_URL, without a trailing slash. */
  readonly serverUrl: string;
  /** GITHUB_SHA: where a missing release tag is created. */
  readonly sha: string | undefined;
  /** The server is GitHub Enterprise Server, where @actions/artifact v2+ does not work. */
  readonly ghes: boolean;
}

export interface PublishInputs {
  readonly mode: PublishMode;
  /** This job writes a release: `publish` in modes all and publish; always false in mode build. */
  readonly publish: boolean;
  /**
   * The release's tag: the `release-tag` input, else the tag that triggered the run.
   * Undefined: use the upstream tag (see releaseTagFor).
   */
  readonly releaseTag: string | undefined;
  /** Undefined: a new release is named after its tag, an existing one keeps its name. */
  readonly releaseName: string | undefined;
  readonly draft: boolean;
  readonly prerelease: boolean;
  readonly overwrite: boolean;
  readonly skipUnchanged: boolean;
  /** Upload the archives as a workflow artifact: the input in mode all, always in mode build. */
  readonly uploadArtifact: boolean;
  readonly artifactName: string;
  /** Undefined: the repository's default retention. */
  readonly retentionDays: number | undefined;
  /** '' only when nothing in this job talks to GitHub. */
  readonly token: string;
  readonly allowPublic: boolean;
  /**
   * The workflow attests the archives after this step (actions/attest-build-provenance): only then
   * do the generated release notes tell developers to run `gh attestation verify`. The action cannot
   * see the later step, nor whether the plan allows attestations, so the workflow says so.
   */
  readonly attestation: boolean;
  readonly github: GitHubTarget;
  /**
   * The release body the user gave (`release-body`, or the file `release-body-file` names, read in
   * run-inputs.ts): undefined means generated release notes for a new release, an existing body kept.
   */
  readonly releaseBody: ReleaseBodySource | undefined;
}

export type ReleaseBodySource = { readonly text: string } | { readonly file: string };

/** GitHub refuses release bodies longer than this. */
export const RELEASE_BODY_LIMIT = 125000;

function parseReleaseBody(text: string, file: string): ReleaseBodySource | undefined {
  const hasText = text.trim() !== '';
  const hasFile = file.trim() !== '';
  if (hasText && hasFile) throw new InputError('release-body', 'and release-body-file are both set; give one of them.');
  if (hasText) {
    if (text.length > RELEASE_BODY_LIMIT) throw new InputError('release-body', `is longer than GitHub's limit of ${RELEASE_BODY_LIMIT} characters.`);
    return { text };
  }
  if (hasFile) {
    if (/[\r\n\0]/.test(file)) throw new InputError('release-body-file', 'must be a single path.');
    return { file: file.trim() };
  }
  return undefined;
}

/** True for GitHub Enterprise Server; the same rule @actions/artifact applies. */
export function isGhesUrl(serverUrl: string): boolean {
  let host: string;
  try {
    host = new URL(serverUrl).hostname.toUpperCase();
  } catch {
    return false;
  }
  return host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST');
}

function parseMode(value: string): PublishMode {
  const text = value.trim();
  if (text === 'all' || text === 'build' || text === 'publish') return text;
  throw new InputError(
    'mode',
    `'${printable(text)}' is not a mode; use all (build and publish in one job), build (matrix job: upload a workflow artifact) or publish (download the artifacts and publish once).`,
  );
}

/**
 * A tag name as git allows it (`git check-ref-format refs/tags/<name>`), and one `git tag` cannot
 * take for an option (no leading '-'). Pure, one pass per rule: used for inputs and for manifests.
 */
export function isGitTagName(text: string): boolean {
  const bad =
    text === '' ||
    text === '@' ||
    text.length > 250 ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(text) ||
    text.includes('..') ||
    text.includes('@{') ||
    text.includes('//') ||
    text.startsWith('-') ||
    text.startsWith('/') ||
    text.endsWith('/') ||
    text.endsWith('.') ||
    text.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'));
  return !bad;
}

/** A tag name git accepts (git check-ref-format), with any refs/tags/ prefix removed. */
function parseReleaseTag(value: string): string | undefined {
  let text = value.trim();
  if (text === '') return undefined;
  text = text.replace(/^refs\/tags\//, '');
  if (!isGitTagName(text)) {
    throw new InputError('release-tag', `'${printable(text)}' is not a valid git tag name; use a tag such as v0.3.7.`);
  }
  return text;
}

function parseReleaseName(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (/[\r\n\0]/.test(text)) throw new InputError('release-name', 'must be a single line.');
  if (text.length > 200) throw new InputError('release-name', 'is longer than 200 characters.');
  return text;
}

// Characters the artifact service refuses in names.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/\0]/;

function parseArtifactName(value: string): string {
  const text = value.trim() === '' ? PUBLISH_DEFAULTS['artifact-name'] : value.trim();
  if (ARTIFACT_NAME_FORBIDDEN.test(text)) {
    throw new InputError('artifact-name', `'${printable(text)}' may not contain " : < > | * ? \\ / or line breaks.`);
  }
  if (text.length > 120) throw new InputError('artifact-name', 'is longer than 120 characters (the targets are appended to it).');
  return text;
}

function parseRetentionDays(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const days = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(days >= 1 && days <= 90)) {
    throw new InputError('retention-days', `'${printable(text)}' is not a number of days from 1 to 90; leave it empty for the repository's default.`);
  }
  return days;
}

/** The tag of the ref that triggered the run, if it was a tag. */
function triggeringTag(env: NodeJS.ProcessEnv): string | undefined {
  const ref = env['GITHUB_REF'] ?? '';
  if (!ref.startsWith('refs/tags/')) return undefined;
  try {
    return parseReleaseTag(ref);
  } catch {
    return undefined;
  }
}

function trimUrl(value: string | undefined, fallback: string): string {
  const text = (value ?? '').trim();
  return trimTrailingSlashes(text === '' ? fallback : text);
}

function parseGitHubTarget(env: NodeJS.ProcessEnv): GitHubTarget {
  const repository = (env['GITHUB_REPOSITORY'] ?? '').trim();
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  const sha = (env['GITHUB_SHA'] ?? '').trim();
  const serverUrl = trimUrl(env['GITHUB_SERVER_URL'], 'https://github.com');
  return {
    owner: match?.[1],
    repo: match?.[2],
    apiUrl: trimUrl(env['GITHUB_API_URL'], 'https://api.github.com'),
    serverUrl,
    sha: /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha) ? sha : undefined,
    ghes: isGhesUrl(serverUrl),
  };
}

export function parsePublishInputs(read: InputReader, env: NodeJS.ProcessEnv): PublishInputs {
  const input = (name: PublishInputName): string => {
    const value = read(name);
    return value.trim() === '' ? PUBLISH_DEFAULTS[name] : value;
  };
  const mode = parseMode(input('mode'));
  const publishInput = parseBoolean('publish', input('publish'));
  if (mode === 'publish' && !publishInput) {
    throw new InputError('publish', 'is false, but mode: publish only publishes; use mode: build for a job that only builds.');
  }
  const publish = mode !== 'build' && publishInput;
  const uploadArtifact = mode === 'build' || parseBoolean('upload-artifact', input('upload-artifact'));
  const github = parseGitHubTarget(env);
  if (github.ghes && mode !== 'all') {
    throw new InputError(
      'mode',
      `mode: ${mode} passes the archives between jobs as workflow artifacts, and @actions/artifact does not work on GitHub Enterprise Server (${github.serverUrl}); use mode: all.`,
    );
  }
  const token = read('github-token').trim();
  const needsGitHub = publish || uploadArtifact;
  if (needsGitHub && token === '') {
    throw new InputError(
      'github-token',
      'is empty; publishing needs a token that can write releases, such as ${{ github.token }} with permissions: contents: write.',
    );
  }
  if (needsGitHub && (github.owner === undefined || github.repo === undefined)) {
    throw new InputError(
      'publish',
      'needs GITHUB_REPOSITORY (owner/name), which only GitHub Actions sets; set publish: false and upload-artifact: false to build only.',
    );
  }
  return {
    mode,
    publish,
    releaseTag: parseReleaseTag(read('release-tag')) ?? triggeringTag(env),
    releaseName: parseReleaseName(read('release-name')),
    draft: parseBoolean('draft', input('draft')),
    prerelease: parseBoolean('prerelease', input('prerelease')),
    overwrite: parseBoolean('overwrite', input('overwrite')),
    skipUnchanged: parseBoolean('skip-unchanged', input('skip-unchanged')),
    uploadArtifact,
    artifactName: parseArtifactName(read('artifact-name')),
    retentionDays: parseRetentionDays(read('retention-days')),
    token,
    allowPublic: parseBoolean('allow-public', input('allow-public')),
    attestation: parseBoolean('attestation', input('attestation')),
    github,
    releaseBody: parseReleaseBody(read('release-body'), read('release-body-file')),
  };
}

/** The release's tag once the upstream tag is known (v0.3.7 when nothing else says otherwise). */
export function releaseTagFor(inputs: Pick<PublishInputs, 'releaseTag'>, upstreamTag: string): string {
  return inputs.releaseTag ?? upstreamTag;
}
