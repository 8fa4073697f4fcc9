// Pure decisions about kt-connect's tags and go.mod.

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
  const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(tag);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] ?? '' };
}

export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePrerelease(a.prerelease, b.prerelease);
}

function comparePrerelease(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1; // a release sorts after its prereleases
  if (b === '') return -1;
  return a < b ? -1 : 1;
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

/** The `go` directive of a go.mod: `go 1.18` gives `1.18`. */
export function parseGoDirective(goMod: string): string | undefined {
  return /^go\s+(\d+\.\d+(?:\.\d+)?)\s*(?:\/\/.*)?$/m.exec(goMod)?.[1];
}
