// The tags of a release series: what a rebuild is published under when its release is immutable.
//
// GitHub's immutable releases lock a release's assets and tag the moment it is published, and a
// tag an immutable release used can never be used again. So a rebuild (rotated credentials, a new
// upstream under a fixed release-tag, new patches) cannot replace the assets: it publishes a new
// release of the same series instead. The rule, for a release-tag `<tag>`:
//
//   <tag>, <tag>-build.2, <tag>-build.3, ...
//
// Why `-build.<n>`: it reads as what it is (build n of the same ktctl version), and `sort -V` and
// git's version sort (`git tag --sort=version:refname`) put it after <tag> and in number order
// (build.10 after build.9). No suffix exists that semver orders after <tag> without claiming
// another version: `-...` is a pre-release (sorts BEFORE <tag>), `+...` is build metadata (no
// order at all), `.2` is not semver. So scripts must not pick a release by semver order: they
// follow GitHub's latest release, which the new release takes over when the old one had it.
// Pure: no GitHub calls here.
import type { ReleaseInfo } from './github.js';

export const SERIES_SEPARATOR = '-build.';

/** Rebuild numbers stay below this (it keeps the tag short and the number a safe integer). */
const MAX_NUMBER = 1_000_000;

/** The tag of build `number` of the series: the base tag itself for 1. */
export function seriesTag(base: string, number: number): string {
  return number <= 1 ? base : `${base}${SERIES_SEPARATOR}${number}`;
}

/** 1 for the base tag, n for `<base>-build.<n>` (n ≥ 2, no leading zero), undefined for any other tag. */
export function seriesNumber(base: string, tag: string): number | undefined {
  if (tag === base) return 1;
  const prefix = `${base}${SERIES_SEPARATOR}`;
  if (!tag.startsWith(prefix)) return undefined;
  const digits = tag.slice(prefix.length);
  if (!/^[1-9][0-9]{0,5}$/.test(digits)) return undefined;
  const number = Number(digits);
  return number >= 2 && number < MAX_NUMBER ? number : undefined;
}

/** What is known of a series: its newest release, and the highest number any tag or release of it uses. */
export interface Series {
  readonly base: string;
  /** The release with the highest number (published or draft); undefined when the series has none. */
  readonly newest: ReleaseInfo | undefined;
  /** The newest PUBLISHED release numbered below `newest`, when `newest` is a draft. */
  readonly previous: ReleaseInfo | undefined;
  /** The highest number a tag or a release of the series uses (0: none). */
  readonly highestUsed: number;
}

/** Where a run publishes. */
export interface SeriesTarget {
  readonly tag: string;
  /** The published release this one takes over from (an immutable one), if any. */
  readonly supersedes: ReleaseInfo | undefined;
  /** True when this is a new release of the series (its draft does not exist yet). */
  readonly fresh: boolean;
}

/**
 * The decision at the top of publishing:
 * - no release yet: the base tag (the next free number once GitHub refused it as burned);
 * - the newest release is a draft (a run stopped before publishing): finish it;
 * - the newest release is published and mutable: change it in place, as always;
 * - the newest release is immutable: a new release under the next number, superseding it.
 * `burned`: numbers GitHub refused in this run (a tag an immutable release once used).
 */
export function targetOf(series: Series, burned: ReadonlySet<number> = new Set()): SeriesTarget {
  const next = (): string => {
    let number = Math.max(series.highestUsed + 1, 1);
    while (burned.has(number)) number += 1;
    if (number >= MAX_NUMBER) throw new Error(`Release series ${series.base} has used every build number; choose another release-tag.`);
    return seriesTag(series.base, number);
  };
  const newest = series.newest;
  if (newest === undefined) {
    // the base tag may exist without a release (a tag push started the run): it is used as it is
    const first = burned.has(1) ? next() : series.base;
    return { tag: first, supersedes: undefined, fresh: true };
  }
  if (newest.draft) return { tag: newest.tagName, supersedes: series.previous?.immutable === true ? series.previous : undefined, fresh: false };
  if (!newest.immutable) return { tag: newest.tagName, supersedes: undefined, fresh: false };
  return { tag: next(), supersedes: newest, fresh: true };
}
