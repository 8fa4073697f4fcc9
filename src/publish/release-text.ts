// Every text the action writes for people about a release: the body (the one the user gave, or
// the generated notes with the patches, the images list and the build digests), and the job
// summary. The notes' sections come from release-notes.ts; everything else that puts them
// together is here, so one module says what a release and a summary read. Pure, except
// readReleaseBody, which reads the release-body-file.
import path from 'node:path';
import { isoDay, readWorkspaceFile } from '../inputs/index.js';
import { InputError } from '../shared/index.js';
import { sourceLine } from '../source/index.js';
import type { Asset, BuildResult, PatchFile, KubeconfigSummary, ConfigSummary } from '../model.js';
import { RELEASE_BODY_LIMIT, type PublishInputs, type ReleaseBodySource } from './inputs.js';
import { digestsMarker, type BuildDigests } from './supersede.js';
import { releaseNotes } from './release-notes.js';

export { shownName, withCurrentBuild } from './release-notes.js';

/**
 * The body the user gave: the release-body text, or the release-body-file, a regular file inside
 * the workspace once every link is resolved (workspace-file.ts). Checked for what no published
 * text may hold (published-text.ts) by the caller, which knows the configs.
 */
export async function readReleaseBody(source: ReleaseBodySource | undefined, workspace: string): Promise<string | undefined> {
  if (source === undefined) return undefined;
  if ('text' in source) return source.text;
  const text = await readWorkspaceFile('release-body-file', source.file, workspace, 'RELEASE_NOTES.md', RELEASE_BODY_LIMIT * 4);
  if (text.length > RELEASE_BODY_LIMIT) throw new InputError('release-body-file', `is longer than GitHub's limit of ${RELEASE_BODY_LIMIT} characters.`);
  return text;
}

/** The input a given body came from, for messages. */
export function givenBodyInput(source: ReleaseBodySource | undefined): 'release-body' | 'release-body-file' {
  return source !== undefined && 'file' in source ? 'release-body-file' : 'release-body';
}

/** What the notes say about a build; the tag is added per release, since publishing chooses it. */
export interface NotesContext {
  readonly built: Pick<BuildResult, 'version' | 'upstream' | 'goVersion' | 'assets' | 'sbomFile'>;
  readonly checksumsName: string;
  /** `owner/name`; undefined outside GitHub Actions. */
  readonly repository: string | undefined;
  /** undefined: the configs are not known in this job (mode: publish). */
  readonly ktConfigKeys: readonly string[] | undefined;
  readonly kube: KubeconfigSummary | undefined;
  readonly attested: boolean;
  readonly build: string | undefined;
  readonly installers: boolean;
  readonly serverUrl: string | undefined;
}

/** The configs as the notes name them: the kt config's setting names, the kubeconfig's context and namespace, and when its credential expires. */
export function embeddedNotes(summary: ConfigSummary, credentialsExpire: Date | undefined): Pick<NotesContext, 'ktConfigKeys' | 'kube'> {
  return {
    ktConfigKeys: [...summary.ktSettings.keys()],
    kube: { ...summary.kube, ...(credentialsExpire === undefined ? {} : { credentialsExpire: isoDay(credentialsExpire) }) },
  };
}

/** mode publish: the build jobs' configs are not known here, and the notes say so. */
export const CONFIGS_OF_THE_BUILD_JOBS: Pick<NotesContext, 'ktConfigKeys' | 'kube'> = { ktConfigKeys: undefined, kube: undefined };

/** The notes' context of a build published to (or meant for) `publishing`'s repository. */
export function notesContextFor(
  built: NotesContext['built'],
  checksumsName: string,
  publishing: Pick<PublishInputs, 'github' | 'attestation'>,
  embedded: Pick<NotesContext, 'ktConfigKeys' | 'kube'>,
  installers: boolean,
  build: string | undefined,
): NotesContext {
  const { owner, repo, serverUrl } = publishing.github;
  return {
    built,
    checksumsName,
    repository: owner === undefined ? undefined : `${owner}/${repo}`,
    ...embedded,
    attested: publishing.attestation,
    build,
    installers,
    serverUrl,
  };
}

