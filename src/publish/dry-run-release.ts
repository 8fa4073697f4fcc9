// What publishing would do to the release, found out by reading only: the dry run never creates,
// edits or uploads anything (checkUnchanged may rename a release, so it is not used here).
import { BUILD_INFO_NAME, parseBuildInfo } from '../shared/index.js';
import { findSeries } from './publish-series.js';
import { targetOf } from './series.js';
import type { PublishInputs } from './inputs.js';
import type { ReleaseClient } from './github.js';

export interface ReleaseQuestion {
  readonly tag: string;
  readonly fingerprint: string;
  readonly archiveNames: readonly string[];
  /** Every file a build would publish: archives, checksums, SBOM, images list. */
  readonly files: readonly string[];
}

/** Lines for the plan: the repository, the release, and each file's fate. */
export async function dryRunRelease(client: ReleaseClient, publishing: PublishInputs, asked: ReleaseQuestion): Promise<string[]> {
  // publishing also writes the build ledger, which records each archive's fingerprint
  const question = { ...asked, files: [...asked.files, BUILD_INFO_NAME] };
  const repository = await client.getRepository();
  const lines = [
    `Release ${question.tag} in ${repository.fullName} (${repository.visibility}${repository.visibility === 'public' ? ', allow-public is true' : ''}):`,
  ];
  // with immutable releases a rebuild goes to <tag>-build.<n>: the newest release of the series is the one to read
  const series = await findSeries(client, question.tag);
  const release = series.newest;
  if (release === undefined) {
    lines.push(
      `  does not exist: it would be created${publishing.draft ? ' as a draft' : ''}${publishing.prerelease ? ' as a prerelease' : ''}, with ${question.files.length} files:`,
    );
    lines.push(...question.files.map((name) => `    new       ${name}`));
    lines.push(...permissionLines());
    return lines;
  }
  const assets = await client.listAssets(release.id);
  const byName = new Map(assets.map((asset) => [asset.name, asset]));
  lines.push(
    `  exists (id ${release.id}${release.draft ? ', draft' : ''}${release.prerelease ? ', prerelease' : ''}${release.immutable ? ', immutable' : ''}), ${assets.length} assets.`,
  );
  const info = byName.get(BUILD_INFO_NAME);
  const recorded = info === undefined ? new Map() : parseBuildInfo((await client.downloadAsset(info.id)).toString('utf8'));
  const holdsThisBuild =
    question.archiveNames.length > 0 &&
    question.archiveNames.every((name) => byName.get(name)?.state === 'uploaded' && recorded.get(name)?.fingerprint === question.fingerprint);
  if (publishing.skipUnchanged && holdsThisBuild) {
    lines.push(`  already holds this exact build (fingerprint ${question.fingerprint.slice(0, 12)}): the run would skip and change nothing.`);
    return lines;
  }
  if (release.immutable && !release.draft) {
    const successor = targetOf(series).tag;
    lines.push(
      `  is immutable: its assets cannot change, so this build would be published as a new release ${successor} that supersedes it (${release.tagName} is left as it is), with ${question.files.length} files:`,
    );
    lines.push(...question.files.map((name) => `    new       ${name}`));
    lines.push(...permissionLines());
    return lines;
  }
  for (const name of question.files) {
    const existing = byName.get(name);
    const fate = existing === undefined ? 'new' : publishing.overwrite ? 'replaced' : 'kept (overwrite: false)';
    lines.push(`    ${fate.padEnd(9)} ${name}`);
  }
  lines.push(...permissionLines());
  return lines;
}

/**
 * What reading the release proves about the token. GitHub tells a token's write permission only
 * by a write, and a dry run writes nothing: the plan says so rather than guess.
 */
function permissionLines(): string[] {
  return [
    '  Token: it can read the repository and its releases. Publishing also needs contents: write (permissions: contents: write in the workflow); GitHub shows that only on the first write.',
  ];
}
