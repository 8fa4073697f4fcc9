// Tells the workflow what was built: step outputs for later steps, a table for people.
import * as core from '@actions/core';
import type { Asset, BuildResult } from './model.js';

export interface ReportedAsset extends Asset {
  /** Download address once published. */
  readonly url?: string;
}

export function setBuildOutputs(result: BuildResult, assets: readonly ReportedAsset[] = result.assets): void {
  core.setOutput('version', result.version);
  core.setOutput('upstream-tag', result.upstream.tag);
  core.setOutput('go-version', result.goVersion);
  core.setOutput('assets', JSON.stringify(assets));
  core.setOutput('checksums-file', result.checksumsFile);
  core.setOutput('sbom-file', result.sbomFile ?? '');
}

export function setReleaseOutputs(release: { releaseId: number; htmlUrl: string }): void {
  core.setOutput('release-id', String(release.releaseId));
  core.setOutput('release-url', release.htmlUrl);
}

/** Text from inputs (a release tag, an archive name) placed in the summary's HTML. */
function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function humanSize(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** `notes`: the release notes (src/release-notes.ts), shown below the table as the release shows them. */
export async function writeSummary(result: BuildResult, assets: readonly ReportedAsset[], release?: { url: string; tag: string }, notes?: string): Promise<void> {
  const summary = core.summary.addHeading(`ktctl ${result.version}`, 2).addRaw(
    `Built from kt-connect ${result.upstream.tag} (${result.upstream.commit.slice(0, 12)}) with Go ${result.goVersion}.`,
    true,
  );
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
      `${asset.os}/${asset.arch}`,
      humanSize(asset.size),
      `<code>${asset.sha256}</code>`,
    ]),
  ]);
  if (notes !== undefined) summary.addRaw(`\n${notes}\n`, true);
  await summary.write();
}