/** The notes of the release under `tag` (they name it), as the release and the job summary show them. */
export function notesFor(context: NotesContext, tag: string): string {
  const { built } = context;
  return releaseNotes({
    version: built.version,
    upstream: built.upstream,
    goVersion: built.goVersion,
    archives: built.assets,
    checksumsName: context.checksumsName,
    sbomName: built.sbomFile === undefined ? undefined : path.basename(built.sbomFile),
    tag,
    repository: context.repository,
    ktConfigKeys: context.ktConfigKeys,
    kube: context.kube,
    attested: context.attested,
    build: context.build,
    installers: context.installers,
    serverUrl: context.serverUrl,
  });
}

/** Markdown lines naming each patch applied and its SHA-256; '' when none. */
export function patchesMarkdown(patches: readonly PatchFile[] | undefined): string {
  if (patches === undefined || patches.length === 0) return '';
  return `Patches applied, in order:\n\n${patches.map((patch) => `- \`${patch.name.replace(/`/g, "'")}\` (sha256 \`${patch.sha256}\`)\n`).join('')}`;
}

/**
 * The generated body of a new release: the notes, the patches applied (a release carrying local
 * fixes says so), the images list, and the digests a later rebuild compares with (supersede.ts).
 */
export function generatedBody(notes: string, built: Pick<BuildResult, 'patches' | 'imagesFile'>, digests: BuildDigests): string {
  const patches = patchesMarkdown(built.patches);
  const images =
    built.imagesFile === undefined
      ? ''
      : `${path.basename(built.imagesFile)} lists the images ktctl starts and the names they must have in your registry (one \`source target\` pair per line).\n`;
  return `${[notes, patches, images].filter((part) => part !== '').join('\n')}\n${digestsMarker(digests)}\n`;
}

/** An archive in the summary's table: with its download address once published. */
export interface ReportedAsset extends Asset {
  readonly url?: string;
}

/** Text from inputs (a release tag, an archive name) placed in the summary's HTML. */
function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function humanSize(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The job summary of a run that built or published: the archives, then the notes as the release shows them. */
export function summaryHtml(
  result: Pick<BuildResult, 'version' | 'upstream' | 'goVersion' | 'patches' | 'images'>,
  assets: readonly ReportedAsset[],
  release: { readonly url: string; readonly tag: string } | undefined,
  notes: string | undefined,
): string {
  const lines = [
    `<h2>ktctl ${html(result.version)}</h2>`,
    `Built from kt-connect ${html(result.upstream.tag)} (${html(result.upstream.commit.slice(0, 12))}) with Go ${html(result.goVersion)}.`,
  ];
  if (result.upstream.source !== undefined) lines.push(html(sourceLine(result.upstream.source)));
  if (release !== undefined) lines.push(`<a href="${html(release.url)}">Release ${html(release.tag)}</a>`, '<br>');
  const header = ['Archive', 'Target', 'Size', 'SHA-256'].map((title) => `<th>${title}</th>`).join('');
  const rows = assets.map((asset) =>
    [
      asset.url === undefined ? html(asset.name) : `<a href="${html(asset.url)}">${html(asset.name)}</a>`,
      html(`${asset.os}/${asset.arch}`),
      humanSize(asset.size),
      `<code>${html(asset.sha256)}</code>`,
    ]
      .map((cell) => `<td>${cell}</td>`)
      .join(''),
  );
  lines.push(`<table>${[header, ...rows].map((row) => `<tr>${row}</tr>`).join('')}</table>`);
  if (notes !== undefined) lines.push(`\n${notes}\n`);
  if (result.patches !== undefined && result.patches.length > 0) {
    lines.push(
      'Patches applied, in order:',
      `<ul>${result.patches.map((patch) => `<li><code>${html(patch.name)}</code> sha256 <code>${patch.sha256}</code></li>`).join('')}</ul>`,
    );
  }
  if (result.images !== undefined) {
    // the targets may come from the kt config, which is never shown: they are in images.txt and the images output
    lines.push(
      `Images ktctl starts, from upstream: ${result.images.map((image) => `<code>${html(image.source)}</code>`).join(', ')}. images.txt and the images output name where each must be mirrored.`,
    );
  }
  return lines.map((line) => `${line}\n`).join('');
}

/** The job summary of a dry run: the plan as the log shows it. */
export function dryRunSummaryHtml(version: string, plan: string): string {
  return `<h2>Dry run: ktctl ${version}</h2>\n<pre><code>${plan}</code></pre>\n`;
}
