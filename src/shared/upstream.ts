// Pure decisions about kt-connect's tags and go.mod.
import semver from 'semver';

export interface TagRef {
  readonly tag: string;
  /** The commit the tag points at (peeled for annotated tags). */
  readonly commit: string;
}

/** Parses `git ls-remote --tags` output, peeling annotated tags to their commits. */
export function parseLsRemoteTags(output: string): TagRef[] {
  const direct = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    const match = /^([0-9a-f]{40,64})\trefs\/tags\/(.+)$/.exec(line.trim());
    if (match === null) continue;
    const [, sha, ref] = match as unknown as [string, string, string];
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), sha);
    else direct.set(ref, sha);
  }
  return [...direct].map(([tag, sha]) => ({ tag, commit: peeled.get(tag) ?? sha }));
}

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: string;
}

/** `v0.3.7` or `0.3.7`, with an optional prerelease (`v0.3.6-beta1`); undefined for a branch or any other ref. */
export function parseSemverTag(tag: string): SemVer | undefined {
  // semver.parse trims spaces; a tag with them is not a release tag
  const parsed = tag.trim() === tag ? semver.parse(tag) : null;
  if (parsed === null) return undefined;
  return { major: parsed.major, minor: parsed.minor, patch: parsed.patch, prerelease: parsed.prerelease.join('.') };
}

/**
 * SemVer order, with one reading of upstream's prerelease names: SemVer compares `beta10`
 * and `beta2` as strings (so beta10 would come first); kt-connect's `beta3`, `rc1` mean
 * `beta.3`, `rc.1`, and are compared as such.
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  return semver.compare(comparable(a), comparable(b));
}

function comparable(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  if (version.prerelease === '') return core;
  const parts = version.prerelease.split('.').flatMap((part) => {
    const numbered = /^([A-Za-z-]+)(0|[1-9]\d*)$/.exec(part);
    return numbered === null ? [part] : [numbered[1]!, numbered[2]!];
  });
  return `${core}-${parts.join('.')}`;
}

/** `latest`: the highest semver tag that is not a prerelease. */
export function pickLatestTag(tags: readonly TagRef[]): TagRef | undefined {
  let best: { ref: TagRef; version: SemVer } | undefined;
  for (const ref of tags) {
    const version = parseSemverTag(ref.tag);
    if (version === undefined || version.prerelease !== '') continue;
    if (best === undefined || compareSemver(version, best.version) > 0) best = { ref, version };
  }
  return best?.ref;
}

/** Tags newest first: release tags by SemVer order, then any other ref by name. */
export function newestFirst(tags: readonly string[]): string[] {
  const versions = new Map(tags.map((tag) => [tag, parseSemverTag(tag)] as const));
  return [...tags].sort((a, b) => {
    const [va, vb] = [versions.get(a), versions.get(b)];
    if (va !== undefined && vb !== undefined) return compareSemver(vb, va);
    if (va !== undefined || vb !== undefined) return va === undefined ? 1 : -1;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

/**
 * The `go` directive of a go.mod as written: `go 1.18` gives `1.18`, `go 1.26rc1` gives `1.26rc1`
 * (go.mod allows prereleases since Go 1.21). What it asks for is judged by goSpecFor, so a line
 * that is there but not a release is reported as such, never as a missing line.
 */
export function parseGoDirective(goMod: string): string | undefined {
  return /^go[ \t]+([^\s/]{1,64})[ \t]*(?:\/\/.*)?\r?$/m.exec(goMod)?.[1];
}
