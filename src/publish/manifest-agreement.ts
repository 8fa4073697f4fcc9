// What the build jobs of one matrix must agree on before `mode: publish` merges their manifests
// into one release: one SBOM, one checksums file and one set of release notes describe them all,
// so they must describe one build. Pure: each manifest is checked against the ones before it, and
// every error names the artifact that disagrees and what to change.
//
// Why refuse rather than describe each job's own tag, commit or Go: a release is one version of
// ktctl; archives built from different sources or toolchains under one version are a matrix that
// went wrong (a moving kt-connect-version, a go-version left unpinned), which goreleaser users
// would expect to stop the release, not to be written down.
import type { BuildManifest } from '../model.js';

interface Seen {
  readonly artifact: string;
  readonly manifest: BuildManifest;
}

export class ManifestAgreement {
  private first: Seen | undefined;
  /** `os/arch` → the archive name and the artifact that first gave it. */
  private readonly targets = new Map<string, { readonly name: string; readonly artifact: string }>();

  /** Throws when `manifest` (from `artifact`) disagrees with the manifests checked before. */
  check(artifact: string, manifest: BuildManifest): void {
    const fail = (detail: string): never => {
      throw new Error(`mode: publish: the build jobs disagree: ${detail}`);
    };
    this.first ??= { artifact, manifest };
    const { artifact: other, manifest: first } = this.first;
    if (manifest.version !== first.version) {
      fail(`${artifact} built ktctl ${manifest.version}, ${other} built ${first.version}. Pin kt-connect-version so every job builds the same version.`);
    }
    if (manifest.upstream.tag !== first.upstream.tag || manifest.upstream.commit !== first.upstream.commit) {
      fail(
        `${artifact} built kt-connect ${manifest.upstream.tag} (${manifest.upstream.commit}), ${other} built ${first.upstream.tag} (${first.upstream.commit}). ` +
          'Pin kt-connect-version (and kt-connect-commit) so every job builds the same tag and commit.',
      );
    }
    if (manifest.goVersion !== first.goVersion) {
      fail(
        `${artifact} was built with Go ${manifest.goVersion}, ${other} with Go ${first.goVersion}. Pin go-version to one release (e.g. 1.19.13) in every job.`,
      );
    }
    if (manifest.checksumsName !== first.checksumsName) {
      fail(`${artifact} names its checksums file ${manifest.checksumsName}, ${other} ${first.checksumsName}.`);
    }
    for (const entry of manifest.assets) {
      const target = `${entry.os}/${entry.arch}`;
      const seen = this.targets.get(target);
      if (seen === undefined) {
        this.targets.set(target, { name: entry.name, artifact });
      } else if (seen.name !== entry.name) {
        fail(
          `${target} is built twice, as ${entry.name} in ${artifact} and as ${seen.name} in ${seen.artifact}. ` +
            'Give each matrix job its own targets (the targets input) and every job the same asset-name-template.',
        );
      }
    }
  }
}
