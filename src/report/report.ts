// Tells the workflow what was built: step outputs for later steps, a table for people.
import path from 'node:path';
import * as core from '@actions/core';
import type { Asset, BuildResult, PatchFile } from '../model.js';
import type { PublishRequest } from '../publish/request.js';
import { publishedText, setCheckedOutput } from '../shared/published-text.js';
import { sourceLine } from '../source/source-record.js';

export interface ReportedAsset extends Asset {
  /** Download address once published. */
  readonly url?: string;
}

export function setBuildOutputs(result: BuildResult, assets: readonly ReportedAsset[] = result.assets): void {
  setCheckedOutput('version', result.version);
  setCheckedOutput('upstream-tag', result.upstream.tag);
  setCheckedOutput('go-version', result.goVersion);
  setCheckedOutput('assets', JSON.stringify(assets));
  setCheckedOutput('checksums-file', result.checksumsFile);
  setCheckedOutput('sbom-file', result.sbomFile ?? '');
  if (result.images !== undefined)
    setCheckedOutput(
      'images',
      JSON.stringify(result.images),
      result.images.flatMap((image) => [image.source, image.target]),
    );
}

/** Markdown lines naming each patch applied and its SHA-256; '' when none. */
export function patchesMarkdown(patches: readonly PatchFile[] | undefined): string {
  if (patches === undefined || patches.length === 0) return '';
  return `Patches applied, in order:\n\n${patches.map((patch) => `- \`${patch.name.replace(/`/g, "'")}\` (sha256 \`${patch.sha256}\`)\n`).join('')}`;
}

/** The release body with the patches applied: a release carrying local fixes says so. */
export function withReleaseNotes(request: PublishRequest, result: Pick<BuildResult, 'patches' | 'imagesFile'>): PublishRequest {
  const patches = patchesMarkdown(result.patches);
  const images =
    result.imagesFile === undefined
      ? ''
      : `${path.basename(result.imagesFile)} lists the images ktctl starts and the names they must have in your registry (one \`source target\` pair per line).\n`;
  return patches === '' && images === '' ? request : { ...request, body: [request.body, patches, images].filter((part) => part !== '').join('\n') };
}

export function setReleaseOutputs(release: { releaseId: number; htmlUrl: string; tag: string }): void {
  setCheckedOutput('release-id', String(release.releaseId));
  setCheckedOutput('release-tag', release.tag);
  setCheckedOutput('release-url', release.htmlUrl);
}

/** Text from inputs (a release tag, an archive name) placed in the summary's HTML. */
function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function humanSize(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** `notes`: the release notes (src/publish/release-notes.ts), shown below the table as the release shows them. */
export async function writeSummary(
  result: BuildResult,
  assets: readonly ReportedAsset[],
  release?: { url: string; tag: string },
  notes?: string,
): Promise<void> {
  const summary = core.summary
    .addHeading(`ktctl ${html(result.version)}`, 2)
    .addRaw(`Built from kt-connect ${html(result.upstream.tag)} (${html(result.upstream.commit.slice(0, 12))}) with Go ${html(result.goVersion)}.`, true);
  if (result.upstream.source !== undefined) summary.addRaw(html(sourceLine(result.upstream.source)), true);
  if (release !== undefined) summary.addLink(`Release ${html(release.tag)}`, html(release.url)).addBreak();
  summary.addTable([
    [
      { data: 'Archive', header: true },
      { data: 'Target', header: true },
      { data: 'Size', header: true },
      { data: 'SHA-256', header: true },
    ],
    ...assets.map((asset) => [
      asset.url === undefined ? html(asset.name) : `<a href="${html(asset.url)}">${html(asset.name)}</a>`,
      html(`${asset.os}/${asset.arch}`),
      humanSize(asset.size),
      `<code>${html(asset.sha256)}</code>`,
    ]),
  ]);
  if (notes !== undefined) summary.addRaw(`\n${notes}\n`, true);
  if (result.patches !== undefined && result.patches.length > 0) {
    summary.addRaw('Patches applied, in order:', true).addList(
      result.patches.map((patch) => `<code>${html(patch.name)}</code> sha256 <code>${patch.sha256}</code>`),
      true,
    );
  }
  if (result.images !== undefined) {
    // the targets may come from the kt config, which is never shown: they are in images.txt and the images output
    summary.addRaw(
      `Images ktctl starts, from upstream: ${result.images.map((image) => `<code>${html(image.source)}</code>`).join(', ')}. images.txt and the images output name where each must be mirrored.`,
      true,
    );
  }
  // the summary as it will be written, checked whole: its images line and notes are allowed what the release shows
  publishedText('job summary', summary.stringify(), result.images?.map((image) => image.source) ?? []);
  await summary.write();
}
