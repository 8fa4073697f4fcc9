// Tells the workflow what a run did: step outputs for later steps, the job summary for people.
// The only module that sets outputs; each value passes the published-text guard first
// (published-text.ts checkedOutput), since a later step may publish what it gets. Outputs known
// early are set early, so a run that fails later still says what it was building.
import { type PublishResult, withDownloadUrls, dryRunSummaryHtml, summaryHtml, type ReportedAsset } from '../publish/index.js';
import { type ActionCore, publishedText, checkedOutput } from '../shared/index.js';
import type { BuildResult, UpstreamRelease } from '../model.js';

function setOutput(actions: ActionCore, name: string, value: string, allowed: readonly string[] = []): void {
  actions.setOutput(name, checkedOutput(name, value, allowed));
}

/** credentials-expire: the day the kubeconfig's credential expires, '' when it names none. */
export function reportCredentialsExpire(actions: ActionCore, value: string): void {
  setOutput(actions, 'credentials-expire', value);
}

/** What a run will make, known before it builds: `tag` is the release tag it would publish to (publishing says which it got). */
export function reportPlanned(
  actions: ActionCore,
  planned: { readonly tag?: string; readonly fingerprint: string; readonly version?: string; readonly upstream?: UpstreamRelease },
): void {
  if (planned.tag !== undefined) setOutput(actions, 'release-tag', planned.tag);
  setOutput(actions, 'fingerprint', planned.fingerprint);
  if (planned.version !== undefined) setOutput(actions, 'version', planned.version);
  if (planned.upstream !== undefined) {
    setOutput(actions, 'upstream-tag', planned.upstream.tag);
    setOutput(actions, 'source-hash', planned.upstream.source?.hash ?? '');
  }
}

/** skipped: false, once a run knows it builds (or publishes) something. */
export function reportBuilding(actions: ActionCore): void {
  setOutput(actions, 'skipped', 'false');
}

/** A release that already holds this exact build: nothing built, the release's outputs. */
export function reportUnchanged(actions: ActionCore, result: PublishResult): void {
  setOutput(actions, 'skipped', 'true');
  setReleaseOutputs(actions, result);
  setOutput(actions, 'assets', JSON.stringify(result.assets));
}

/** A dry run: the Go version it would use, and the plan in the summary. */
export async function reportDryRun(
  actions: ActionCore,
  planned: { readonly version: string; readonly goVersion: string; readonly text: string },
): Promise<void> {
  setOutput(actions, 'go-version', planned.goVersion);
  actions.info(planned.text);
  await actions.appendSummary(dryRunSummaryHtml(planned.version, planned.text));
}

/** What was built, and where it was published if it was: every build output, then the summary with the notes below the table. */
export async function reportBuild(actions: ActionCore, result: BuildResult, published: PublishResult | undefined, notes: string | undefined): Promise<void> {
  const assets = published === undefined ? result.assets : withDownloadUrls(result.assets, published);
  setBuildOutputs(actions, result, assets);
  if (published !== undefined) setReleaseOutputs(actions, published);
  const summary = summaryHtml(result, assets, published === undefined ? undefined : { url: published.htmlUrl, tag: published.tag }, notes);
  // the summary as it will be written, checked whole: its images line and notes are allowed what the release shows
  publishedText('job summary', summary, result.images?.map((image) => image.source) ?? []);
  await actions.appendSummary(summary);
}

function setBuildOutputs(actions: ActionCore, result: BuildResult, assets: readonly ReportedAsset[]): void {
  setOutput(actions, 'version', result.version);
  setOutput(actions, 'upstream-tag', result.upstream.tag);
  setOutput(actions, 'go-version', result.goVersion);
  setOutput(actions, 'assets', JSON.stringify(assets));
  setOutput(actions, 'checksums-file', result.checksumsFile);
  setOutput(actions, 'sbom-file', result.sbomFile ?? '');
  if (result.images !== undefined)
    setOutput(
      actions,
      'images',
      JSON.stringify(result.images),
      result.images.flatMap((image) => [image.source, image.target]),
    );
}

function setReleaseOutputs(actions: ActionCore, release: Pick<PublishResult, 'releaseId' | 'htmlUrl' | 'tag'>): void {
  setOutput(actions, 'release-id', String(release.releaseId));
  setOutput(actions, 'release-tag', release.tag);
  setOutput(actions, 'release-url', release.htmlUrl);
}
